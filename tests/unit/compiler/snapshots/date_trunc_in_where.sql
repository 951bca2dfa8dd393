-- date_trunc_in_where
-- semantic: SELECT status, order_count FROM orders WHERE DATE_TRUNC('year', order_ts) = '2024-01-01'

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  DATE_TRUNC('YEAR', orders.order_ts) = '2024-01-01'
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  DATE_TRUNC('YEAR', orders.order_ts) = '2024-01-01'
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  DATE_TRUNC('YEAR', orders.order_ts) = '2024-01-01'
GROUP BY
  orders.status
