-- date_trunc_week
-- semantic: SELECT DATE_TRUNC('week', order_ts) AS w, order_count FROM orders

-- dialect: duckdb
SELECT
  DATE_TRUNC('WEEK', orders.order_ts) AS w,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('WEEK', orders.order_ts)

-- dialect: postgres
SELECT
  DATE_TRUNC('WEEK', orders.order_ts) AS w,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('WEEK', orders.order_ts)

-- dialect: trino
SELECT
  DATE_TRUNC('WEEK', orders.order_ts) AS w,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('WEEK', orders.order_ts)
