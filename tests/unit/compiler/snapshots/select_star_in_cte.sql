-- select_star_in_cte
-- semantic: WITH p AS (SELECT * FROM products) SELECT category, COUNT(*) AS n, SUM(unit_price) AS s FROM p GROUP BY category

-- dialect: duckdb
WITH p AS (
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
)
SELECT
  p.category AS category,
  COUNT(*) AS n,
  SUM(p.unit_price) AS s
FROM p AS p
GROUP BY
  p.category

-- dialect: postgres
WITH p AS (
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
)
SELECT
  p.category AS category,
  COUNT(*) AS n,
  SUM(p.unit_price) AS s
FROM p AS p
GROUP BY
  p.category

-- dialect: trino
WITH p AS (
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
)
SELECT
  p.category AS category,
  COUNT(*) AS n,
  SUM(p.unit_price) AS s
FROM p AS p
GROUP BY
  p.category
