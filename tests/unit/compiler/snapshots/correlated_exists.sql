-- correlated_exists
-- semantic: SELECT name FROM products p WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.product_id = p.product_id AND i.quantity > 4) AND p.product_id < 30

-- dialect: duckdb
SELECT
  p.name AS name
FROM (
  SELECT
    products.name AS name,
    products.product_id AS product_id
  FROM raw.products AS products
) AS p
WHERE
  EXISTS(
    SELECT
      1 AS "1"
    FROM (
      SELECT
        order_items.product_id AS product_id,
        order_items.quantity AS quantity
      FROM raw.order_items AS order_items
      GROUP BY
        order_items.product_id,
        order_items.quantity
    ) AS i
    WHERE
      i.product_id = p.product_id AND i.quantity > 4
  )
  AND p.product_id < 30

-- dialect: postgres
SELECT
  p.name AS name
FROM (
  SELECT
    products.name AS name,
    products.product_id AS product_id
  FROM raw.products AS products
) AS p
WHERE
  EXISTS(
    SELECT
      1 AS "1"
    FROM (
      SELECT
        order_items.product_id AS product_id,
        order_items.quantity AS quantity
      FROM raw.order_items AS order_items
      GROUP BY
        order_items.product_id,
        order_items.quantity
    ) AS i
    WHERE
      i.product_id = p.product_id AND i.quantity > 4
  )
  AND p.product_id < 30

-- dialect: trino
SELECT
  p.name AS name
FROM (
  SELECT
    products.name AS name,
    products.product_id AS product_id
  FROM raw.products AS products
) AS p
WHERE
  EXISTS(
    SELECT
      1 AS "1"
    FROM (
      SELECT
        order_items.product_id AS product_id,
        order_items.quantity AS quantity
      FROM raw.order_items AS order_items
      GROUP BY
        order_items.product_id,
        order_items.quantity
    ) AS i
    WHERE
      i.product_id = p.product_id AND i.quantity > 4
  )
  AND p.product_id < 30
