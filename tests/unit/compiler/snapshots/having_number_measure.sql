-- having_number_measure
-- semantic: SELECT channel, average_order_value FROM orders GROUP BY 1 HAVING average_order_value > 700

-- dialect: duckdb
SELECT
  orders.channel AS channel,
  SUM(orders.gross_amount - orders.refunded_amount) / NULLIF(COUNT(*), 0) AS average_order_value
FROM raw.orders AS orders
GROUP BY
  orders.channel
HAVING
  (
    SUM(orders.gross_amount - orders.refunded_amount) / NULLIF(COUNT(*), 0)
  ) > 700

-- dialect: postgres
SELECT
  orders.channel AS channel,
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS average_order_value
FROM raw.orders AS orders
GROUP BY
  orders.channel
HAVING
  (
    CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0)
  ) > 700

-- dialect: trino
SELECT
  orders.channel AS channel,
  CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE) / NULLIF(COUNT(*), 0) AS average_order_value
FROM raw.orders AS orders
GROUP BY
  orders.channel
HAVING
  (
    CAST(SUM(orders.gross_amount - orders.refunded_amount) AS DOUBLE) / NULLIF(COUNT(*), 0)
  ) > 700
