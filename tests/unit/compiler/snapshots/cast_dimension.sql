-- cast_dimension
-- semantic: SELECT CAST(customer_id AS VARCHAR) AS cid, order_count FROM orders WHERE customer_id < 5

-- dialect: duckdb
SELECT
  CAST(orders.customer_id AS TEXT) AS cid,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.customer_id < 5
GROUP BY
  CAST(orders.customer_id AS TEXT)

-- dialect: postgres
SELECT
  CAST(orders.customer_id AS VARCHAR) AS cid,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.customer_id < 5
GROUP BY
  CAST(orders.customer_id AS VARCHAR)

-- dialect: trino
SELECT
  CAST(orders.customer_id AS VARCHAR) AS cid,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.customer_id < 5
GROUP BY
  CAST(orders.customer_id AS VARCHAR)
