-- wrapped_projection_sum_of_dimension
-- semantic: SELECT SUM(t.gross_amount) AS gross FROM (SELECT customer_segment, gross_amount FROM sales) t

-- dialect: duckdb
SELECT
  SUM(orders.gross_amount) AS gross
FROM raw.orders AS orders

-- dialect: postgres
SELECT
  SUM(orders.gross_amount) AS gross
FROM raw.orders AS orders

-- dialect: trino
SELECT
  SUM(orders.gross_amount) AS gross
FROM raw.orders AS orders
