-- fanout_parent_measure_by_child_key
-- semantic: SELECT product_name, gross_revenue FROM sales WHERE product_name LIKE 'Pro%'

-- dialect: duckdb
WITH base AS (
  SELECT
    products.name AS product_name,
    orders.order_id AS orders_key,
    orders.gross_amount AS gross_revenue_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
  WHERE
    products.name LIKE 'Pro%'
), per_orders AS (
  SELECT
    product_name,
    SUM(gross_revenue_input) AS gross_revenue
  FROM (
    SELECT DISTINCT
      product_name,
      orders_key,
      gross_revenue_input
    FROM base
  ) AS base
  GROUP BY
    product_name
)
SELECT
  per_orders.product_name AS product_name,
  per_orders.gross_revenue AS gross_revenue
FROM per_orders

-- dialect: postgres
WITH base AS (
  SELECT
    products.name AS product_name,
    orders.order_id AS orders_key,
    orders.gross_amount AS gross_revenue_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
  WHERE
    products.name LIKE 'Pro%'
), per_orders AS (
  SELECT
    product_name,
    SUM(gross_revenue_input) AS gross_revenue
  FROM (
    SELECT DISTINCT
      product_name,
      orders_key,
      gross_revenue_input
    FROM base
  ) AS base
  GROUP BY
    product_name
)
SELECT
  per_orders.product_name AS product_name,
  per_orders.gross_revenue AS gross_revenue
FROM per_orders

-- dialect: trino
WITH base AS (
  SELECT
    products.name AS product_name,
    orders.order_id AS orders_key,
    orders.gross_amount AS gross_revenue_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
  WHERE
    products.name LIKE 'Pro%'
), per_orders AS (
  SELECT
    product_name,
    SUM(gross_revenue_input) AS gross_revenue
  FROM (
    SELECT DISTINCT
      product_name,
      orders_key,
      gross_revenue_input
    FROM base
  ) AS base
  GROUP BY
    product_name
)
SELECT
  per_orders.product_name AS product_name,
  per_orders.gross_revenue AS gross_revenue
FROM per_orders
