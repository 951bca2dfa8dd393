-- inferred_group_by_two_dims
-- semantic: SELECT status, channel, order_count FROM orders

-- dialect: duckdb
SELECT
  orders.status AS status,
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status,
  orders.channel

-- dialect: postgres
SELECT
  orders.status AS status,
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status,
  orders.channel

-- dialect: trino
SELECT
  orders.status AS status,
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status,
  orders.channel
