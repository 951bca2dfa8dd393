-- extract_year
-- semantic: SELECT EXTRACT(YEAR FROM order_ts) AS y, order_count FROM orders

-- dialect: duckdb
SELECT
  EXTRACT(YEAR FROM orders.order_ts) AS y,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  EXTRACT(YEAR FROM orders.order_ts)

-- dialect: postgres
SELECT
  EXTRACT(YEAR FROM orders.order_ts) AS y,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  EXTRACT(YEAR FROM orders.order_ts)

-- dialect: trino
SELECT
  EXTRACT(YEAR FROM orders.order_ts) AS y,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  EXTRACT(YEAR FROM orders.order_ts)
