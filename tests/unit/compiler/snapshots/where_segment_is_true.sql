-- where_segment_is_true
-- semantic: SELECT status, order_count FROM orders WHERE online IS TRUE

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  (
    orders.channel IN ('web', 'app')
  ) IS TRUE
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  (
    orders.channel IN ('web', 'app')
  ) IS TRUE
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  (
    orders.channel IN ('web', 'app')
  )
GROUP BY
  orders.status
