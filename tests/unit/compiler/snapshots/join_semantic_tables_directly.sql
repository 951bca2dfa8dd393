-- join_semantic_tables_directly
-- semantic: SELECT c.region, SUM(o.gross_revenue) AS g FROM orders o JOIN customers c ON o.customer_id = c.customer_id GROUP BY c.region

-- dialect: duckdb
SELECT
  c.region AS region,
  SUM(o.gross_revenue) AS g
FROM (
  SELECT
    SUM(orders.gross_amount) AS gross_revenue,
    orders.customer_id AS customer_id
  FROM raw.orders AS orders
  GROUP BY
    orders.customer_id
) AS o
JOIN (
  SELECT
    customers.region AS region,
    customers.customer_id AS customer_id
  FROM raw.customers AS customers
) AS c
  ON o.customer_id = c.customer_id
GROUP BY
  c.region

-- dialect: postgres
SELECT
  c.region AS region,
  SUM(o.gross_revenue) AS g
FROM (
  SELECT
    SUM(orders.gross_amount) AS gross_revenue,
    orders.customer_id AS customer_id
  FROM raw.orders AS orders
  GROUP BY
    orders.customer_id
) AS o
JOIN (
  SELECT
    customers.region AS region,
    customers.customer_id AS customer_id
  FROM raw.customers AS customers
) AS c
  ON o.customer_id = c.customer_id
GROUP BY
  c.region

-- dialect: trino
SELECT
  c.region AS region,
  SUM(o.gross_revenue) AS g
FROM (
  SELECT
    SUM(orders.gross_amount) AS gross_revenue,
    orders.customer_id AS customer_id
  FROM raw.orders AS orders
  GROUP BY
    orders.customer_id
) AS o
JOIN (
  SELECT
    customers.region AS region,
    customers.customer_id AS customer_id
  FROM raw.customers AS customers
) AS c
  ON o.customer_id = c.customer_id
GROUP BY
  c.region
