-- fanout_grand_total
-- semantic: SELECT net_revenue, units_sold FROM sales

-- dialect: duckdb
WITH base AS (
  SELECT
    order_items.quantity AS units_sold_input,
    orders.order_id AS orders_key,
    orders.gross_amount - orders.refunded_amount AS net_revenue_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
), totals AS (
  SELECT
    SUM(units_sold_input) AS units_sold
  FROM base
), per_orders AS (
  SELECT
    SUM(net_revenue_input) AS net_revenue
  FROM (
    SELECT DISTINCT
      orders_key,
      net_revenue_input
    FROM base
  ) AS base
)
SELECT
  per_orders.net_revenue AS net_revenue,
  totals.units_sold AS units_sold
FROM totals
CROSS JOIN per_orders

-- dialect: postgres
WITH base AS (
  SELECT
    order_items.quantity AS units_sold_input,
    orders.order_id AS orders_key,
    orders.gross_amount - orders.refunded_amount AS net_revenue_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
), totals AS (
  SELECT
    SUM(units_sold_input) AS units_sold
  FROM base
), per_orders AS (
  SELECT
    SUM(net_revenue_input) AS net_revenue
  FROM (
    SELECT DISTINCT
      orders_key,
      net_revenue_input
    FROM base
  ) AS base
)
SELECT
  per_orders.net_revenue AS net_revenue,
  totals.units_sold AS units_sold
FROM totals
CROSS JOIN per_orders

-- dialect: trino
WITH base AS (
  SELECT
    order_items.quantity AS units_sold_input,
    orders.order_id AS orders_key,
    orders.gross_amount - orders.refunded_amount AS net_revenue_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
), totals AS (
  SELECT
    SUM(units_sold_input) AS units_sold
  FROM base
), per_orders AS (
  SELECT
    SUM(net_revenue_input) AS net_revenue
  FROM (
    SELECT DISTINCT
      orders_key,
      net_revenue_input
    FROM base
  ) AS base
)
SELECT
  per_orders.net_revenue AS net_revenue,
  totals.units_sold AS units_sold
FROM totals
CROSS JOIN per_orders
