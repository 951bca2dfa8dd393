-- cte_filter_on_measure
-- semantic: WITH r AS (SELECT customer_region, net_revenue FROM sales) SELECT customer_region, net_revenue FROM r WHERE net_revenue > 3000000

-- dialect: duckdb
WITH r AS (
  SELECT
    customers.region AS customer_region,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.region
)
SELECT
  r.customer_region AS customer_region,
  r.net_revenue AS net_revenue
FROM r AS r
WHERE
  r.net_revenue > 3000000

-- dialect: postgres
WITH r AS (
  SELECT
    customers.region AS customer_region,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.region
)
SELECT
  r.customer_region AS customer_region,
  r.net_revenue AS net_revenue
FROM r AS r
WHERE
  r.net_revenue > 3000000

-- dialect: trino
WITH r AS (
  SELECT
    customers.region AS customer_region,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.region
)
SELECT
  r.customer_region AS customer_region,
  r.net_revenue AS net_revenue
FROM r AS r
WHERE
  r.net_revenue > 3000000
