-- where_like
-- semantic: SELECT customer_name, order_count FROM sales WHERE customer_name LIKE 'Ada%'

-- dialect: duckdb
SELECT
  customers.name AS customer_name,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
WHERE
  customers.name LIKE 'Ada%'
GROUP BY
  customers.name

-- dialect: postgres
SELECT
  customers.name AS customer_name,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
WHERE
  customers.name LIKE 'Ada%'
GROUP BY
  customers.name

-- dialect: trino
SELECT
  customers.name AS customer_name,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
WHERE
  customers.name LIKE 'Ada%'
GROUP BY
  customers.name
