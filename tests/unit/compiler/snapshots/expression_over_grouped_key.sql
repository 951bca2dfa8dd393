-- expression_over_grouped_key
-- semantic: SELECT UPPER(status), order_count FROM orders GROUP BY status

-- dialect: duckdb
SELECT
  UPPER(orders.status) AS upper,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  UPPER(orders.status) AS upper,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  UPPER(orders.status) AS upper,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status
