-- order_by_unselected_measure
-- semantic: SELECT channel FROM orders GROUP BY channel ORDER BY MEASURE(net_revenue)

-- dialect: duckdb
SELECT
  orders.channel AS channel
FROM raw.orders AS orders
GROUP BY
  orders.channel
ORDER BY
  SUM(orders.gross_amount - orders.refunded_amount)

-- dialect: postgres
SELECT
  orders.channel AS channel
FROM raw.orders AS orders
GROUP BY
  orders.channel
ORDER BY
  SUM(orders.gross_amount - orders.refunded_amount)

-- dialect: trino
SELECT
  orders.channel AS channel
FROM raw.orders AS orders
GROUP BY
  orders.channel
ORDER BY
  SUM(orders.gross_amount - orders.refunded_amount)
