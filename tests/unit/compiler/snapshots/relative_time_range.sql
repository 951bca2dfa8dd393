-- relative_time_range
-- semantic: SELECT channel, order_count FROM orders WHERE order_ts >= CURRENT_DATE - INTERVAL '700 days'

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts >= CURRENT_DATE - INTERVAL '700' DAYS
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts >= CURRENT_DATE - INTERVAL '700 DAYS'
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts >= CURRENT_DATE - INTERVAL '700' DAY
GROUP BY
  orders.channel
