-- date_trunc_day_filtered
-- semantic: SELECT DATE_TRUNC('day', order_ts) AS d, order_count FROM orders WHERE order_ts >= '2025-06-01'

-- dialect: duckdb
SELECT
  DATE_TRUNC('DAY', orders.order_ts) AS d,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts >= '2025-06-01'
GROUP BY
  DATE_TRUNC('DAY', orders.order_ts)

-- dialect: postgres
SELECT
  DATE_TRUNC('DAY', orders.order_ts) AS d,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts >= '2025-06-01'
GROUP BY
  DATE_TRUNC('DAY', orders.order_ts)

-- dialect: trino
SELECT
  DATE_TRUNC('DAY', orders.order_ts) AS d,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts >= '2025-06-01'
GROUP BY
  DATE_TRUNC('DAY', orders.order_ts)
