-- union_with_order_and_limit_in_branch
-- semantic: (SELECT status AS k, order_count AS n FROM orders ORDER BY 2 DESC LIMIT 1) UNION ALL (SELECT channel, order_count FROM orders ORDER BY 2 DESC LIMIT 1)

-- dialect: duckdb
(
  SELECT
    orders.status AS k,
    COUNT(*) AS n
  FROM raw.orders AS orders
  GROUP BY
    orders.status
  ORDER BY
    COUNT(*) DESC NULLS FIRST
  LIMIT 1
)
UNION ALL
(
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
  ORDER BY
    COUNT(*) DESC NULLS FIRST
  LIMIT 1
)

-- dialect: postgres
(
  SELECT
    orders.status AS k,
    COUNT(*) AS n
  FROM raw.orders AS orders
  GROUP BY
    orders.status
  ORDER BY
    COUNT(*) DESC
  LIMIT 1
)
UNION ALL
(
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
  ORDER BY
    COUNT(*) DESC
  LIMIT 1
)

-- dialect: trino
(
  SELECT
    orders.status AS k,
    COUNT(*) AS n
  FROM raw.orders AS orders
  GROUP BY
    orders.status
  ORDER BY
    COUNT(*) DESC NULLS FIRST
  LIMIT 1
)
UNION ALL
(
  SELECT
    orders.channel AS channel,
    COUNT(*) AS order_count
  FROM raw.orders AS orders
  GROUP BY
    orders.channel
  ORDER BY
    COUNT(*) DESC NULLS FIRST
  LIMIT 1
)
