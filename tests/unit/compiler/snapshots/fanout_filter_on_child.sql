-- fanout_filter_on_child
-- semantic: SELECT channel, net_revenue FROM sales WHERE product_category = 'books'

-- dialect: duckdb
WITH base AS (
  SELECT
    orders.channel AS channel,
    orders.order_id AS orders_key,
    orders.gross_amount - orders.refunded_amount AS net_revenue_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
  WHERE
    products.category = 'books'
), per_orders AS (
  SELECT
    channel,
    SUM(net_revenue_input) AS net_revenue
  FROM (
    SELECT DISTINCT
      channel,
      orders_key,
      net_revenue_input
    FROM base
  ) AS base
  GROUP BY
    channel
)
SELECT
  per_orders.channel AS channel,
  per_orders.net_revenue AS net_revenue
FROM per_orders

-- dialect: postgres
WITH base AS (
  SELECT
    orders.channel AS channel,
    orders.order_id AS orders_key,
    orders.gross_amount - orders.refunded_amount AS net_revenue_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
  WHERE
    products.category = 'books'
), per_orders AS (
  SELECT
    channel,
    SUM(net_revenue_input) AS net_revenue
  FROM (
    SELECT DISTINCT
      channel,
      orders_key,
      net_revenue_input
    FROM base
  ) AS base
  GROUP BY
    channel
)
SELECT
  per_orders.channel AS channel,
  per_orders.net_revenue AS net_revenue
FROM per_orders

-- dialect: trino
WITH base AS (
  SELECT
    orders.channel AS channel,
    orders.order_id AS orders_key,
    orders.gross_amount - orders.refunded_amount AS net_revenue_input
  FROM raw.orders AS orders
  LEFT JOIN raw.order_items AS order_items
    ON orders.order_id = order_items.order_id
  LEFT JOIN raw.products AS products
    ON order_items.product_id = products.product_id
  WHERE
    products.category = 'books'
), per_orders AS (
  SELECT
    channel,
    SUM(net_revenue_input) AS net_revenue
  FROM (
    SELECT DISTINCT
      channel,
      orders_key,
      net_revenue_input
    FROM base
  ) AS base
  GROUP BY
    channel
)
SELECT
  per_orders.channel AS channel,
  per_orders.net_revenue AS net_revenue
FROM per_orders
