-- count_rows_of_table
-- semantic: SELECT category, product_count FROM products

-- dialect: duckdb
SELECT
  products.category AS category,
  COUNT(*) AS product_count
FROM raw.products AS products
GROUP BY
  products.category

-- dialect: postgres
SELECT
  products.category AS category,
  COUNT(*) AS product_count
FROM raw.products AS products
GROUP BY
  products.category

-- dialect: trino
SELECT
  products.category AS category,
  COUNT(*) AS product_count
FROM raw.products AS products
GROUP BY
  products.category
