-- date_trunc_on_date_dimension
-- semantic: SELECT DATE_TRUNC('year', signup_date) AS y, customer_count FROM customers

-- dialect: duckdb
SELECT
  DATE_TRUNC('YEAR', customers.signup_date) AS y,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  DATE_TRUNC('YEAR', customers.signup_date)

-- dialect: postgres
SELECT
  DATE_TRUNC('YEAR', customers.signup_date) AS y,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  DATE_TRUNC('YEAR', customers.signup_date)

-- dialect: trino
SELECT
  DATE_TRUNC('YEAR', customers.signup_date) AS y,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  DATE_TRUNC('YEAR', customers.signup_date)
