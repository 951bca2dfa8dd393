-- window_partitioned_share
-- semantic: SELECT status, channel, order_count * 100.0 / SUM(order_count) OVER (PARTITION BY status) AS pct FROM orders ORDER BY 1, 2 LIMIT 6

-- dialect: duckdb
SELECT
  status AS status,
  channel AS channel,
  _w2 / SUM(_w3) OVER (PARTITION BY status) AS pct
FROM (
  SELECT
    orders.status AS status,
    orders.channel AS channel,
    COUNT(*) * 100.0 AS _w2,
    COUNT(*) AS _w3
  FROM raw.orders AS orders
  GROUP BY
    orders.status,
    orders.channel
) AS w
ORDER BY
  status,
  channel
LIMIT 6

-- dialect: postgres
SELECT
  status AS status,
  channel AS channel,
  _w2 / SUM(_w3) OVER (PARTITION BY status) AS pct
FROM (
  SELECT
    orders.status AS status,
    orders.channel AS channel,
    COUNT(*) * 100.0 AS _w2,
    COUNT(*) AS _w3
  FROM raw.orders AS orders
  GROUP BY
    orders.status,
    orders.channel
) AS w
ORDER BY
  status,
  channel
LIMIT 6

-- dialect: trino
SELECT
  status AS status,
  channel AS channel,
  _w2 / SUM(_w3) OVER (PARTITION BY status) AS pct
FROM (
  SELECT
    orders.status AS status,
    orders.channel AS channel,
    COUNT(*) * 100.0 AS _w2,
    COUNT(*) AS _w3
  FROM raw.orders AS orders
  GROUP BY
    orders.status,
    orders.channel
) AS w
ORDER BY
  status,
  channel
LIMIT 6
