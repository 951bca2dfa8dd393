-- where_between_timestamps
-- semantic: SELECT status, order_count FROM orders WHERE order_ts BETWEEN '2024-01-01' AND '2024-03-31'

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts BETWEEN '2024-01-01' AND '2024-03-31'
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts BETWEEN '2024-01-01' AND '2024-03-31'
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts BETWEEN '2024-01-01' AND '2024-03-31'
GROUP BY
  orders.status
