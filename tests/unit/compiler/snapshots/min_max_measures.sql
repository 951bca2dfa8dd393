-- min_max_measures
-- semantic: SELECT MIN(first_order_ts), MAX(last_order_ts) FROM orders

-- dialect: duckdb
SELECT
  MIN(orders.order_ts) AS min,
  MAX(orders.order_ts) AS max
FROM raw.orders AS orders

-- dialect: postgres
SELECT
  MIN(orders.order_ts) AS min,
  MAX(orders.order_ts) AS max
FROM raw.orders AS orders

-- dialect: trino
SELECT
  MIN(orders.order_ts) AS min,
  MAX(orders.order_ts) AS max
FROM raw.orders AS orders
