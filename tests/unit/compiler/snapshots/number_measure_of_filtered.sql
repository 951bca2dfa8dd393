-- number_measure_of_filtered
-- semantic: SELECT channel, return_rate FROM orders

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  CAST(COUNT(CASE WHEN orders.status = 'returned' THEN 1 END) AS DOUBLE) / NULLIF(COUNT(*), 0) AS return_rate
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  CAST(COUNT(CASE WHEN orders.status = 'returned' THEN 1 END) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS return_rate
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  CAST(COUNT(CASE WHEN orders.status = 'returned' THEN 1 END) AS DOUBLE) / NULLIF(COUNT(*), 0) AS return_rate
FROM raw.orders AS orders
GROUP BY
  orders.channel
