-- max_filter_across_tables
-- semantic: SELECT customer_region, MAX(order_ts) FILTER (WHERE product_category = 'books') AS last_book FROM sales

-- dialect: duckdb
SELECT
  customers.region AS customer_region,
  MAX(CASE WHEN products.category = 'books' THEN orders.order_ts END) AS last_book
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
LEFT JOIN raw.order_items AS order_items
  ON orders.order_id = order_items.order_id
LEFT JOIN raw.products AS products
  ON order_items.product_id = products.product_id
GROUP BY
  customers.region

-- dialect: postgres
SELECT
  customers.region AS customer_region,
  MAX(CASE WHEN products.category = 'books' THEN orders.order_ts END) AS last_book
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
LEFT JOIN raw.order_items AS order_items
  ON orders.order_id = order_items.order_id
LEFT JOIN raw.products AS products
  ON order_items.product_id = products.product_id
GROUP BY
  customers.region

-- dialect: trino
SELECT
  customers.region AS customer_region,
  MAX(CASE WHEN products.category = 'books' THEN orders.order_ts END) AS last_book
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
LEFT JOIN raw.order_items AS order_items
  ON orders.order_id = order_items.order_id
LEFT JOIN raw.products AS products
  ON order_items.product_id = products.product_id
GROUP BY
  customers.region
