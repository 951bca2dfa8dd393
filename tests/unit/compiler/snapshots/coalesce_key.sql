-- coalesce_key
-- semantic: SELECT COALESCE(SUBSTRING(phone, 1, 6), 'none') AS p, customer_count FROM customers

-- dialect: duckdb
SELECT
  COALESCE(SUBSTRING(customers.phone, 1, 6), 'none') AS p,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  COALESCE(SUBSTRING(customers.phone, 1, 6), 'none')

-- dialect: postgres
SELECT
  COALESCE(SUBSTRING(customers.phone FROM 1 FOR 6), 'none') AS p,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  COALESCE(SUBSTRING(customers.phone FROM 1 FOR 6), 'none')

-- dialect: trino
SELECT
  COALESCE(SUBSTR(customers.phone, 1, 6), 'none') AS p,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  COALESCE(SUBSTR(customers.phone, 1, 6), 'none')
