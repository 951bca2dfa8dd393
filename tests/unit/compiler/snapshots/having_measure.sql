-- having_measure
-- semantic: SELECT customer_region, MEASURE(order_count) FROM sales GROUP BY 1 HAVING MEASURE(order_count) > 3000

-- dialect: duckdb
SELECT
  customers.region AS customer_region,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region
HAVING
  COUNT(*) > 3000

-- dialect: postgres
SELECT
  customers.region AS customer_region,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region
HAVING
  COUNT(*) > 3000

-- dialect: trino
SELECT
  customers.region AS customer_region,
  COUNT(*) AS order_count
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  customers.region
HAVING
  COUNT(*) > 3000
