-- filtered_count
-- semantic: SELECT channel, returned_orders FROM orders

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  COUNT(CASE WHEN orders.status = 'returned' THEN 1 END) AS returned_orders
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  COUNT(CASE WHEN orders.status = 'returned' THEN 1 END) AS returned_orders
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  COUNT(CASE WHEN orders.status = 'returned' THEN 1 END) AS returned_orders
FROM raw.orders AS orders
GROUP BY
  orders.channel
