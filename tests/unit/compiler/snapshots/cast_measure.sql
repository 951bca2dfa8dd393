-- cast_measure
-- semantic: SELECT status, CAST(net_revenue AS BIGINT) AS r FROM orders

-- dialect: duckdb
SELECT
  orders.status AS status,
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS BIGINT) AS r
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS BIGINT) AS r
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS BIGINT) AS r
FROM raw.orders AS orders
GROUP BY
  orders.status
