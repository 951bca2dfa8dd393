-- public_schema
-- semantic: SELECT status, order_count FROM public.orders

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
GROUP BY
  orders.status
