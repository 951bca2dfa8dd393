-- expression_key
-- semantic: SELECT UPPER(status) AS s, order_count FROM orders

-- dialect: duckdb
SELECT
  UPPER(orders.status) AS s,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  UPPER(orders.status)

-- dialect: postgres
SELECT
  UPPER(orders.status) AS s,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  UPPER(orders.status)

-- dialect: trino
SELECT
  UPPER(orders.status) AS s,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  UPPER(orders.status)
