-- customer_360_average_order_value_by_region
-- semantic: SELECT region, average_order_value FROM customer_360

-- dialect: duckdb
SELECT
  customers.region AS region,
  SUM(orders.gross_amount - orders.refunded_amount) / NULLIF(COUNT(orders.order_id), 0) AS average_order_value
FROM raw.customers AS customers
LEFT JOIN raw.orders AS orders
  ON customers.customer_id = orders.customer_id
GROUP BY
  customers.region

-- dialect: postgres
SELECT
  customers.region AS region,
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE PRECISION) / NULLIF(COUNT(orders.order_id), 0) AS average_order_value
FROM raw.customers AS customers
LEFT JOIN raw.orders AS orders
  ON customers.customer_id = orders.customer_id
GROUP BY
  customers.region

-- dialect: trino
SELECT
  customers.region AS region,
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE) / NULLIF(COUNT(orders.order_id), 0) AS average_order_value
FROM raw.customers AS customers
LEFT JOIN raw.orders AS orders
  ON customers.customer_id = orders.customer_id
GROUP BY
  customers.region
