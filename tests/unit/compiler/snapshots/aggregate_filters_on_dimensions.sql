-- aggregate_filters_on_dimensions
-- semantic: SELECT customer_region, SUM(gross_amount) FILTER (WHERE status = 'shipped'), COUNT(DISTINCT customer_id) FILTER (WHERE status = 'returned') FROM sales GROUP BY 1

-- dialect: duckdb
SELECT
  customers.region AS customer_region,
  SUM(CASE WHEN orders.status = 'shipped' THEN orders.gross_amount END) AS sum,
  COUNT(DISTINCT CASE WHEN orders.status = 'returned' THEN orders.customer_id END) AS count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region

-- dialect: postgres
SELECT
  customers.region AS customer_region,
  SUM(CASE WHEN orders.status = 'shipped' THEN orders.gross_amount END) AS sum,
  COUNT(DISTINCT CASE WHEN orders.status = 'returned' THEN orders.customer_id END) AS count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region

-- dialect: trino
SELECT
  customers.region AS customer_region,
  SUM(CASE WHEN orders.status = 'shipped' THEN orders.gross_amount END) AS sum,
  COUNT(DISTINCT CASE WHEN orders.status = 'returned' THEN orders.customer_id END) AS count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region
