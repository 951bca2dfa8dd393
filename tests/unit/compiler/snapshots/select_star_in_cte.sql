-- select_star_in_cte
-- semantic: WITH p AS (SELECT * FROM products) SELECT category, COUNT(*) AS n, SUM(unit_price) AS s FROM p GROUP BY category

-- dialect: duckdb
SELECT
  products.category AS category,
  COUNT(*) AS n,
  SUM(products.unit_price) AS s
FROM raw.products AS products
GROUP BY
  products.category

-- dialect: postgres
SELECT
  products.category AS category,
  COUNT(*) AS n,
  SUM(products.unit_price) AS s
FROM raw.products AS products
GROUP BY
  products.category

-- dialect: trino
SELECT
  products.category AS category,
  COUNT(*) AS n,
  SUM(products.unit_price) AS s
FROM raw.products AS products
GROUP BY
  products.category
