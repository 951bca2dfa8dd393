-- fetch_first
-- semantic: SELECT status FROM orders ORDER BY status FETCH FIRST 2 ROWS ONLY

-- dialect: duckdb
SELECT
  orders.status AS status
FROM raw.orders AS orders
GROUP BY
  orders.status
ORDER BY
  orders.status
LIMIT 2

-- dialect: postgres
SELECT
  orders.status AS status
FROM raw.orders AS orders
GROUP BY
  orders.status
ORDER BY
  orders.status
LIMIT 2

-- dialect: trino
SELECT
  orders.status AS status
FROM raw.orders AS orders
GROUP BY
  orders.status
ORDER BY
  orders.status
LIMIT 2
