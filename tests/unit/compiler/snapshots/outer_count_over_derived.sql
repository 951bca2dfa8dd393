-- outer_count_over_derived
-- semantic: SELECT COUNT(*) AS orders FROM (SELECT customer_country FROM sales) t

-- dialect: duckdb
SELECT
  COUNT(*) AS orders
FROM raw.orders AS orders

-- dialect: postgres
SELECT
  COUNT(*) AS orders
FROM raw.orders AS orders

-- dialect: trino
SELECT
  COUNT(*) AS orders
FROM raw.orders AS orders
