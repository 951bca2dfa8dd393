-- where_not_in
-- semantic: SELECT status, net_revenue FROM orders WHERE status NOT IN ('cancelled')

-- dialect: duckdb
SELECT
  orders.status AS status,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
WHERE
  NOT orders.status IN ('cancelled')
GROUP BY
  orders.status

-- dialect: postgres
SELECT
  orders.status AS status,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
WHERE
  NOT orders.status IN ('cancelled')
GROUP BY
  orders.status

-- dialect: trino
SELECT
  orders.status AS status,
  SUM(orders.gross_amount - orders.refunded_amount) AS net_revenue
FROM raw.orders AS orders
WHERE
  NOT orders.status IN ('cancelled')
GROUP BY
  orders.status
