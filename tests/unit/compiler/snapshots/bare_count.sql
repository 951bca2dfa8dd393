-- bare_count
-- semantic: SELECT order_count FROM orders

-- dialect: duckdb
SELECT
  COUNT(*) AS order_count
FROM raw.orders AS orders

-- dialect: postgres
SELECT
  COUNT(*) AS order_count
FROM raw.orders AS orders

-- dialect: trino
SELECT
  COUNT(*) AS order_count
FROM raw.orders AS orders
