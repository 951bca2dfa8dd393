-- select_distinct_dims
-- semantic: SELECT DISTINCT region, segment FROM customers

-- dialect: duckdb
SELECT DISTINCT
  customers.region AS region,
  customers.segment AS segment
FROM raw.customers AS customers
GROUP BY
  customers.region,
  customers.segment

-- dialect: postgres
SELECT DISTINCT
  customers.region AS region,
  customers.segment AS segment
FROM raw.customers AS customers
GROUP BY
  customers.region,
  customers.segment

-- dialect: trino
SELECT DISTINCT
  customers.region AS region,
  customers.segment AS segment
FROM raw.customers AS customers
GROUP BY
  customers.region,
  customers.segment
