-- order_desc_nulls_like_postgres
-- semantic: SELECT phone, customer_count FROM customers ORDER BY phone DESC LIMIT 3

-- dialect: duckdb
SELECT
  customers.phone AS phone,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  customers.phone
ORDER BY
  customers.phone DESC NULLS FIRST
LIMIT 3

-- dialect: postgres
SELECT
  customers.phone AS phone,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  customers.phone
ORDER BY
  customers.phone DESC
LIMIT 3

-- dialect: trino
SELECT
  customers.phone AS phone,
  COUNT(DISTINCT customers.customer_id) AS customer_count
FROM raw.customers AS customers
GROUP BY
  customers.phone
ORDER BY
  customers.phone DESC NULLS FIRST
LIMIT 3
