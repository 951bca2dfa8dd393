-- order_by_alias
-- semantic: SELECT status AS s, order_count AS n FROM orders ORDER BY n

-- dialect: duckdb
SELECT
  orders.status AS s,
  COUNT(*) AS n
FROM raw.orders AS orders
GROUP BY
  orders.status
ORDER BY
  COUNT(*)

-- dialect: postgres
SELECT
  orders.status AS s,
  COUNT(*) AS n
FROM raw.orders AS orders
GROUP BY
  orders.status
ORDER BY
  COUNT(*)

-- dialect: trino
SELECT
  orders.status AS s,
  COUNT(*) AS n
FROM raw.orders AS orders
GROUP BY
  orders.status
ORDER BY
  COUNT(*)
