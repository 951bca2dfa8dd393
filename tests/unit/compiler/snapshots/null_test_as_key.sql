-- null_test_as_key
-- semantic: SELECT phone IS NULL AS no_phone, customer_count FROM customers

-- dialect: duckdb
SELECT
  customers.phone IS NULL AS no_phone,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  customers.phone IS NULL

-- dialect: postgres
SELECT
  customers.phone IS NULL AS no_phone,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  customers.phone IS NULL

-- dialect: trino
SELECT
  customers.phone IS NULL AS no_phone,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  customers.phone IS NULL
