-- where_numeric_dimension
-- semantic: SELECT channel, order_count FROM orders WHERE refunded_amount > 0

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.refunded_amount > 0
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.refunded_amount > 0
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.refunded_amount > 0
GROUP BY
  orders.channel
