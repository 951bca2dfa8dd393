-- count_distinct_through_join
-- semantic: SELECT channel, customer_count FROM sales

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  orders.channel
