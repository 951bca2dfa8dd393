-- arithmetic_on_measures
-- semantic: SELECT channel, MEASURE(gross_revenue) - MEASURE(net_revenue) AS refunds FROM orders GROUP BY 1

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) - SUM(orders.gross_amount - orders.refunded_amount) AS refunds
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) - SUM(orders.gross_amount - orders.refunded_amount) AS refunds
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) - SUM(orders.gross_amount - orders.refunded_amount) AS refunds
FROM raw.orders AS orders
GROUP BY
  orders.channel
