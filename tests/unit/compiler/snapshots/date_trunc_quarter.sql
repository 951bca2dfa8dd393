-- date_trunc_quarter
-- semantic: SELECT DATE_TRUNC('quarter', order_ts) AS q, gross_revenue FROM orders

-- dialect: duckdb
SELECT
  DATE_TRUNC('QUARTER', orders.order_ts) AS q,
  SUM(orders.gross_amount) AS gross_revenue
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('QUARTER', orders.order_ts)

-- dialect: postgres
SELECT
  DATE_TRUNC('QUARTER', orders.order_ts) AS q,
  SUM(orders.gross_amount) AS gross_revenue
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('QUARTER', orders.order_ts)

-- dialect: trino
SELECT
  DATE_TRUNC('QUARTER', orders.order_ts) AS q,
  SUM(orders.gross_amount) AS gross_revenue
FROM raw.orders AS orders
GROUP BY
  DATE_TRUNC('QUARTER', orders.order_ts)
