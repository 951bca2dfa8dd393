-- where_not_segment
-- semantic: SELECT status, order_count FROM orders WHERE NOT online

-- dialect: duckdb
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  NOT (
    orders.channel IN ('web', 'app')
  )
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  NOT (
    orders.channel IN ('web', 'app')
  )
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  NOT (
    orders.channel IN ('web', 'app')
  )
GROUP BY
  orders.status
