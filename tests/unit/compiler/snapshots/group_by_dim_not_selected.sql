-- group_by_dim_not_selected
-- semantic: SELECT order_count FROM orders GROUP BY channel

-- dialect: duckdb
SELECT
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.channel
