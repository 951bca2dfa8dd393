-- string_concat_key
-- semantic: SELECT customer_region || '/' || customer_segment AS rs, order_count FROM sales

-- dialect: duckdb
SELECT
  customers.region || '/' || customers.segment AS rs,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region || '/' || customers.segment

-- dialect: postgres
SELECT
  customers.region || '/' || customers.segment AS rs,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region || '/' || customers.segment

-- dialect: trino
SELECT
  CONCAT(
    CAST(customers.region AS VARCHAR),
    CAST('/' AS VARCHAR),
    CAST(customers.segment AS VARCHAR)
  ) AS rs,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  CONCAT(
    CAST(customers.region AS VARCHAR),
    CAST('/' AS VARCHAR),
    CAST(customers.segment AS VARCHAR)
  )
