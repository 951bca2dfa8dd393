-- sum_of_one_is_row_count
-- semantic: SELECT channel, SUM(1) AS records FROM orders

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  SUM(1) AS records
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  SUM(1) AS records
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  SUM(1) AS records
FROM raw.orders AS orders
GROUP BY
  orders.channel
