-- nested_ctes
-- semantic: WITH a AS (SELECT channel, order_count FROM orders), b AS (SELECT channel, order_count * 2 AS dbl FROM a) SELECT * FROM b

-- dialect: duckdb
WITH a AS (
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
), b AS (
  SELECT
    a.channel AS channel,
    a.order_count * 2 AS dbl
  FROM a AS a
)
SELECT
  b.channel AS channel,
  b.dbl AS dbl
FROM b AS b

-- dialect: postgres
WITH a AS (
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
), b AS (
  SELECT
    a.channel AS channel,
    a.order_count * 2 AS dbl
  FROM a AS a
)
SELECT
  b.channel AS channel,
  b.dbl AS dbl
FROM b AS b

-- dialect: trino
WITH a AS (
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
), b AS (
  SELECT
    a.channel AS channel,
    a.order_count * 2 AS dbl
  FROM a AS a
)
SELECT
  b.channel AS channel,
  b.dbl AS dbl
FROM b AS b
