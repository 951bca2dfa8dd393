-- number_measure
-- semantic: SELECT status, average_order_value FROM orders

-- dialect: duckdb
SELECT
  orders.status AS status,
  SUM(orders.gross_amount - orders.refunded_amount) / NULLIF(COUNT(*), 0) AS average_order_value
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS average_order_value
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE) / NULLIF(COUNT(*), 0) AS average_order_value
FROM raw.orders AS orders
GROUP BY
  orders.status
