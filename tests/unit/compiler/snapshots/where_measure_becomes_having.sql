-- where_measure_becomes_having
-- semantic: SELECT customer_id, net_revenue FROM orders WHERE net_revenue > 25000

-- dialect: duckdb
SELECT
  orders.customer_id AS customer_id,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
GROUP BY
  orders.customer_id
HAVING
  SUM(orders.gross_amount - orders.refunded_amount) > 25000

-- dialect: postgres
SELECT
  orders.customer_id AS customer_id,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
GROUP BY
  orders.customer_id
HAVING
  SUM(orders.gross_amount - orders.refunded_amount) > 25000

-- dialect: trino
SELECT
  orders.customer_id AS customer_id,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
GROUP BY
  orders.customer_id
HAVING
  SUM(orders.gross_amount - orders.refunded_amount) > 25000
