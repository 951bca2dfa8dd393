-- postgres_cast_syntax
-- semantic: SELECT status, order_count::float8 / 2 AS half FROM orders

-- dialect: duckdb
SELECT
  orders.status AS status,
  CAST(COUNT(*) AS DOUBLE) / 2 AS half
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  CAST(COUNT(*) AS DOUBLE PRECISION) / 2 AS half
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  CAST(COUNT(*) AS DOUBLE) / 2 AS half
FROM raw.orders AS orders
GROUP BY
  orders.status
