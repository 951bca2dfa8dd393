-- date_trunc_month
-- semantic: SELECT DATE_TRUNC('month', order_ts) AS month, net_revenue FROM orders

-- dialect: duckdb
SELECT
  DATE_TRUNC('MONTH', orders.order_ts) AS month,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('MONTH', orders.order_ts)

-- dialect: postgres
SELECT
  DATE_TRUNC('MONTH', orders.order_ts) AS month,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('MONTH', orders.order_ts)

-- dialect: trino
SELECT
  DATE_TRUNC('MONTH', orders.order_ts) AS month,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('MONTH', orders.order_ts)
