-- filtered_count_distinct
-- semantic: SELECT region, enterprise_customers FROM customers

-- dialect: duckdb
SELECT
  customers.region AS region,
  COUNT(
    DISTINCT CASE WHEN customers.segment = 'enterprise' THEN customers.customer_id END
  ) AS enterprise_customers
FROM raw.customers AS customers
GROUP BY
  customers.region

-- dialect: postgres
SELECT
  customers.region AS region,
  COUNT(
    DISTINCT CASE WHEN customers.segment = 'enterprise' THEN customers.customer_id END
  ) AS enterprise_customers
FROM raw.customers AS customers
GROUP BY
  customers.region

-- dialect: trino
SELECT
  customers.region AS region,
  COUNT(
    DISTINCT CASE WHEN customers.segment = 'enterprise' THEN customers.customer_id END
  ) AS enterprise_customers
FROM raw.customers AS customers
GROUP BY
  customers.region
