-- scalar_subquery_column
-- semantic: SELECT status, order_count, (SELECT customer_count FROM customers) AS all_customers FROM orders

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(*) AS order_count,
  (
    SELECT
      COUNT(DISTINCT customers.customer_id) AS customer_count
    FROM raw.customers AS customers
  ) AS all_customers
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(*) AS order_count,
  (
    SELECT
      COUNT(DISTINCT customers.customer_id) AS customer_count
    FROM raw.customers AS customers
  ) AS all_customers
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(*) AS order_count,
  (
    SELECT
      COUNT(DISTINCT customers.customer_id) AS customer_count
    FROM raw.customers AS customers
  ) AS all_customers
FROM raw.orders AS orders
GROUP BY
  orders.status
