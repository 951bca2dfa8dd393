-- min_dimension_across_fanout
-- semantic: SELECT product_category, MIN(order_ts) FROM sales

-- dialect: duckdb
SELECT
  products.category AS product_category,
  MIN(orders.order_ts) AS min
FROM raw.orders AS orders
LEFT JOIN raw.order_items AS order_items
  ON orders.order_id = order_items.order_id
LEFT JOIN raw.products AS products
  ON order_items.product_id = products.product_id
GROUP BY
  products.category

-- dialect: postgres
SELECT
  products.category AS product_category,
  MIN(orders.order_ts) AS min
FROM raw.orders AS orders
LEFT JOIN raw.order_items AS order_items
  ON orders.order_id = order_items.order_id
LEFT JOIN raw.products AS products
  ON order_items.product_id = products.product_id
GROUP BY
  products.category

-- dialect: trino
SELECT
  products.category AS product_category,
  MIN(orders.order_ts) AS min
FROM raw.orders AS orders
LEFT JOIN raw.order_items AS order_items
  ON orders.order_id = order_items.order_id
LEFT JOIN raw.products AS products
  ON order_items.product_id = products.product_id
GROUP BY
  products.category
