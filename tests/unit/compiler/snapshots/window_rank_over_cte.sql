-- window_rank_over_cte
-- semantic: WITH r AS (SELECT customer_country, net_revenue FROM sales) SELECT customer_country, RANK() OVER (ORDER BY net_revenue DESC) AS rnk FROM r

-- dialect: duckdb
WITH r AS (
  SELECT
    customers.country AS customer_country,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.country
)
SELECT
  r.customer_country AS customer_country,
  RANK() OVER (ORDER BY r.net_revenue DESC NULLS FIRST) AS rnk
FROM r AS r

-- dialect: postgres
WITH r AS (
  SELECT
    customers.country AS customer_country,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.country
)
SELECT
  r.customer_country AS customer_country,
  RANK() OVER (ORDER BY r.net_revenue DESC) AS rnk
FROM r AS r

-- dialect: trino
WITH r AS (
  SELECT
    customers.country AS customer_country,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  LEFT JOIN raw.customers AS customers
    ON orders.customer_id = customers.customer_id
  GROUP BY
    customers.country
)
SELECT
  r.customer_country AS customer_country,
  RANK() OVER (ORDER BY r.net_revenue DESC NULLS FIRST) AS rnk
FROM r AS r
