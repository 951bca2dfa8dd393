-- case_over_dimensions
-- semantic: SELECT CASE WHEN customer_region IN ('EU', 'NA') THEN 'west' ELSE 'rest' END AS zone, net_revenue FROM sales

-- dialect: duckdb
SELECT
  CASE WHEN customers.region IN ('EU', 'NA') THEN 'west' ELSE 'rest' END AS zone,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  CASE WHEN customers.region IN ('EU', 'NA') THEN 'west' ELSE 'rest' END

-- dialect: postgres
SELECT
  CASE WHEN customers.region IN ('EU', 'NA') THEN 'west' ELSE 'rest' END AS zone,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  CASE WHEN customers.region IN ('EU', 'NA') THEN 'west' ELSE 'rest' END

-- dialect: trino
SELECT
  CASE WHEN customers.region IN ('EU', 'NA') THEN 'west' ELSE 'rest' END AS zone,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
LEFT JOIN raw.customers AS customers
  ON orders.customer_id = customers.customer_id
GROUP BY
  CASE WHEN customers.region IN ('EU', 'NA') THEN 'west' ELSE 'rest' END
