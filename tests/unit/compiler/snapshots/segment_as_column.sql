-- segment_as_column
-- semantic: SELECT online, order_count FROM orders

-- dialect: duckdb
SELECT
  orders.channel IN ('web', 'app') AS online,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.channel IN ('web', 'app')

-- dialect: postgres
SELECT
  orders.channel IN ('web', 'app') AS online,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.channel IN ('web', 'app')

-- dialect: trino
SELECT
  orders.channel IN ('web', 'app') AS online,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.channel IN ('web', 'app')
