-- select_star
-- semantic: SELECT * FROM products

-- dialect: duckdb
SELECT
  products.product_id AS product_id,
  products.name AS name,
  products.category AS category,
  products.unit_price AS unit_price,
  COUNT(*) AS product_count,
  AVG(products.unit_price) AS average_list_price
FROM raw.products AS products
GROUP BY
  products.product_id,
  products.name,
  products.category,
  products.unit_price

-- dialect: postgres
SELECT
  products.product_id AS product_id,
  products.name AS name,
  products.category AS category,
  products.unit_price AS unit_price,
  COUNT(*) AS product_count,
  AVG(products.unit_price) AS average_list_price
FROM raw.products AS products
GROUP BY
  products.product_id,
  products.name,
  products.category,
  products.unit_price

-- dialect: trino
SELECT
  products.product_id AS product_id,
  products.name AS name,
  products.category AS category,
  products.unit_price AS unit_price,
  COUNT(*) AS product_count,
  AVG(products.unit_price) AS average_list_price
FROM raw.products AS products
GROUP BY
  products.product_id,
  products.name,
  products.category,
  products.unit_price
