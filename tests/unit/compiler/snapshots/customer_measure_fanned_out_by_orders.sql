-- customer_measure_fanned_out_by_orders
-- semantic: SELECT status, customer_count FROM sales

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  orders.status
