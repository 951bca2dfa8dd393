-- correlated_scalar_subquery
-- semantic: SELECT c.region, c.customer_id, (SELECT order_count FROM orders o WHERE o.customer_id = c.customer_id) AS n FROM customers c WHERE c.customer_id <= 5

-- dialect: duckdb
SELECT
  c.region AS region,
  c.customer_id AS customer_id,
  (
    SELECT
      o.order_count AS order_count
    FROM (
      SELECT
        COUNT(*) AS order_count,
        orders.customer_id AS customer_id
      FROM raw.orders AS orders
      GROUP BY
        orders.customer_id
    ) AS o
    WHERE
      o.customer_id = c.customer_id
  ) AS n
FROM (
  SELECT
    customers.region AS region,
    customers.customer_id AS customer_id
  FROM raw.customers AS customers
) AS c
WHERE
  c.customer_id <= 5

-- dialect: postgres
SELECT
  c.region AS region,
  c.customer_id AS customer_id,
  (
    SELECT
      o.order_count AS order_count
    FROM (
      SELECT
        COUNT(*) AS order_count,
        orders.customer_id AS customer_id
      FROM raw.orders AS orders
      GROUP BY
        orders.customer_id
    ) AS o
    WHERE
      o.customer_id = c.customer_id
  ) AS n
FROM (
  SELECT
    customers.region AS region,
    customers.customer_id AS customer_id
  FROM raw.customers AS customers
) AS c
WHERE
  c.customer_id <= 5

-- dialect: trino
SELECT
  c.region AS region,
  c.customer_id AS customer_id,
  (
    SELECT
      o.order_count AS order_count
    FROM (
      SELECT
        COUNT(*) AS order_count,
        orders.customer_id AS customer_id
      FROM raw.orders AS orders
      GROUP BY
        orders.customer_id
    ) AS o
    WHERE
      o.customer_id = c.customer_id
  ) AS n
FROM (
  SELECT
    customers.region AS region,
    customers.customer_id AS customer_id
  FROM raw.customers AS customers
) AS c
WHERE
  c.customer_id <= 5
