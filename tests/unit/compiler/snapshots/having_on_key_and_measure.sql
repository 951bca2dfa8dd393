-- having_on_key_and_measure
-- semantic: SELECT status, order_count FROM orders GROUP BY status HAVING status <> 'placed' AND order_count > 1500

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status
HAVING
  orders.status <> 'placed' AND COUNT(*) > 1500

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status
HAVING
  orders.status <> 'placed' AND COUNT(*) > 1500

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status
HAVING
  orders.status <> 'placed' AND COUNT(*) > 1500
