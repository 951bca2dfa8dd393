-- order_by_dimension
-- semantic: SELECT channel, gross_revenue FROM orders ORDER BY channel

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) AS gross_revenue
FROM raw.orders AS orders
GROUP BY
  orders.channel
ORDER BY
  orders.channel

-- dialect: postgres
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) AS gross_revenue
FROM raw.orders AS orders
GROUP BY
  orders.channel
ORDER BY
  orders.channel

-- dialect: trino
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount) AS gross_revenue
FROM raw.orders AS orders
GROUP BY
  orders.channel
ORDER BY
  orders.channel
