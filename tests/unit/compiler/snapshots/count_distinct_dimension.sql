-- count_distinct_dimension
-- semantic: SELECT customer_region, COUNT(DISTINCT customer_id) FROM sales

-- dialect: duckdb
SELECT
  customers.region AS customer_region,
  COUNT(DISTINCT orders.customer_id) AS count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region

-- dialect: postgres
SELECT
  customers.region AS customer_region,
  COUNT(DISTINCT orders.customer_id) AS count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region

-- dialect: trino
SELECT
  customers.region AS customer_region,
  COUNT(DISTINCT orders.customer_id) AS count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region
