-- outer_count_distinct_over_derived
-- semantic: SELECT COUNT(DISTINCT t.customer_country) AS countries FROM (SELECT customer_country FROM sales) t

-- dialect: duckdb
SELECT
  COUNT(DISTINCT customers.country) AS countries
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id

-- dialect: postgres
SELECT
  COUNT(DISTINCT customers.country) AS countries
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id

-- dialect: trino
SELECT
  COUNT(DISTINCT customers.country) AS countries
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
