-- group_by_output_alias
-- semantic: SELECT channel AS ch, order_count FROM orders GROUP BY ch

-- dialect: duckdb
SELECT
  orders.channel AS ch,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS ch,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS ch,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.channel
