-- outer_count_over_derived
-- semantic: SELECT COUNT(*) AS countries FROM (SELECT customer_country FROM sales) t

-- dialect: duckdb
SELECT
  COUNT(*) AS countries
FROM (
  SELECT
    customers.country AS customer_country
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.country
) AS t

-- dialect: postgres
SELECT
  COUNT(*) AS countries
FROM (
  SELECT
    customers.country AS customer_country
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.country
) AS t

-- dialect: trino
SELECT
  COUNT(*) AS countries
FROM (
  SELECT
    customers.country AS customer_country
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.country
) AS t
