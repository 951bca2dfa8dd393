-- sum_on_sum_measure
-- semantic: SELECT SUM(gross_revenue) FROM orders

-- dialect: duckdb
SELECT
  SUM(orders.gross_amount) AS sum
FROM raw.orders AS orders

-- dialect: postgres
SELECT
  SUM(orders.gross_amount) AS sum
FROM raw.orders AS orders

-- dialect: trino
SELECT
  SUM(orders.gross_amount) AS sum
FROM raw.orders AS orders
