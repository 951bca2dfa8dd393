-- units_by_customer_region
-- semantic: SELECT customer_region, units_sold FROM sales

-- dialect: duckdb
SELECT
  customers.region AS customer_region,
  SUM(order_items.quantity) AS units_sold
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
LEFT JOIN raw.order_items AS order_items
  ON orders.order_id = order_items.order_id
GROUP BY
  customers.region

-- dialect: postgres
SELECT
  customers.region AS customer_region,
  SUM(order_items.quantity) AS units_sold
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
LEFT JOIN raw.order_items AS order_items
  ON orders.order_id = order_items.order_id
GROUP BY
  customers.region

-- dialect: trino
SELECT
  customers.region AS customer_region,
  SUM(order_items.quantity) AS units_sold
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
LEFT JOIN raw.order_items AS order_items
  ON orders.order_id = order_items.order_id
GROUP BY
  customers.region
