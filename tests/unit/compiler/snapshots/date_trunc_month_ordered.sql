-- date_trunc_month_ordered
-- semantic: SELECT DATE_TRUNC('month', order_ts) AS m, order_count FROM orders WHERE order_ts < '2023-04-01' ORDER BY m

-- dialect: duckdb
SELECT
  DATE_TRUNC('MONTH', orders.order_ts) AS m,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts < '2023-04-01'
GROUP BY
  DATE_TRUNC('MONTH', orders.order_ts)
ORDER BY
  DATE_TRUNC('MONTH', orders.order_ts)

-- dialect: postgres
SELECT
  DATE_TRUNC('MONTH', orders.order_ts) AS m,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts < '2023-04-01'
GROUP BY
  DATE_TRUNC('MONTH', orders.order_ts)
ORDER BY
  DATE_TRUNC('MONTH', orders.order_ts)

-- dialect: trino
SELECT
  DATE_TRUNC('MONTH', orders.order_ts) AS m,
  COUNT(*) AS order_count
FROM raw.orders AS orders
WHERE
  orders.order_ts < '2023-04-01'
GROUP BY
  DATE_TRUNC('MONTH', orders.order_ts)
ORDER BY
  DATE_TRUNC('MONTH', orders.order_ts)
