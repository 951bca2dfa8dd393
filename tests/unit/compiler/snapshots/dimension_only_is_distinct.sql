-- dimension_only_is_distinct
-- semantic: SELECT status FROM orders

-- dialect: duckdb
SELECT
  orders.status AS status
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status
FROM raw.orders AS orders
GROUP BY
  orders.status
