-- union_all_two_relations
-- semantic: SELECT 'orders' AS source, order_count AS n FROM orders UNION ALL SELECT 'customers', customer_count FROM customers

-- dialect: duckdb
SELECT
  'orders' AS source,
  COUNT(*) AS n
FROM raw.orders AS orders
UNION ALL
SELECT
  'customers' AS customers,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers

-- dialect: postgres
SELECT
  'orders' AS source,
  COUNT(*) AS n
FROM raw.orders AS orders
UNION ALL
SELECT
  'customers' AS customers,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers

-- dialect: trino
SELECT
  'orders' AS source,
  COUNT(*) AS n
FROM raw.orders AS orders
UNION ALL
SELECT
  'customers' AS customers,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
