-- window_in_semantic_select
-- semantic: SELECT customer_region, MEASURE(net_revenue) AS r, RANK() OVER (ORDER BY MEASURE(net_revenue) DESC) AS rnk FROM sales GROUP BY 1 ORDER BY rnk

-- dialect: duckdb
SELECT
  customer_region AS customer_region,
  r AS r,
  RANK() OVER (ORDER BY r DESC NULLS FIRST) AS rnk
FROM (
  SELECT
    customers.region AS customer_region,
    SUM(orders.gross_amount - orders.refunded_amount) AS r
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.region
) AS w
ORDER BY
  rnk

-- dialect: postgres
SELECT
  customer_region AS customer_region,
  r AS r,
  RANK() OVER (ORDER BY r DESC) AS rnk
FROM (
  SELECT
    customers.region AS customer_region,
    SUM(orders.gross_amount - orders.refunded_amount) AS r
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.region
) AS w
ORDER BY
  rnk

-- dialect: trino
SELECT
  customer_region AS customer_region,
  r AS r,
  RANK() OVER (ORDER BY r DESC NULLS FIRST) AS rnk
FROM (
  SELECT
    customers.region AS customer_region,
    SUM(orders.gross_amount - orders.refunded_amount) AS r
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.region
) AS w
ORDER BY
  rnk
