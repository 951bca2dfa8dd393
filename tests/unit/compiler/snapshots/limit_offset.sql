-- limit_offset
-- semantic: SELECT customer_id, order_count FROM orders ORDER BY 2 DESC, 1 LIMIT 10 OFFSET 5

-- dialect: duckdb
SELECT
  orders.customer_id AS customer_id,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.customer_id
ORDER BY
  COUNT(*) DESC NULLS FIRST,
  orders.customer_id
LIMIT 10
OFFSET 5

-- dialect: postgres
SELECT
  orders.customer_id AS customer_id,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.customer_id
ORDER BY
  COUNT(*) DESC,
  orders.customer_id
LIMIT 10
OFFSET 5

-- dialect: trino
SELECT
  orders.customer_id AS customer_id,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.customer_id
ORDER BY
  COUNT(*) DESC NULLS FIRST,
  orders.customer_id
OFFSET 5
LIMIT 10
