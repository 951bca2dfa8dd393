-- where_is_not_null
-- semantic: SELECT region, customer_count FROM customers WHERE phone IS NOT NULL

-- dialect: duckdb
SELECT
  customers.region AS region,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
WHERE
  customers.phone IS NOT NULL
GROUP BY
  customers.region

-- dialect: postgres
SELECT
  customers.region AS region,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
WHERE
  customers.phone IS NOT NULL
GROUP BY
  customers.region

-- dialect: trino
SELECT
  customers.region AS region,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
WHERE
  customers.phone IS NOT NULL
GROUP BY
  customers.region
