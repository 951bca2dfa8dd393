-- window_share_of_total
-- semantic: SELECT channel, order_count, order_count * 1.0 / SUM(order_count) OVER () AS share FROM (SELECT channel, order_count FROM orders) t

-- dialect: duckdb
SELECT
  t.channel AS channel,
  t.order_count AS order_count,
  t.order_count * 1.0 / SUM(t.order_count) OVER () AS share
FROM (
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
) AS t

-- dialect: postgres
SELECT
  t.channel AS channel,
  t.order_count AS order_count,
  t.order_count * 1.0 / SUM(t.order_count) OVER () AS share
FROM (
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
) AS t

-- dialect: trino
SELECT
  t.channel AS channel,
  t.order_count AS order_count,
  t.order_count * 1.0 / SUM(t.order_count) OVER () AS share
FROM (
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
) AS t
