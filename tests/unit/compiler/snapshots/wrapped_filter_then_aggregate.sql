-- wrapped_filter_then_aggregate
-- semantic: SELECT t1.channel, SUM(t1.net_revenue) AS net_revenue FROM (SELECT * FROM sales WHERE status <> 'cancelled') t1 GROUP BY 1

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
WHERE
  orders.status <> 'cancelled'
GROUP BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
WHERE
  orders.status <> 'cancelled'
GROUP BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
WHERE
  orders.status <> 'cancelled'
GROUP BY
  orders.channel
