-- avg_measure
-- semantic: SELECT category, AVG(average_list_price) FROM products GROUP BY category

-- dialect: duckdb
SELECT
  products.category AS category,
  AVG(products.unit_price) AS avg
FROM raw.products AS products
GROUP BY
  products.category

-- dialect: postgres
SELECT
  products.category AS category,
  AVG(products.unit_price) AS avg
FROM raw.products AS products
GROUP BY
  products.category

-- dialect: trino
SELECT
  products.category AS category,
  AVG(products.unit_price) AS avg
FROM raw.products AS products
GROUP BY
  products.category
