-- order_by_position
-- semantic: SELECT status, order_count FROM orders ORDER BY 2 DESC

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status
ORDER BY
  COUNT(*) DESC NULLS FIRST

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status
ORDER BY
  COUNT(*) DESC

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status
ORDER BY
  COUNT(*) DESC NULLS FIRST
