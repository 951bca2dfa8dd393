-- count_distinct_on_count_distinct
-- semantic: SELECT COUNT(DISTINCT customer_count) FROM customers

-- dialect: duckdb
SELECT
  COUNT(DISTINCT customers.customer_id) AS count
FROM raw.customers AS customers

-- dialect: postgres
SELECT
  COUNT(DISTINCT customers.customer_id) AS count
FROM raw.customers AS customers

-- dialect: trino
SELECT
  COUNT(DISTINCT customers.customer_id) AS count
FROM raw.customers AS customers
