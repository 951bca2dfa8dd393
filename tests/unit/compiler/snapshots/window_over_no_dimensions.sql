-- window_over_no_dimensions
-- semantic: SELECT count(*) OVER () AS n FROM orders

-- dialect: duckdb
SELECT
  COUNT(*) OVER () AS n
FROM (
  SELECT DISTINCT
    1 AS quiver_one
  FROM raw.orders AS orders
) AS w

-- dialect: postgres
SELECT
  COUNT(*) OVER () AS n
FROM (
  SELECT DISTINCT
    1 AS quiver_one
  FROM raw.orders AS orders
) AS w

-- dialect: trino
SELECT
  COUNT(*) OVER () AS n
FROM (
  SELECT DISTINCT
    1 AS quiver_one
  FROM raw.orders AS orders
) AS w
