-- subquery_in_where
-- semantic: SELECT status, order_count FROM orders WHERE customer_id IN (SELECT customer_id FROM customers WHERE segment = 'enterprise')

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.customer_id IN (
    SELECT
      customers.customer_id AS customer_id
    FROM raw.customers AS customers
    WHERE
      customers.segment = 'enterprise'
  )
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.customer_id IN (
    SELECT
      customers.customer_id AS customer_id
    FROM raw.customers AS customers
    WHERE
      customers.segment = 'enterprise'
  )
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.customer_id IN (
    SELECT
      customers.customer_id AS customer_id
    FROM raw.customers AS customers
    WHERE
      customers.segment = 'enterprise'
  )
GROUP BY
  orders.status
