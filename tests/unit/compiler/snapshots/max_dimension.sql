-- max_dimension
-- semantic: SELECT status, MAX(order_ts) AS latest FROM orders

-- dialect: duckdb
SELECT
  orders.status AS status,
  MAX(orders.order_ts) AS latest
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  MAX(orders.order_ts) AS latest
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  MAX(orders.order_ts) AS latest
FROM raw.orders AS orders
GROUP BY
  orders.status
