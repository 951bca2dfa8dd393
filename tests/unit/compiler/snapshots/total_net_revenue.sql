-- total_net_revenue
-- semantic: SELECT MEASURE(net_revenue) FROM orders

-- dialect: duckdb
SELECT
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders

-- dialect: postgres
SELECT
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders

-- dialect: trino
SELECT
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
