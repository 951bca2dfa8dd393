-- where_or
-- semantic: SELECT channel, order_count FROM orders WHERE status = 'returned' OR channel = 'app'

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.status = 'returned' OR orders.channel = 'app'
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.status = 'returned' OR orders.channel = 'app'
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.status = 'returned' OR orders.channel = 'app'
GROUP BY
  orders.channel
