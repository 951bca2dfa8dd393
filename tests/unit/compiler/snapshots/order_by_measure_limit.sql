-- order_by_measure_limit
-- semantic: SELECT customer_country, net_revenue FROM sales ORDER BY net_revenue DESC LIMIT 5

-- dialect: duckdb
SELECT
  customers.country AS customer_country,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.country
ORDER BY
  SUM(orders.gross_amount - orders.refunded_amount) DESC NULLS FIRST
LIMIT 5

-- dialect: postgres
SELECT
  customers.country AS customer_country,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.country
ORDER BY
  SUM(orders.gross_amount - orders.refunded_amount) DESC
LIMIT 5

-- dialect: trino
SELECT
  customers.country AS customer_country,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.country
ORDER BY
  SUM(orders.gross_amount - orders.refunded_amount) DESC NULLS FIRST
LIMIT 5
