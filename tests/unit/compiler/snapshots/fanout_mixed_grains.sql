-- fanout_mixed_grains
-- semantic: SELECT product_category, order_count, units_sold, item_revenue FROM sales

-- dialect: duckdb
WITH base AS (
  SELECT
    products.category AS product_category,
    order_items.quantity AS units_sold_input,
    order_items.quantity * order_items.unit_price - order_items.discount AS item_revenue_input,
    orders.order_id AS orders_key
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), totals AS (
  SELECT
    product_category,
    SUM(units_sold_input) AS units_sold,
    SUM(item_revenue_input) AS item_revenue
  FROM base
  GROUP BY
    product_category
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
  totals.product_category AS product_category,
  per_orders.order_count AS order_count,
  totals.units_sold AS units_sold,
  totals.item_revenue AS item_revenue
FROM totals
INNER JOIN per_orders
  ON totals.product_category IS NOT DISTINCT FROM per_orders.product_category

-- dialect: postgres
WITH base AS (
  SELECT
    products.category AS product_category,
    order_items.quantity AS units_sold_input,
    order_items.quantity * order_items.unit_price - order_items.discount AS item_revenue_input,
    orders.order_id AS orders_key
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), totals AS (
  SELECT
    product_category,
    SUM(units_sold_input) AS units_sold,
    SUM(item_revenue_input) AS item_revenue
  FROM base
  GROUP BY
    product_category
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
  totals.product_category AS product_category,
  per_orders.order_count AS order_count,
  totals.units_sold AS units_sold,
  totals.item_revenue AS item_revenue
FROM totals
INNER JOIN per_orders
  ON totals.product_category IS NOT DISTINCT FROM per_orders.product_category

-- dialect: trino
WITH base AS (
  SELECT
    products.category AS product_category,
    order_items.quantity AS units_sold_input,
    order_items.quantity * order_items.unit_price - order_items.discount AS item_revenue_input,
    orders.order_id AS orders_key
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
), totals AS (
  SELECT
    product_category,
    SUM(units_sold_input) AS units_sold,
    SUM(item_revenue_input) AS item_revenue
  FROM base
  GROUP BY
    product_category
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
  totals.product_category AS product_category,
  per_orders.order_count AS order_count,
  totals.units_sold AS units_sold,
  totals.item_revenue AS item_revenue
FROM totals
INNER JOIN per_orders
  ON totals.product_category IS NOT DISTINCT FROM per_orders.product_category
