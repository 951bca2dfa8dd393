-- customer_360_customers_without_orders
-- semantic: WITH c AS (SELECT customer_id, region FROM customer_360 WHERE order_count = 0) SELECT region, COUNT(*) AS n FROM c GROUP BY region

-- dialect: duckdb
WITH c AS (
  SELECT
    customers.customer_id AS customer_id,
    customers.region AS region
  FROM raw.customers AS customers
  LEFT JOIN raw.orders AS orders
    ON customers.customer_id = orders.customer_id
  GROUP BY
    customers.customer_id,
    customers.region
  HAVING
    COUNT(orders.order_id) = 0
)
SELECT
  c.region AS region,
  COUNT(*) AS n
FROM c AS c
GROUP BY
  c.region

-- dialect: postgres
WITH c AS (
  SELECT
    customers.customer_id AS customer_id,
    customers.region AS region
  FROM raw.customers AS customers
  LEFT JOIN raw.orders AS orders
    ON customers.customer_id = orders.customer_id
  GROUP BY
    customers.customer_id,
    customers.region
  HAVING
    COUNT(orders.order_id) = 0
)
SELECT
  c.region AS region,
  COUNT(*) AS n
FROM c AS c
GROUP BY
  c.region

-- dialect: trino
WITH c AS (
  SELECT
    customers.customer_id AS customer_id,
    customers.region AS region
  FROM raw.customers AS customers
  LEFT JOIN raw.orders AS orders
    ON customers.customer_id = orders.customer_id
  GROUP BY
    customers.customer_id,
    customers.region
  HAVING
    COUNT(orders.order_id) = 0
)
SELECT
  c.region AS region,
  COUNT(*) AS n
FROM c AS c
GROUP BY
  c.region
