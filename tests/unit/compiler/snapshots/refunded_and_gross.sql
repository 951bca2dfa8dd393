-- refunded_and_gross
-- semantic: SELECT channel, gross_revenue, refunded_revenue, net_revenue FROM orders

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) AS gross_revenue,
  SUM(orders.refunded_amount) AS refunded_revenue,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) AS gross_revenue,
  SUM(orders.refunded_amount) AS refunded_revenue,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) AS gross_revenue,
  SUM(orders.refunded_amount) AS refunded_revenue,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
GROUP BY
  orders.channel
