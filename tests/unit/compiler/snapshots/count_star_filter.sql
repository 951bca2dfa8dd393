-- count_star_filter
-- semantic: SELECT status, COUNT(*) FILTER (WHERE gross_amount > 500) AS big FROM orders GROUP BY 1

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(CASE WHEN orders.gross_amount > 500 THEN 1 END) AS big
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(CASE WHEN orders.gross_amount > 500 THEN 1 END) AS big
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(CASE WHEN orders.gross_amount > 500 THEN 1 END) AS big
FROM raw.orders AS orders
GROUP BY
  orders.status
