-- count_on_count_measure
-- semantic: SELECT COUNT(order_count) AS n FROM orders

-- dialect: duckdb
SELECT
  COUNT(*) AS n
FROM raw.orders AS orders

-- dialect: postgres
SELECT
  COUNT(*) AS n
FROM raw.orders AS orders

-- dialect: trino
SELECT
  COUNT(*) AS n
FROM raw.orders AS orders
