-- fanout_number_measure
-- semantic: SELECT product_category, average_order_value FROM sales

-- dialect: duckdb
WITH base AS (
  SELECT
    products.category AS product_category,
    orders.order_id AS orders_key,
    orders.gross_amount - orders.refunded_amount AS average_order_value__part_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), per_orders AS (
  SELECT
    product_category,
    SUM(average_order_value__part_input) AS average_order_value__part,
    COUNT(orders_key) AS average_order_value__part_2
  FROM (
    SELECT DISTINCT
      product_category,
      orders_key,
      average_order_value__part_input
    FROM base
  ) AS base
  GROUP BY
    product_category
)
SELECT
  per_orders.product_category AS product_category,
  per_orders.average_order_value__part / NULLIF(per_orders.average_order_value__part_2, 0) AS average_order_value
FROM per_orders

-- dialect: postgres
WITH base AS (
  SELECT
    products.category AS product_category,
    orders.order_id AS orders_key,
    orders.gross_amount - orders.refunded_amount AS average_order_value__part_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), per_orders AS (
  SELECT
    product_category,
    SUM(average_order_value__part_input) AS average_order_value__part,
    COUNT(orders_key) AS average_order_value__part_2
  FROM (
    SELECT DISTINCT
      product_category,
      orders_key,
      average_order_value__part_input
    FROM base
  ) AS base
  GROUP BY
    product_category
)
SELECT
  per_orders.product_category AS product_category,
  CAST(per_orders.average_order_value__part AS DOUBLE PRECISION) / NULLIF(per_orders.average_order_value__part_2, 0) AS average_order_value
FROM per_orders

-- dialect: trino
WITH base AS (
  SELECT
    products.category AS product_category,
    orders.order_id AS orders_key,
    orders.gross_amount - orders.refunded_amount AS average_order_value__part_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), per_orders AS (
  SELECT
    product_category,
    SUM(average_order_value__part_input) AS average_order_value__part,
    COUNT(orders_key) AS average_order_value__part_2
  FROM (
    SELECT DISTINCT
      product_category,
      orders_key,
      average_order_value__part_input
    FROM base
  ) AS base
  GROUP BY
    product_category
)
SELECT
  per_orders.product_category AS product_category,
  CAST(per_orders.average_order_value__part AS DOUBLE) / NULLIF(per_orders.average_order_value__part_2, 0) AS average_order_value
FROM per_orders
