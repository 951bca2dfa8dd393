-- customer_360_lifetime_value
-- semantic: SELECT customer_id, net_revenue, first_order_ts FROM customer_360 WHERE customer_id <= 20

-- dialect: duckdb
SELECT
  customers.customer_id AS customer_id,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue,
  MIN(orders.order_ts) AS first_order_ts
FROM raw.customers AS customers
LEFT JOIN raw.orders AS orders
  ON customers.customer_id = orders.customer_id
WHERE
  customers.customer_id <= 20
GROUP BY
  customers.customer_id

-- dialect: postgres
SELECT
  customers.customer_id AS customer_id,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue,
  MIN(orders.order_ts) AS first_order_ts
FROM raw.customers AS customers
LEFT JOIN raw.orders AS orders
  ON customers.customer_id = orders.customer_id
WHERE
  customers.customer_id <= 20
GROUP BY
  customers.customer_id

-- dialect: trino
SELECT
  customers.customer_id AS customer_id,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue,
  MIN(orders.order_ts) AS first_order_ts
FROM raw.customers AS customers
LEFT JOIN raw.orders AS orders
  ON customers.customer_id = orders.customer_id
WHERE
  customers.customer_id <= 20
GROUP BY
  customers.customer_id
