-- join_two_semantic_subqueries
-- semantic: SELECT a.customer_region, a.net_revenue, b.customer_count FROM (SELECT customer_region, net_revenue FROM sales) a JOIN (SELECT region, customer_count FROM customers) b ON a.customer_region = b.region

-- dialect: duckdb
SELECT
  a.customer_region AS customer_region,
  a.net_revenue AS net_revenue,
  b.customer_count AS customer_count
FROM (
  SELECT
    customers.region AS customer_region,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.region
) AS a
JOIN (
  SELECT
    customers.region AS region,
    COUNT(DISTINCT customers.customer_id) AS customer_count
  FROM raw.customers AS customers
  GROUP BY
    customers.region
) AS b
  ON a.customer_region = b.region

-- dialect: postgres
SELECT
  a.customer_region AS customer_region,
  a.net_revenue AS net_revenue,
  b.customer_count AS customer_count
FROM (
  SELECT
    customers.region AS customer_region,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.region
) AS a
JOIN (
  SELECT
    customers.region AS region,
    COUNT(DISTINCT customers.customer_id) AS customer_count
  FROM raw.customers AS customers
  GROUP BY
    customers.region
) AS b
  ON a.customer_region = b.region

-- dialect: trino
SELECT
  a.customer_region AS customer_region,
  a.net_revenue AS net_revenue,
  b.customer_count AS customer_count
FROM (
  SELECT
    customers.region AS customer_region,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.region
) AS a
JOIN (
  SELECT
    customers.region AS region,
    COUNT(DISTINCT customers.customer_id) AS customer_count
  FROM raw.customers AS customers
  GROUP BY
    customers.region
) AS b
  ON a.customer_region = b.region
