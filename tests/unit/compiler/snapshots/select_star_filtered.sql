-- select_star_filtered
-- semantic: SELECT * FROM customers WHERE customer_id <= 3

-- dialect: duckdb
SELECT
  customers.customer_id AS customer_id,
  customers.name AS name,
  customers.email AS email,
  customers.phone AS phone,
  customers.country AS country,
  customers.region AS region,
  customers.segment AS segment,
  customers.signup_date AS signup_date,
  COUNT(DISTINCT customers.customer_id) AS customer_count,
  COUNT(
    DISTINCT CASE WHEN customers.segment = 'enterprise' THEN customers.customer_id END
  ) AS enterprise_customers,
  customers.segment = 'enterprise' AS enterprise
FROM raw.customers AS customers
WHERE
  customers.customer_id <= 3
GROUP BY
  customers.customer_id,
  customers.name,
  customers.email,
  customers.phone,
  customers.country,
  customers.region,
  customers.segment,
  customers.signup_date,
  customers.segment = 'enterprise'

-- dialect: postgres
SELECT
  customers.customer_id AS customer_id,
  customers.name AS name,
  customers.email AS email,
  customers.phone AS phone,
  customers.country AS country,
  customers.region AS region,
  customers.segment AS segment,
  customers.signup_date AS signup_date,
  COUNT(DISTINCT customers.customer_id) AS customer_count,
  COUNT(
    DISTINCT CASE WHEN customers.segment = 'enterprise' THEN customers.customer_id END
  ) AS enterprise_customers,
  customers.segment = 'enterprise' AS enterprise
FROM raw.customers AS customers
WHERE
  customers.customer_id <= 3
GROUP BY
  customers.customer_id,
  customers.name,
  customers.email,
  customers.phone,
  customers.country,
  customers.region,
  customers.segment,
  customers.signup_date,
  customers.segment = 'enterprise'

-- dialect: trino
SELECT
  customers.customer_id AS customer_id,
  customers.name AS name,
  customers.email AS email,
  customers.phone AS phone,
  customers.country AS country,
  customers.region AS region,
  customers.segment AS segment,
  customers.signup_date AS signup_date,
  COUNT(DISTINCT customers.customer_id) AS customer_count,
  COUNT(
    DISTINCT CASE WHEN customers.segment = 'enterprise' THEN customers.customer_id END
  ) AS enterprise_customers,
  customers.segment = 'enterprise' AS enterprise
FROM raw.customers AS customers
WHERE
  customers.customer_id <= 3
GROUP BY
  customers.customer_id,
  customers.name,
  customers.email,
  customers.phone,
  customers.country,
  customers.region,
  customers.segment,
  customers.signup_date,
  customers.segment = 'enterprise'
