-- date_trunc_group_by_positions
-- semantic: SELECT DATE_TRUNC('year', order_ts), channel, order_count FROM orders GROUP BY 1, 2

-- dialect: duckdb
SELECT
  DATE_TRUNC('YEAR', orders.order_ts) AS date_trunc,
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('YEAR', orders.order_ts),
  orders.channel

-- dialect: postgres
SELECT
  DATE_TRUNC('YEAR', orders.order_ts) AS date_trunc,
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('YEAR', orders.order_ts),
  orders.channel

-- dialect: trino
SELECT
  DATE_TRUNC('YEAR', orders.order_ts) AS date_trunc,
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('YEAR', orders.order_ts),
  orders.channel
