-- where_ilike
-- semantic: SELECT name FROM products WHERE name ILIKE '%pro %'

-- dialect: duckdb
SELECT
  products.name AS name
FROM raw.products AS products
WHERE
  products.name ILIKE '%pro %'
GROUP BY
  products.name

-- dialect: postgres
SELECT
  products.name AS name
FROM raw.products AS products
WHERE
  products.name ILIKE '%pro %'
GROUP BY
  products.name

-- dialect: trino
SELECT
  products.name AS name
FROM raw.products AS products
WHERE
  LOWER(products.name) LIKE LOWER('%pro %')
GROUP BY
  products.name
