-- fanout_count_by_product_category
-- semantic: SELECT product_category, order_count FROM sales

-- dialect: duckdb
WITH base AS (
  SELECT
    products.category AS product_category,
    orders.order_id AS orders_key
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), per_orders AS (
  SELECT
    product_category,
    COUNT(orders_key) AS order_count
  FROM (
    SELECT DISTINCT
      product_category,
      orders_key
    FROM base
  ) AS base
  GROUP BY
    product_category
)
SELECT
  per_orders.product_category AS product_category,
  per_orders.order_count AS order_count
FROM per_orders

-- dialect: postgres
WITH base AS (
  SELECT
    products.category AS product_category,
    orders.order_id AS orders_key
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), per_orders AS (
  SELECT
    product_category,
    COUNT(orders_key) AS order_count
  FROM (
    SELECT DISTINCT
      product_category,
      orders_key
    FROM base
  ) AS base
  GROUP BY
    product_category
)
SELECT
  per_orders.product_category AS product_category,
  per_orders.order_count AS order_count
FROM per_orders

-- dialect: trino
WITH base AS (
  SELECT
    products.category AS product_category,
    orders.order_id AS orders_key
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), per_orders AS (
  SELECT
    product_category,
    COUNT(orders_key) AS order_count
  FROM (
    SELECT DISTINCT
      product_category,
      orders_key
    FROM base
  ) AS base
  GROUP BY
    product_category
)
SELECT
  per_orders.product_category AS product_category,
  per_orders.order_count AS order_count
FROM per_orders
