-- where_equals
-- semantic: SELECT channel, order_count FROM orders WHERE status = 'shipped'

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.status = 'shipped'
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.status = 'shipped'
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.status = 'shipped'
GROUP BY
  orders.channel
