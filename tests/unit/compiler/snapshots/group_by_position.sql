-- group_by_position
-- semantic: SELECT channel, MEASURE(gross_revenue) FROM orders GROUP BY 1

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) AS gross_revenue
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) AS gross_revenue
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) AS gross_revenue
FROM raw.orders AS orders
GROUP BY
  orders.channel
