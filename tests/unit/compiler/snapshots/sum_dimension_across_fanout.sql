-- sum_dimension_across_fanout
-- semantic: SELECT product_category, SUM(gross_amount) FROM sales

-- dialect: duckdb
WITH base AS (
  SELECT
    products.category AS product_category,
    orders.order_id AS orders_key,
    orders.gross_amount AS sum_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), per_orders AS (
  SELECT
    product_category,
    SUM(sum_input) AS sum
  FROM (
    SELECT DISTINCT
      product_category,
      orders_key,
      sum_input
    FROM base
  ) AS base
  GROUP BY
    product_category
)
SELECT
  per_orders.product_category AS product_category,
  per_orders.sum AS sum
FROM per_orders

-- dialect: postgres
WITH base AS (
  SELECT
    products.category AS product_category,
    orders.order_id AS orders_key,
    orders.gross_amount AS sum_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), per_orders AS (
  SELECT
    product_category,
    SUM(sum_input) AS sum
  FROM (
    SELECT DISTINCT
      product_category,
      orders_key,
      sum_input
    FROM base
  ) AS base
  GROUP BY
    product_category
)
SELECT
  per_orders.product_category AS product_category,
  per_orders.sum AS sum
FROM per_orders

-- dialect: trino
WITH base AS (
  SELECT
    products.category AS product_category,
    orders.order_id AS orders_key,
    orders.gross_amount AS sum_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), per_orders AS (
  SELECT
    product_category,
    SUM(sum_input) AS sum
  FROM (
    SELECT DISTINCT
      product_category,
      orders_key,
      sum_input
    FROM base
  ) AS base
  GROUP BY
    product_category
)
SELECT
  per_orders.product_category AS product_category,
  per_orders.sum AS sum
FROM per_orders
