-- customer_360_by_segment
-- semantic: SELECT segment, customer_count, order_count, net_revenue FROM customer_360

-- dialect: duckdb
SELECT
  customers.segment AS segment,
  COUNT(DISTINCT customers.customer_id) AS customer_count,
  COUNT(orders.order_id) AS order_count,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.customers AS customers
LEFT JOIN raw.orders AS orders
  ON customers.customer_id = orders.customer_id
GROUP BY
  customers.segment

-- dialect: postgres
SELECT
  customers.segment AS segment,
  COUNT(DISTINCT customers.customer_id) AS customer_count,
  COUNT(orders.order_id) AS order_count,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.customers AS customers
LEFT JOIN raw.orders AS orders
  ON customers.customer_id = orders.customer_id
GROUP BY
  customers.segment

-- dialect: trino
SELECT
  customers.segment AS segment,
  COUNT(DISTINCT customers.customer_id) AS customer_count,
  COUNT(orders.order_id) AS order_count,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.customers AS customers
LEFT JOIN raw.orders AS orders
  ON customers.customer_id = orders.customer_id
GROUP BY
  customers.segment
