-- case_over_measure
-- semantic: SELECT status, CASE WHEN order_count > 5000 THEN 'big' ELSE 'small' END AS size FROM orders

-- dialect: duckdb
SELECT
  orders.status AS status,
  CASE WHEN COUNT(*) > 5000 THEN 'big' ELSE 'small' END AS size
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  CASE WHEN COUNT(*) > 5000 THEN 'big' ELSE 'small' END AS size
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  CASE WHEN COUNT(*) > 5000 THEN 'big' ELSE 'small' END AS size
FROM raw.orders AS orders
GROUP BY
  orders.status
