-- number_measure_total
-- semantic: SELECT MEASURE(average_order_value) FROM sales

-- dialect: duckdb
SELECT
  SUM(orders.gross_amount - orders.refunded_amount) / NULLIF(COUNT(*), 0) AS average_order_value
FROM raw.orders AS orders

-- dialect: postgres
SELECT
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS average_order_value
FROM raw.orders AS orders

-- dialect: trino
SELECT
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE) / NULLIF(COUNT(*), 0) AS average_order_value
FROM raw.orders AS orders
