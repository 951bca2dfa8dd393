-- view_prefixed_members
-- semantic: SELECT customer_segment, customer_region, order_count FROM sales

-- dialect: duckdb
SELECT
  customers.segment AS customer_segment,
  customers.region AS customer_region,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.segment,
  customers.region

-- dialect: postgres
SELECT
  customers.segment AS customer_segment,
  customers.region AS customer_region,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.segment,
  customers.region

-- dialect: trino
SELECT
  customers.segment AS customer_segment,
  customers.region AS customer_region,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.segment,
  customers.region
