-- no_relation
-- semantic: SELECT 1 + 1 AS two

-- dialect: duckdb
SELECT
  1 + 1 AS two

-- dialect: postgres
SELECT
  1 + 1 AS two

-- dialect: trino
SELECT
  1 + 1 AS two
