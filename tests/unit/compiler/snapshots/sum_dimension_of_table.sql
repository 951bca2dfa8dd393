-- sum_dimension_of_table
-- semantic: SELECT product_id, SUM(quantity) FROM order_items WHERE product_id <= 10

-- dialect: duckdb
SELECT
  order_items.product_id AS product_id,
  SUM(order_items.quantity) AS sum
FROM raw.order_items AS order_items
WHERE
  order_items.product_id <= 10
GROUP BY
  order_items.product_id

-- dialect: postgres
SELECT
  order_items.product_id AS product_id,
  SUM(order_items.quantity) AS sum
FROM raw.order_items AS order_items
WHERE
  order_items.product_id <= 10
GROUP BY
  order_items.product_id

-- dialect: trino
SELECT
  order_items.product_id AS product_id,
  SUM(order_items.quantity) AS sum
FROM raw.order_items AS order_items
WHERE
  order_items.product_id <= 10
GROUP BY
  order_items.product_id
