-- window_running_total
-- semantic: WITH m AS (SELECT DATE_TRUNC('month', order_ts) AS month, net_revenue FROM orders) SELECT month, net_revenue, SUM(net_revenue) OVER (ORDER BY month) AS running FROM m ORDER BY month

-- dialect: duckdb
WITH m AS (
  SELECT
    DATE_TRUNC('MONTH', orders.order_ts) AS month,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  GROUP BY
    DATE_TRUNC('MONTH', orders.order_ts)
)
SELECT
  m.month AS month,
  m.net_revenue AS net_revenue,
  SUM(m.net_revenue) OVER (ORDER BY m.month) AS running
FROM m AS m
ORDER BY
  month

-- dialect: postgres
WITH m AS (
  SELECT
    DATE_TRUNC('MONTH', orders.order_ts) AS month,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  GROUP BY
    DATE_TRUNC('MONTH', orders.order_ts)
)
SELECT
  m.month AS month,
  m.net_revenue AS net_revenue,
  SUM(m.net_revenue) OVER (ORDER BY m.month) AS running
FROM m AS m
ORDER BY
  month

-- dialect: trino
WITH m AS (
  SELECT
    DATE_TRUNC('MONTH', orders.order_ts) AS month,
    SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
  FROM raw.orders AS orders
  GROUP BY
    DATE_TRUNC('MONTH', orders.order_ts)
)
SELECT
  m.month AS month,
  m.net_revenue AS net_revenue,
  SUM(m.net_revenue) OVER (ORDER BY m.month) AS running
FROM m AS m
ORDER BY
  month
