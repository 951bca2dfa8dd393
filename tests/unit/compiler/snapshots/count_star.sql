-- count_star
-- semantic: SELECT COUNT(*) FROM sales

-- dialect: duckdb
SELECT
  COUNT(*) AS count
FROM raw.orders AS orders

-- dialect: postgres
SELECT
  COUNT(*) AS count
FROM raw.orders AS orders

-- dialect: trino
SELECT
  COUNT(*) AS count
FROM raw.orders AS orders
