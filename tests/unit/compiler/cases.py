"""Compiler cases: semantic SQL, and the same question hand-written over the raw tables.

Each case is checked three ways by ``test_cases.py``: the SQL generated for
duckdb, postgres and trino equals the snapshot in ``snapshots/<name>.sql``; the
DuckDB SQL runs; and its answer equals the reference query's answer on the raw
tables. References are written the way an analyst would, without the model,
so a wrong join, a multiplied sum or a lost filter shows up as different numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    sql: str
    reference: str
    ordered: bool = False
    names: tuple[str, ...] | None = None


O = "raw.orders"  # noqa: E741
C = "raw.customers"
I = "raw.order_items"  # noqa: E741
P = "raw.products"
# Orders with their customer, as the sales view joins them (LEFT JOIN from orders).
OC = f"{O} o LEFT JOIN {C} c ON o.customer_id = c.customer_id"
NET = "o.gross_amount - o.refunded_amount"
# Each (order, product category) pair once: what "orders in a category" means.
ORDER_CATEGORY = f"(SELECT DISTINCT i.order_id, p.category FROM {I} i LEFT JOIN {P} p ON i.product_id = p.product_id)"

CASES: list[Case] = [
    # -- measures of each type, in each accepted spelling --------------------------------------
    Case(
        "total_net_revenue",
        "SELECT MEASURE(net_revenue) FROM orders",
        f"SELECT SUM({NET}) FROM {O} o",
        names=("net_revenue",),
    ),
    Case("bare_count", "SELECT order_count FROM orders", f"SELECT COUNT(*) FROM {O}"),
    Case(
        "sum_on_sum_measure",
        "SELECT SUM(gross_revenue) FROM orders",
        f"SELECT SUM(gross_amount) FROM {O}",
        names=("sum",),
    ),
    Case("count_on_count_measure", "SELECT COUNT(order_count) AS n FROM orders", f"SELECT COUNT(*) FROM {O}"),
    Case(
        "count_distinct_on_count_distinct",
        "SELECT COUNT(DISTINCT customer_count) FROM customers",
        f"SELECT COUNT(DISTINCT customer_id) FROM {C}",
    ),
    Case(
        "min_max_measures",
        "SELECT MIN(first_order_ts), MAX(last_order_ts) FROM orders",
        f"SELECT MIN(order_ts), MAX(order_ts) FROM {O}",
    ),
    Case(
        "avg_measure",
        "SELECT category, AVG(average_list_price) FROM products GROUP BY category",
        f"SELECT category, AVG(unit_price) FROM {P} GROUP BY category",
    ),
    Case(
        "count_rows_of_table",
        "SELECT category, product_count FROM products",
        f"SELECT category, COUNT(*) FROM {P} GROUP BY category",
    ),
    Case(
        "number_measure",
        "SELECT status, average_order_value FROM orders",
        f"SELECT status, SUM({NET}) / NULLIF(COUNT(*), 0) FROM {O} o GROUP BY status",
    ),
    Case(
        "number_measure_total",
        "SELECT MEASURE(average_order_value) FROM sales",
        f"SELECT SUM({NET}) / NULLIF(COUNT(*), 0) FROM {O} o",
    ),
    Case(
        "number_measure_of_filtered",
        "SELECT channel, return_rate FROM orders",
        f"SELECT channel, CAST(COUNT(*) FILTER (WHERE status = 'returned') AS DOUBLE) / NULLIF(COUNT(*), 0) "
        f"FROM {O} GROUP BY channel",
    ),
    Case(
        "filtered_count",
        "SELECT channel, returned_orders FROM orders",
        f"SELECT channel, COUNT(*) FILTER (WHERE status = 'returned') FROM {O} GROUP BY channel",
    ),
    Case(
        "filtered_count_distinct",
        "SELECT region, enterprise_customers FROM customers",
        f"SELECT region, COUNT(DISTINCT CASE WHEN segment = 'enterprise' THEN customer_id END) FROM {C} "
        "GROUP BY region",
    ),
    Case(
        "refunded_and_gross",
        "SELECT channel, gross_revenue, refunded_revenue, net_revenue FROM orders",
        f"SELECT channel, SUM(gross_amount), SUM(refunded_amount), SUM({NET}) FROM {O} o GROUP BY channel",
    ),
    # -- grouping -----------------------------------------------------------------------------
    Case(
        "group_by_name",
        "SELECT status, MEASURE(net_revenue) FROM orders GROUP BY status",
        f"SELECT status, SUM({NET}) FROM {O} o GROUP BY status",
    ),
    Case(
        "inferred_group_by_two_dims",
        "SELECT status, channel, order_count FROM orders",
        f"SELECT status, channel, COUNT(*) FROM {O} GROUP BY status, channel",
    ),
    Case(
        "group_by_position",
        "SELECT channel, MEASURE(gross_revenue) FROM orders GROUP BY 1",
        f"SELECT channel, SUM(gross_amount) FROM {O} GROUP BY 1",
    ),
    Case(
        "group_by_output_alias",
        "SELECT channel AS ch, order_count FROM orders GROUP BY ch",
        f"SELECT channel, COUNT(*) FROM {O} GROUP BY channel",
        names=("ch", "order_count"),
    ),
    Case("dimension_only_is_distinct", "SELECT status FROM orders", f"SELECT DISTINCT status FROM {O}"),
    Case(
        "select_distinct_dims",
        "SELECT DISTINCT region, segment FROM customers",
        f"SELECT DISTINCT region, segment FROM {C}",
    ),
    Case(
        "group_by_dim_not_selected",
        "SELECT order_count FROM orders GROUP BY channel",
        f"SELECT COUNT(*) FROM {O} GROUP BY channel",
    ),
    Case(
        "expression_key",
        "SELECT UPPER(status) AS s, order_count FROM orders",
        f"SELECT UPPER(status), COUNT(*) FROM {O} GROUP BY 1",
    ),
    Case(
        "expression_over_grouped_key",
        "SELECT UPPER(status), order_count FROM orders GROUP BY status",
        f"SELECT UPPER(status), COUNT(*) FROM {O} GROUP BY status",
        names=("upper", "order_count"),
    ),
    Case(
        "qualified_columns",
        "SELECT o.status, MEASURE(o.order_count) FROM orders o GROUP BY o.status",
        f"SELECT status, COUNT(*) FROM {O} GROUP BY status",
    ),
    Case(
        "public_schema",
        "SELECT status, order_count FROM public.orders",
        f"SELECT status, COUNT(*) FROM {O} GROUP BY status",
    ),
    Case(
        "string_concat_key",
        "SELECT customer_region || '/' || customer_segment AS rs, order_count FROM sales",
        f"SELECT c.region || '/' || c.segment, COUNT(*) FROM {OC} GROUP BY 1",
    ),
    Case(
        "null_test_as_key",
        "SELECT phone IS NULL AS no_phone, customer_count FROM customers",
        f"SELECT phone IS NULL, COUNT(DISTINCT customer_id) FROM {C} GROUP BY 1",
    ),
    Case(
        "coalesce_key",
        "SELECT COALESCE(SUBSTRING(phone, 1, 6), 'none') AS p, customer_count FROM customers",
        f"SELECT COALESCE(SUBSTRING(phone, 1, 6), 'none'), COUNT(DISTINCT customer_id) FROM {C} GROUP BY 1",
    ),
    # -- filters ------------------------------------------------------------------------------
    Case(
        "where_equals",
        "SELECT channel, order_count FROM orders WHERE status = 'shipped'",
        f"SELECT channel, COUNT(*) FROM {O} WHERE status = 'shipped' GROUP BY channel",
    ),
    Case(
        "where_in",
        "SELECT channel, order_count FROM orders WHERE status IN ('placed', 'shipped')",
        f"SELECT channel, COUNT(*) FROM {O} WHERE status IN ('placed', 'shipped') GROUP BY channel",
    ),
    Case(
        "where_not_in",
        "SELECT status, net_revenue FROM orders WHERE status NOT IN ('cancelled')",
        f"SELECT status, SUM({NET}) FROM {O} o WHERE status <> 'cancelled' GROUP BY status",
    ),
    Case(
        "where_between_timestamps",
        "SELECT status, order_count FROM orders WHERE order_ts BETWEEN '2024-01-01' AND '2024-03-31'",
        f"SELECT status, COUNT(*) FROM {O} WHERE order_ts BETWEEN TIMESTAMP '2024-01-01' "
        "AND TIMESTAMP '2024-03-31' GROUP BY status",
    ),
    Case(
        "where_like",
        "SELECT customer_name, order_count FROM sales WHERE customer_name LIKE 'Ada%'",
        f"SELECT c.name, COUNT(*) FROM {OC} WHERE c.name LIKE 'Ada%' GROUP BY c.name",
    ),
    Case(
        "where_ilike",
        "SELECT name FROM products WHERE name ILIKE '%pro %'",
        f"SELECT DISTINCT name FROM {P} WHERE name ILIKE '%pro %'",
    ),
    Case(
        "where_is_null",
        "SELECT region, customer_count FROM customers WHERE phone IS NULL",
        f"SELECT region, COUNT(DISTINCT customer_id) FROM {C} WHERE phone IS NULL GROUP BY region",
    ),
    Case(
        "where_is_not_null",
        "SELECT region, customer_count FROM customers WHERE phone IS NOT NULL",
        f"SELECT region, COUNT(DISTINCT customer_id) FROM {C} WHERE phone IS NOT NULL GROUP BY region",
    ),
    Case(
        "where_or",
        "SELECT channel, order_count FROM orders WHERE status = 'returned' OR channel = 'app'",
        f"SELECT channel, COUNT(*) FROM {O} WHERE status = 'returned' OR channel = 'app' GROUP BY channel",
    ),
    Case(
        "where_numeric_dimension",
        "SELECT channel, order_count FROM orders WHERE refunded_amount > 0",
        f"SELECT channel, COUNT(*) FROM {O} WHERE refunded_amount > 0 GROUP BY channel",
    ),
    Case(
        "where_segment",
        "SELECT channel, order_count FROM orders WHERE returned",
        f"SELECT channel, COUNT(*) FROM {O} WHERE status = 'returned' GROUP BY channel",
    ),
    Case(
        "where_segment_is_true",
        "SELECT status, order_count FROM orders WHERE online IS TRUE",
        f"SELECT status, COUNT(*) FROM {O} WHERE channel IN ('web', 'app') GROUP BY status",
    ),
    Case(
        "where_not_segment",
        "SELECT status, order_count FROM orders WHERE NOT online",
        f"SELECT status, COUNT(*) FROM {O} WHERE channel NOT IN ('web', 'app') GROUP BY status",
    ),
    Case(
        "segment_as_column",
        "SELECT online, order_count FROM orders",
        f"SELECT channel IN ('web', 'app'), COUNT(*) FROM {O} GROUP BY 1",
    ),
    Case(
        "where_on_joined_table",
        "SELECT channel, net_revenue FROM sales WHERE customer_region = 'EU'",
        f"SELECT o.channel, SUM({NET}) FROM {OC} WHERE c.region = 'EU' GROUP BY o.channel",
    ),
    Case(
        "where_in_list_200",
        "SELECT COUNT(*) FROM orders WHERE order_id IN (" + ", ".join(str(i) for i in range(1, 400, 2)) + ")",
        f"SELECT COUNT(*) FROM {O} WHERE order_id % 2 = 1 AND order_id < 400",
    ),
    Case(
        "where_measure_becomes_having",
        "SELECT customer_id, net_revenue FROM orders WHERE net_revenue > 25000",
        f"SELECT customer_id, SUM({NET}) FROM {O} o GROUP BY customer_id HAVING SUM({NET}) > 25000",
    ),
    Case(
        "having_measure",
        "SELECT customer_region, MEASURE(order_count) FROM sales GROUP BY 1 HAVING MEASURE(order_count) > 3000",
        f"SELECT c.region, COUNT(*) FROM {OC} GROUP BY 1 HAVING COUNT(*) > 3000",
    ),
    Case(
        "having_number_measure",
        "SELECT channel, average_order_value FROM orders GROUP BY 1 HAVING average_order_value > 700",
        f"SELECT channel, SUM({NET}) / COUNT(*) FROM {O} o GROUP BY 1 HAVING SUM({NET}) / COUNT(*) > 700",
    ),
    Case(
        "having_on_key_and_measure",
        "SELECT status, order_count FROM orders GROUP BY status HAVING status <> 'placed' AND order_count > 1500",
        f"SELECT status, COUNT(*) FROM {O} GROUP BY status HAVING status <> 'placed' AND COUNT(*) > 1500",
    ),
    # -- ordering and limits ------------------------------------------------------------------
    Case(
        "order_by_measure_limit",
        "SELECT customer_country, net_revenue FROM sales ORDER BY net_revenue DESC LIMIT 5",
        f"SELECT c.country, SUM({NET}) FROM {OC} GROUP BY 1 ORDER BY 2 DESC LIMIT 5",
        ordered=True,
    ),
    Case(
        "order_by_position",
        "SELECT status, order_count FROM orders ORDER BY 2 DESC",
        f"SELECT status, COUNT(*) FROM {O} GROUP BY 1 ORDER BY 2 DESC",
        ordered=True,
    ),
    Case(
        "order_by_alias",
        "SELECT status AS s, order_count AS n FROM orders ORDER BY n",
        f"SELECT status, COUNT(*) FROM {O} GROUP BY 1 ORDER BY 2",
        ordered=True,
    ),
    Case(
        "order_by_dimension",
        "SELECT channel, gross_revenue FROM orders ORDER BY channel",
        f"SELECT channel, SUM(gross_amount) FROM {O} GROUP BY 1 ORDER BY 1",
        ordered=True,
    ),
    Case(
        "order_by_unselected_measure",
        "SELECT channel FROM orders GROUP BY channel ORDER BY MEASURE(net_revenue)",
        f"SELECT channel FROM {O} o GROUP BY 1 ORDER BY SUM({NET})",
        ordered=True,
    ),
    Case(
        "limit_offset",
        "SELECT customer_id, order_count FROM orders ORDER BY 2 DESC, 1 LIMIT 10 OFFSET 5",
        f"SELECT customer_id, COUNT(*) FROM {O} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10 OFFSET 5",
        ordered=True,
    ),
    Case(
        "fetch_first",
        "SELECT status FROM orders ORDER BY status FETCH FIRST 2 ROWS ONLY",
        f"SELECT DISTINCT status FROM {O} ORDER BY status LIMIT 2",
        ordered=True,
    ),
    Case(
        "order_desc_nulls_like_postgres",
        "SELECT phone, customer_count FROM customers ORDER BY phone DESC LIMIT 3",
        f"SELECT phone, COUNT(DISTINCT customer_id) FROM {C} GROUP BY 1 ORDER BY 1 DESC NULLS FIRST LIMIT 3",
        ordered=True,
    ),
    # -- time ---------------------------------------------------------------------------------
    Case(
        "date_trunc_month",
        "SELECT DATE_TRUNC('month', order_ts) AS month, net_revenue FROM orders",
        f"SELECT DATE_TRUNC('month', order_ts), SUM({NET}) FROM {O} o GROUP BY 1",
    ),
    Case(
        "date_trunc_day_filtered",
        "SELECT DATE_TRUNC('day', order_ts) AS d, order_count FROM orders WHERE order_ts >= '2025-06-01'",
        f"SELECT DATE_TRUNC('day', order_ts), COUNT(*) FROM {O} WHERE order_ts >= TIMESTAMP '2025-06-01' GROUP BY 1",
    ),
    Case(
        "date_trunc_week",
        "SELECT DATE_TRUNC('week', order_ts) AS w, order_count FROM orders",
        f"SELECT DATE_TRUNC('week', order_ts), COUNT(*) FROM {O} GROUP BY 1",
    ),
    Case(
        "date_trunc_quarter",
        "SELECT DATE_TRUNC('quarter', order_ts) AS q, gross_revenue FROM orders",
        f"SELECT DATE_TRUNC('quarter', order_ts), SUM(gross_amount) FROM {O} GROUP BY 1",
    ),
    Case(
        "date_trunc_year",
        "SELECT DATE_TRUNC('year', order_ts) AS y, customer_count FROM sales",
        f"SELECT DATE_TRUNC('year', o.order_ts), COUNT(DISTINCT c.customer_id) FROM {OC} GROUP BY 1",
    ),
    Case(
        "date_trunc_group_by_positions",
        "SELECT DATE_TRUNC('year', order_ts), channel, order_count FROM orders GROUP BY 1, 2",
        f"SELECT DATE_TRUNC('year', order_ts), channel, COUNT(*) FROM {O} GROUP BY 1, 2",
    ),
    Case(
        "date_trunc_in_where",
        "SELECT status, order_count FROM orders WHERE DATE_TRUNC('year', order_ts) = '2024-01-01'",
        f"SELECT status, COUNT(*) FROM {O} WHERE DATE_TRUNC('year', order_ts) = TIMESTAMP '2024-01-01' GROUP BY status",
    ),
    Case(
        "date_trunc_on_date_dimension",
        "SELECT DATE_TRUNC('year', signup_date) AS y, customer_count FROM customers",
        f"SELECT DATE_TRUNC('year', signup_date), COUNT(DISTINCT customer_id) FROM {C} GROUP BY 1",
    ),
    Case(
        "date_trunc_month_ordered",
        "SELECT DATE_TRUNC('month', order_ts) AS m, order_count FROM orders WHERE order_ts < '2023-04-01' ORDER BY m",
        f"SELECT DATE_TRUNC('month', order_ts), COUNT(*) FROM {O} WHERE order_ts < TIMESTAMP '2023-04-01' "
        "GROUP BY 1 ORDER BY 1",
        ordered=True,
    ),
    Case(
        "relative_time_range",
        "SELECT channel, order_count FROM orders WHERE order_ts >= CURRENT_DATE - INTERVAL '700 days'",
        f"SELECT channel, COUNT(*) FROM {O} WHERE order_ts >= CURRENT_DATE - INTERVAL 700 DAY GROUP BY 1",
    ),
    Case(
        "extract_year",
        "SELECT EXTRACT(YEAR FROM order_ts) AS y, order_count FROM orders",
        f"SELECT EXTRACT(YEAR FROM order_ts), COUNT(*) FROM {O} GROUP BY 1",
    ),
    # -- expressions --------------------------------------------------------------------------
    Case(
        "case_over_dimensions",
        "SELECT CASE WHEN customer_region IN ('EU', 'NA') THEN 'west' ELSE 'rest' END AS zone, net_revenue FROM sales",
        f"SELECT CASE WHEN c.region IN ('EU', 'NA') THEN 'west' ELSE 'rest' END, SUM({NET}) FROM {OC} GROUP BY 1",
    ),
    Case(
        "case_over_measure",
        "SELECT status, CASE WHEN order_count > 5000 THEN 'big' ELSE 'small' END AS size FROM orders",
        f"SELECT status, CASE WHEN COUNT(*) > 5000 THEN 'big' ELSE 'small' END FROM {O} GROUP BY status",
    ),
    Case(
        "cast_dimension",
        "SELECT CAST(customer_id AS VARCHAR) AS cid, order_count FROM orders WHERE customer_id < 5",
        f"SELECT CAST(customer_id AS VARCHAR), COUNT(*) FROM {O} WHERE customer_id < 5 GROUP BY 1",
    ),
    Case(
        "cast_measure",
        "SELECT status, CAST(net_revenue AS BIGINT) AS r FROM orders",
        f"SELECT status, CAST(SUM({NET}) AS BIGINT) FROM {O} o GROUP BY status",
    ),
    Case(
        "postgres_cast_syntax",
        "SELECT status, order_count::float8 / 2 AS half FROM orders",
        f"SELECT status, CAST(COUNT(*) AS DOUBLE) / 2 FROM {O} GROUP BY status",
    ),
    Case(
        "arithmetic_on_measures",
        "SELECT channel, MEASURE(gross_revenue) - MEASURE(net_revenue) AS refunds FROM orders GROUP BY 1",
        f"SELECT channel, SUM(gross_amount) - SUM({NET}) FROM {O} o GROUP BY 1",
    ),
    # -- views and joins ----------------------------------------------------------------------
    Case(
        "view_prefixed_members",
        "SELECT customer_segment, customer_region, order_count FROM sales",
        f"SELECT c.segment, c.region, COUNT(*) FROM {OC} GROUP BY 1, 2",
    ),
    Case(
        "count_distinct_through_join",
        "SELECT channel, customer_count FROM sales",
        f"SELECT o.channel, COUNT(DISTINCT c.customer_id) FROM {OC} GROUP BY 1",
    ),
    Case(
        "units_by_customer_region",
        "SELECT customer_region, units_sold FROM sales",
        f"SELECT c.region, SUM(i.quantity) FROM {OC} LEFT JOIN {I} i ON o.order_id = i.order_id GROUP BY 1",
    ),
    Case(
        "fanout_sum_by_product_category",
        "SELECT product_category, net_revenue FROM sales",
        f"SELECT x.category, SUM({NET}) FROM {O} o LEFT JOIN {ORDER_CATEGORY} x ON x.order_id = o.order_id GROUP BY 1",
    ),
    Case(
        "fanout_count_by_product_category",
        "SELECT product_category, order_count FROM sales",
        f"SELECT x.category, COUNT(*) FROM {O} o LEFT JOIN {ORDER_CATEGORY} x ON x.order_id = o.order_id GROUP BY 1",
    ),
    Case(
        "fanout_mixed_grains",
        "SELECT product_category, order_count, units_sold, item_revenue FROM sales",
        f"WITH a AS (SELECT x.category, COUNT(*) AS n FROM {O} o LEFT JOIN {ORDER_CATEGORY} x "
        "ON x.order_id = o.order_id GROUP BY 1), "
        f"b AS (SELECT p.category, SUM(i.quantity) AS u, SUM(i.quantity * i.unit_price - i.discount) AS r "
        f"FROM {O} o LEFT JOIN {I} i ON o.order_id = i.order_id LEFT JOIN {P} p ON i.product_id = p.product_id "
        "GROUP BY 1) SELECT a.category, a.n, b.u, b.r FROM a JOIN b ON a.category IS NOT DISTINCT FROM b.category",
    ),
    Case(
        "fanout_filter_on_child",
        "SELECT channel, net_revenue FROM sales WHERE product_category = 'books'",
        f"SELECT o.channel, SUM({NET}) FROM {O} o WHERE o.order_id IN "
        f"(SELECT order_id FROM {ORDER_CATEGORY} x WHERE x.category = 'books') GROUP BY 1",
    ),
    Case(
        "fanout_number_measure",
        "SELECT product_category, average_order_value FROM sales",
        f"SELECT x.category, SUM({NET}) / NULLIF(COUNT(*), 0) FROM {O} o LEFT JOIN {ORDER_CATEGORY} x "
        "ON x.order_id = o.order_id GROUP BY 1",
    ),
    Case(
        "fanout_grand_total",
        "SELECT net_revenue, units_sold FROM sales",
        f"SELECT (SELECT SUM({NET}) FROM {O} o), (SELECT SUM(quantity) FROM {I})",
    ),
    Case(
        "fanout_parent_measure_by_child_key",
        "SELECT product_name, gross_revenue FROM sales WHERE product_name LIKE 'Pro%'",
        f"SELECT y.name, SUM(o.gross_amount) FROM {O} o JOIN (SELECT DISTINCT i.order_id, p.name FROM {I} i "
        f"JOIN {P} p ON i.product_id = p.product_id) y ON y.order_id = o.order_id WHERE y.name LIKE 'Pro%' "
        "GROUP BY 1",
    ),
    Case(
        "customer_360_by_segment",
        "SELECT segment, customer_count, order_count, net_revenue FROM customer_360",
        f"SELECT c.segment, COUNT(DISTINCT c.customer_id), COUNT(o.order_id), SUM({NET}) FROM {C} c "
        f"LEFT JOIN {O} o ON c.customer_id = o.customer_id GROUP BY 1",
    ),
    Case(
        "customer_360_customers_without_orders",
        "WITH c AS (SELECT customer_id, region FROM customer_360 WHERE order_count = 0) "
        "SELECT region, COUNT(*) AS n FROM c GROUP BY region",
        f"SELECT region, COUNT(*) FROM (SELECT c.customer_id, c.region FROM {C} c LEFT JOIN {O} o "
        "ON c.customer_id = o.customer_id GROUP BY 1, 2 HAVING COUNT(o.order_id) = 0) GROUP BY region",
    ),
    Case(
        "customer_360_lifetime_value",
        "SELECT customer_id, net_revenue, first_order_ts FROM customer_360 WHERE customer_id <= 20",
        f"SELECT c.customer_id, SUM({NET}), MIN(o.order_ts) FROM {C} c LEFT JOIN {O} o "
        "ON c.customer_id = o.customer_id WHERE c.customer_id <= 20 GROUP BY 1",
    ),
    Case(
        "customer_360_average_order_value_by_region",
        "SELECT region, average_order_value FROM customer_360",
        f"SELECT c.region, SUM({NET}) / NULLIF(COUNT(o.order_id), 0) FROM {C} c LEFT JOIN {O} o "
        "ON c.customer_id = o.customer_id GROUP BY 1",
    ),
    Case(
        "customer_measure_fanned_out_by_orders",
        "SELECT status, customer_count FROM sales",
        f"SELECT o.status, COUNT(DISTINCT c.customer_id) FROM {OC} GROUP BY 1",
    ),
    # -- ad-hoc aggregates over dimensions ----------------------------------------------------
    Case("count_star", "SELECT COUNT(*) FROM sales", f"SELECT COUNT(*) FROM {O}", names=("count",)),
    Case(
        "count_star_across_fanout",
        "SELECT product_category, COUNT(*) FROM sales",
        f"SELECT x.category, COUNT(*) FROM {O} o LEFT JOIN {ORDER_CATEGORY} x ON x.order_id = o.order_id GROUP BY 1",
    ),
    Case(
        "count_star_filter",
        "SELECT status, COUNT(*) FILTER (WHERE gross_amount > 500) AS big FROM orders GROUP BY 1",
        f"SELECT status, COUNT(*) FILTER (WHERE gross_amount > 500) FROM {O} GROUP BY 1",
        names=("status", "big"),
    ),
    Case(
        "aggregate_filters_on_dimensions",
        "SELECT customer_region, SUM(gross_amount) FILTER (WHERE status = 'shipped'), "
        "COUNT(DISTINCT customer_id) FILTER (WHERE status = 'returned') FROM sales GROUP BY 1",
        f"SELECT c.region, SUM(o.gross_amount) FILTER (WHERE o.status = 'shipped'), "
        f"COUNT(DISTINCT o.customer_id) FILTER (WHERE o.status = 'returned') FROM {OC} GROUP BY 1",
        names=("customer_region", "sum", "count"),
    ),
    Case(
        "max_filter_across_tables",
        "SELECT customer_region, MAX(order_ts) FILTER (WHERE product_category = 'books') AS last_book FROM sales",
        f"SELECT c.region, MAX(o.order_ts) FILTER (WHERE x.category = 'books') FROM {OC} "
        f"LEFT JOIN {ORDER_CATEGORY} x ON x.order_id = o.order_id GROUP BY 1",
    ),
    Case(
        "count_distinct_dimension",
        "SELECT customer_region, COUNT(DISTINCT customer_id) FROM sales",
        f"SELECT c.region, COUNT(DISTINCT o.customer_id) FROM {OC} GROUP BY 1",
    ),
    Case(
        "max_dimension",
        "SELECT status, MAX(order_ts) AS latest FROM orders",
        f"SELECT status, MAX(order_ts) FROM {O} GROUP BY status",
    ),
    Case(
        "sum_dimension_across_fanout",
        "SELECT product_category, SUM(gross_amount) FROM sales",
        f"SELECT x.category, SUM(o.gross_amount) FROM {O} o LEFT JOIN {ORDER_CATEGORY} x "
        "ON x.order_id = o.order_id GROUP BY 1",
    ),
    Case(
        "sum_dimension_of_table",
        "SELECT product_id, SUM(quantity) FROM order_items WHERE product_id <= 10",
        f"SELECT product_id, SUM(quantity) FROM {I} WHERE product_id <= 10 GROUP BY 1",
    ),
    Case(
        "min_dimension_across_fanout",
        "SELECT product_category, MIN(order_ts) FROM sales",
        f"SELECT p.category, MIN(o.order_ts) FROM {O} o LEFT JOIN {I} i ON o.order_id = i.order_id "
        f"LEFT JOIN {P} p ON i.product_id = p.product_id GROUP BY 1",
    ),
    Case(
        "sum_of_one_is_row_count",
        "SELECT channel, SUM(1) AS records FROM orders",
        f"SELECT channel, COUNT(*) FROM {O} GROUP BY channel",
    ),
    # -- SELECT * -----------------------------------------------------------------------------
    Case(
        "select_star",
        "SELECT * FROM products",
        f"SELECT product_id, name, category, unit_price, 1, CAST(unit_price AS DOUBLE) FROM {P}",
    ),
    Case(
        "select_star_filtered",
        "SELECT * FROM customers WHERE customer_id <= 3",
        f"SELECT customer_id, name, email, phone, country, region, segment, signup_date, 1, "
        f"CASE WHEN segment = 'enterprise' THEN 1 ELSE 0 END, segment = 'enterprise' FROM {C} "
        "WHERE customer_id <= 3",
    ),
    # -- post-processing over semantic results ------------------------------------------------
    Case(
        "cte_filter_on_measure",
        "WITH r AS (SELECT customer_region, net_revenue FROM sales) "
        "SELECT customer_region, net_revenue FROM r WHERE net_revenue > 3000000",
        f"SELECT c.region, SUM({NET}) FROM {OC} GROUP BY 1 HAVING SUM({NET}) > 3000000",
    ),
    Case(
        "window_rank_over_cte",
        "WITH r AS (SELECT customer_country, net_revenue FROM sales) "
        "SELECT customer_country, RANK() OVER (ORDER BY net_revenue DESC) AS rnk FROM r",
        f"SELECT c.country, RANK() OVER (ORDER BY SUM({NET}) DESC) FROM {OC} GROUP BY 1",
    ),
    Case(
        # Nothing row-level: the relation is read as one row (the grain of no dimensions), then the window.
        "window_over_no_dimensions",
        "SELECT count(*) OVER () AS n FROM orders",
        "SELECT 1",
        names=("n",),
    ),
    Case(
        "window_running_total",
        "WITH m AS (SELECT DATE_TRUNC('month', order_ts) AS month, net_revenue FROM orders) "
        "SELECT month, net_revenue, SUM(net_revenue) OVER (ORDER BY month) AS running FROM m ORDER BY month",
        f"SELECT DATE_TRUNC('month', order_ts), SUM({NET}), SUM(SUM({NET})) OVER (ORDER BY DATE_TRUNC('month', "
        f"order_ts)) FROM {O} o GROUP BY 1 ORDER BY 1",
        ordered=True,
    ),
    Case(
        "window_share_of_total",
        "SELECT channel, order_count, order_count * 1.0 / SUM(order_count) OVER () AS share "
        "FROM (SELECT channel, order_count FROM orders) t",
        f"SELECT channel, COUNT(*), COUNT(*) * 1.0 / SUM(COUNT(*)) OVER () FROM {O} GROUP BY channel",
    ),
    Case(
        "window_in_semantic_select",
        "SELECT customer_region, MEASURE(net_revenue) AS r, RANK() OVER (ORDER BY MEASURE(net_revenue) DESC) AS rnk "
        "FROM sales GROUP BY 1 ORDER BY rnk",
        f"SELECT c.region, SUM({NET}), RANK() OVER (ORDER BY SUM({NET}) DESC) FROM {OC} GROUP BY 1 ORDER BY 3",
        ordered=True,
        names=("customer_region", "r", "rnk"),
    ),
    Case(
        "window_over_bare_measure",
        "SELECT channel, order_count, SUM(order_count) OVER () AS total FROM orders",
        f"SELECT channel, COUNT(*), SUM(COUNT(*)) OVER () FROM {O} GROUP BY channel",
    ),
    Case(
        "window_partitioned_share",
        "SELECT status, channel, order_count * 100.0 / SUM(order_count) OVER (PARTITION BY status) AS pct "
        "FROM orders ORDER BY 1, 2 LIMIT 6",
        f"SELECT status, channel, COUNT(*) * 100.0 / SUM(COUNT(*)) OVER (PARTITION BY status) FROM {O} "
        "GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 6",
        ordered=True,
    ),
    Case(
        "union_all_two_relations",
        "SELECT 'orders' AS source, order_count AS n FROM orders "
        "UNION ALL SELECT 'customers', customer_count FROM customers",
        f"SELECT 'orders', COUNT(*) FROM {O} UNION ALL SELECT 'customers', COUNT(DISTINCT customer_id) FROM {C}",
    ),
    Case(
        "union_with_order_and_limit_in_branch",
        "(SELECT status AS k, order_count AS n FROM orders ORDER BY 2 DESC LIMIT 1) "
        "UNION ALL (SELECT channel, order_count FROM orders ORDER BY 2 DESC LIMIT 1)",
        f"(SELECT status, COUNT(*) FROM {O} GROUP BY 1 ORDER BY 2 DESC LIMIT 1) UNION ALL "
        f"(SELECT channel, COUNT(*) FROM {O} GROUP BY 1 ORDER BY 2 DESC LIMIT 1)",
    ),
    Case(
        "join_two_semantic_subqueries",
        "SELECT a.customer_region, a.net_revenue, b.customer_count FROM "
        "(SELECT customer_region, net_revenue FROM sales) a "
        "JOIN (SELECT region, customer_count FROM customers) b ON a.customer_region = b.region",
        f"SELECT a.region, a.r, b.n FROM (SELECT c.region, SUM({NET}) AS r FROM {OC} GROUP BY 1) a "
        f"JOIN (SELECT region, COUNT(DISTINCT customer_id) AS n FROM {C} GROUP BY 1) b ON a.region = b.region",
    ),
    Case(
        "join_semantic_tables_directly",
        "SELECT c.region, SUM(o.gross_revenue) AS g FROM orders o JOIN customers c "
        "ON o.customer_id = c.customer_id GROUP BY c.region",
        f"SELECT c.region, SUM(o.gross_amount) FROM {O} o JOIN {C} c ON o.customer_id = c.customer_id GROUP BY 1",
    ),
    Case(
        "subquery_in_where",
        "SELECT status, order_count FROM orders WHERE customer_id IN "
        "(SELECT customer_id FROM customers WHERE segment = 'enterprise')",
        f"SELECT status, COUNT(*) FROM {O} WHERE customer_id IN "
        f"(SELECT customer_id FROM {C} WHERE segment = 'enterprise') GROUP BY status",
    ),
    Case(
        "correlated_scalar_subquery",
        "SELECT c.region, c.customer_id, (SELECT order_count FROM orders o WHERE o.customer_id = c.customer_id) AS n "
        "FROM customers c WHERE c.customer_id <= 5",
        f"SELECT c.region, c.customer_id, (SELECT NULLIF(COUNT(*), 0) FROM {O} o WHERE o.customer_id = c.customer_id) "
        f"FROM {C} c WHERE c.customer_id <= 5",
    ),
    Case(
        "correlated_exists",
        "SELECT name FROM products p WHERE EXISTS "
        "(SELECT 1 FROM order_items i WHERE i.product_id = p.product_id AND i.quantity > 4) AND p.product_id < 30",
        f"SELECT DISTINCT name FROM {P} p WHERE EXISTS "
        f"(SELECT 1 FROM {I} i WHERE i.product_id = p.product_id AND i.quantity > 4) AND p.product_id < 30",
    ),
    Case(
        "scalar_subquery_column",
        "SELECT status, order_count, (SELECT customer_count FROM customers) AS all_customers FROM orders",
        f"SELECT status, COUNT(*), (SELECT COUNT(DISTINCT customer_id) FROM {C}) FROM {O} GROUP BY status",
    ),
    # A wrapped aggregate is the question asked on the relation (issue 11): COUNT(*) over a projection
    # counts the relation's root rows (orders), COUNT(DISTINCT) the distinct values.
    Case(
        "outer_count_over_derived",
        "SELECT COUNT(*) AS orders FROM (SELECT customer_country FROM sales) t",
        f"SELECT COUNT(*) FROM {OC}",
    ),
    Case(
        "outer_count_distinct_over_derived",
        "SELECT COUNT(DISTINCT t.customer_country) AS countries FROM (SELECT customer_country FROM sales) t",
        f"SELECT COUNT(DISTINCT c.country) FROM {OC}",
    ),
    Case(
        "wrapped_filter_then_aggregate",
        "SELECT t1.channel, SUM(t1.net_revenue) AS net_revenue "
        "FROM (SELECT * FROM sales WHERE status <> 'cancelled') t1 GROUP BY 1",
        f"SELECT channel, SUM({NET}) FROM {O} o WHERE status <> 'cancelled' GROUP BY 1",
    ),
    Case(
        "wrapped_projection_sum_of_dimension",
        "SELECT SUM(t.gross_amount) AS gross FROM (SELECT customer_segment, gross_amount FROM sales) t",
        f"SELECT SUM(gross_amount) FROM {O}",
    ),
    Case(
        "select_star_in_cte",
        "WITH p AS (SELECT * FROM products) SELECT category, COUNT(*) AS n, SUM(unit_price) AS s "
        "FROM p GROUP BY category",
        f"SELECT category, COUNT(*), SUM(unit_price) FROM {P} GROUP BY category",
    ),
    Case(
        "nested_ctes",
        "WITH a AS (SELECT channel, order_count FROM orders), "
        "b AS (SELECT channel, order_count * 2 AS dbl FROM a) SELECT * FROM b",
        f"SELECT channel, COUNT(*) * 2 FROM {O} GROUP BY channel",
    ),
    Case("no_relation", "SELECT 1 + 1 AS two", "SELECT 2"),
]
