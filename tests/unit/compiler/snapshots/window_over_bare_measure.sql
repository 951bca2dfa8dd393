-- window_over_bare_measure
-- semantic: SELECT channel, order_count, SUM(order_count) OVER () AS total FROM orders

-- dialect: duckdb
SELECT
  channel AS channel,
  order_count AS order_count,
  SUM(order_count) OVER () AS total
FROM (
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
) AS w

-- dialect: postgres
SELECT
  channel AS channel,
  order_count AS order_count,
  SUM(order_count) OVER () AS total
FROM (
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
) AS w

-- dialect: trino
SELECT
  channel AS channel,
  order_count AS order_count,
  SUM(order_count) OVER () AS total
FROM (
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
) AS w
