-- date_trunc_year
-- semantic: SELECT DATE_TRUNC('year', order_ts) AS y, customer_count FROM sales

-- dialect: duckdb
SELECT
  DATE_TRUNC('YEAR', orders.order_ts) AS y,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  DATE_TRUNC('YEAR', orders.order_ts)

-- dialect: postgres
SELECT
  DATE_TRUNC('YEAR', orders.order_ts) AS y,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  DATE_TRUNC('YEAR', orders.order_ts)

-- dialect: trino
SELECT
  DATE_TRUNC('YEAR', orders.order_ts) AS y,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  DATE_TRUNC('YEAR', orders.order_ts)
