"""Bypass attempts against the demo data product's policies, as data.

Each :class:`Attempt` is one statement (or one simple-query string) a user might
send to see past a policy: hidden rows (``eu_analyst`` sees EU customers only,
and by propagation only their orders and order lines), masked values
(``customers.name`` redacted, ``email`` hashed, ``phone`` partial for the analyst
groups), hidden members (``gross_revenue`` / ``gross_amount`` for
``eu_analyst``), relations a group may not see (``guest``: catalog only), or the
engine's own surface (files, settings, extensions).

The corpus holds *what to send*, not what comes back: the oracle in
``test_bypass.py`` judges every answer generically (no raw customer value, no
non-EU id for ``eu_analyst``, no hidden name anywhere, ``guest`` refused...).
A few attempts add an expected answer, written as DuckDB SQL over the raw tables
with these placeholders, resolved per user:

``$C``  the customers the user may see, with the values the user may see
        (``name`` redacted and ``phone`` partial for the analyst groups; no
        ``email`` column: its keyed hash cannot be recomputed outside the server)
``$O``  the orders the user may see (raw columns)
``$I``  the order lines the user may see (raw columns)

An expectation given for ``ANY`` applies to admin, analyst and eu_analyst alike
(the placeholders make the difference).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

ADMIN = "admin"
ANALYST = "analyst"
EU = "eu_analyst"
GUEST = "guest"
USERS = (ADMIN, ANALYST, EU, GUEST)
ANY = "any"  # expectation key: admin, analyst and eu_analyst (not guest)

# Raw values used as probes (deterministic demo data, scale 1): customer 1 is in NA, order 2 and
# order line 2 belong to an APAC customer; customer 3, order 1 and order line 1 are EU.
NA_NAME = "Nora Bauer"
NA_EMAIL = "nora.bauer1@post.example"
NA_PHONE = "+1-555-2824362"
NA_CUSTOMER = 1
APAC_ORDER = 2
APAC_ITEM = 2


def _frozen(mapping: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Attempt:
    """One bypass attempt.

    ``protocol``: ``extended`` (psycopg's default: Parse/Bind/Execute; with ``params``
    the statement is prepared server-side, ``prepare=True``), ``simple`` (one simple
    Query message, several statements allowed) or ``copy`` (``COPY ... TO STDOUT``).
    ``fail``: user -> the SQLSTATE the attempt must fail with. ``expect``: user (or
    ``ANY``) -> DuckDB SQL over the raw tables whose rows the result must equal (as a
    multiset, or in order when ``ordered``). ``differ``: user -> DuckDB SQL whose rows
    the result must *not* equal (an order that would follow raw values). ``sorted_by``:
    a result column that must be in ascending order as shown (ordering by a masked
    column follows the mask, not the raw value). ``twin``: text replacements that turn
    a name the ``twin_users`` may not see into one that does not exist; both statements
    must then behave alike (same rows, or same SQLSTATE and message but for the name).
    Attempts naming ``gross_revenue`` / ``gross_amount`` get that twin for eu_analyst
    automatically. ``session``: a statement the wire session answers (EXPLAIN, CREATE TEMP
    TABLE) and ``quiver query`` refuses; like ``simple`` and ``copy`` attempts, its required
    outcomes apply to the wire only (every channel is judged by the generic rules).
    """

    id: str
    kind: str
    sql: str
    params: tuple[Any, ...] | None = None
    protocol: str = "extended"
    fail: Mapping[str, str] = field(default_factory=dict)
    expect: Mapping[str, str] = field(default_factory=dict)
    ordered: bool = False
    differ: Mapping[str, str] = field(default_factory=dict)
    sorted_by: str | None = None
    twin: tuple[tuple[str, str], ...] = ()
    twin_users: tuple[str, ...] = ()
    session: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "fail", _frozen(self.fail))
        object.__setattr__(self, "expect", _frozen(self.expect))
        object.__setattr__(self, "differ", _frozen(self.differ))


def hidden(*users: str) -> dict[str, str]:
    """The attempt names a hidden member: 42703 for these users, exactly as a nonexistent column."""
    return dict.fromkeys(users or (EU,), "42703")


EU_HIDDEN = hidden(EU)
EU_ORDER = 4  # an order of an EU customer, never refunded (deterministic demo data, scale 1)


def gross(sql: str) -> dict[str, str]:
    """The answer admin and analyst get (they may see gross amounts); eu_analyst's is judged by the oracle."""
    return {ADMIN: sql, ANALYST: sql}


GROSS_TOTAL = gross("SELECT sum(gross_amount) FROM $O")

ATTEMPTS: tuple[Attempt, ...] = (
    # -- filters on masked columns -------------------------------------------------------------------
    Attempt(
        "filter_name_equals",
        "filter",
        f"SELECT customer_id FROM customers WHERE name = '{NA_NAME}'",
        expect={ANY: f"SELECT customer_id FROM $C WHERE name = '{NA_NAME}'"},
    ),
    Attempt(
        "filter_email_equals",
        "filter",
        f"SELECT customer_id, email FROM customers WHERE email = '{NA_EMAIL}'",
        expect={ADMIN: f"SELECT customer_id, email FROM raw.customers WHERE email = '{NA_EMAIL}'", ANALYST: "", EU: ""},
    ),
    Attempt(
        "filter_phone_equals",
        "filter",
        f"SELECT count(*) FROM customers WHERE phone = '{NA_PHONE}'",
        expect={ANY: f"SELECT count(*) FROM $C WHERE phone = '{NA_PHONE}'"},
    ),
    Attempt(
        "filter_name_redacted",
        "filter",
        "SELECT count(*) FROM customers WHERE name = 'REDACTED'",
        expect={ANY: "SELECT count(*) FROM $C WHERE name = 'REDACTED'"},
    ),
    Attempt(
        "filter_name_between",
        "filter",
        "SELECT count(*) FROM customers WHERE name BETWEEN 'A' AND 'Nz'",
        expect={ANY: "SELECT count(*) FROM $C WHERE name BETWEEN 'A' AND 'Nz'"},
    ),
    Attempt(
        "filter_email_in_list",
        "filter",
        f"SELECT customer_id FROM customers WHERE email IN ('{NA_EMAIL}', 'omar.weber2@mail.example')",
        expect={
            ADMIN: f"SELECT customer_id FROM raw.customers WHERE email IN ('{NA_EMAIL}', 'omar.weber2@mail.example')",
            ANALYST: "",
            EU: "",
        },
    ),
    Attempt(
        "filter_email_first_char",
        "filter",
        "SELECT count(*) FROM customers WHERE substr(email, 1, 1) = 'n'",
        expect={
            ADMIN: "SELECT count(*) FROM raw.customers WHERE substr(email, 1, 1) = 'n'",
            ANALYST: "SELECT 0",
            EU: "SELECT 0",
        },
    ),
    Attempt(
        "filter_phone_prefix",
        "filter",
        "SELECT count(*) FROM customers WHERE left(phone, 6) = '+1-555'",
        expect={ANY: "SELECT count(*) FROM $C WHERE left(phone, 6) = '+1-555'"},
    ),
    Attempt(
        "filter_email_has_at",
        "filter",
        "SELECT count(*) FROM customers WHERE position('@' IN email) > 0",
        expect={
            ADMIN: "SELECT count(*) FROM raw.customers WHERE position('@' IN email) > 0",
            ANALYST: "SELECT 0",
            EU: "SELECT 0",
        },
    ),
    Attempt(
        "filter_name_regex",
        "filter",
        "SELECT count(*) FROM customers WHERE name ~ '^[A-Z][a-z]+ [A-Z][a-z]+$'",
        expect={ANY: "SELECT count(*) FROM $C WHERE regexp_full_match(name, '[A-Z][a-z]+ [A-Z][a-z]+')"},
    ),
    Attempt(
        "filter_name_length",
        "filter",
        "SELECT length(name) AS len, count(*) AS n FROM customers GROUP BY 1",
        expect={ANY: "SELECT length(name), count(*) FROM $C GROUP BY 1"},
    ),
    Attempt(
        "filter_region_other",
        "filter",
        "SELECT count(*) FROM customers WHERE region = 'NA'",
        expect={ANY: "SELECT count(*) FROM $C WHERE region = 'NA'"},
    ),
    Attempt(
        "filter_region_or_true",
        "filter",
        "SELECT count(*) FROM customers WHERE region = 'NA' OR 1 = 1",
        expect={ANY: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "filter_region_null_or_other",
        "filter",
        "SELECT count(*) FROM customers WHERE region IS NULL OR coalesce(region, 'x') <> 'EU'",
        expect={ANY: "SELECT count(*) FROM $C WHERE region <> 'EU'"},
    ),
    Attempt(
        "filter_customer_by_id",
        "filter",
        f"SELECT customer_id, region, country FROM customers WHERE customer_id = {NA_CUSTOMER}",
        expect={ANY: f"SELECT customer_id, region, country FROM $C WHERE customer_id = {NA_CUSTOMER}"},
    ),
    Attempt(
        "filter_order_by_id",
        "filter",
        f"SELECT order_id, customer_id, status FROM orders WHERE order_id = {APAC_ORDER}",
        expect={ANY: f"SELECT order_id, customer_id, status FROM $O WHERE order_id = {APAC_ORDER}"},
    ),
    Attempt(
        "filter_item_by_id",
        "filter",
        f"SELECT order_item_id, order_id, quantity FROM order_items WHERE order_item_id = {APAC_ITEM}",
        expect={ANY: f"SELECT order_item_id, order_id, quantity FROM $I WHERE order_item_id = {APAC_ITEM}"},
    ),
    # -- LIKE / ILIKE probes ---------------------------------------------------------------------------
    Attempt(
        "like_email_prefix",
        "like",
        "SELECT customer_id FROM customers WHERE email LIKE 'nora%'",
        expect={ADMIN: "SELECT customer_id FROM raw.customers WHERE email LIKE 'nora%'", ANALYST: "", EU: ""},
    ),
    Attempt(
        "like_email_domain",
        "like",
        "SELECT count(*) FROM customers WHERE email LIKE '%@post.example'",
        expect={
            ADMIN: "SELECT count(*) FROM raw.customers WHERE email LIKE '%@post.example'",
            ANALYST: "SELECT 0",
            EU: "SELECT 0",
        },
    ),
    Attempt(
        "ilike_name",
        "like",
        "SELECT count(*) FROM customers WHERE name ILIKE 'nora %'",
        expect={ANY: "SELECT count(*) FROM $C WHERE name ILIKE 'nora %'"},
    ),
    Attempt(
        "ilike_name_contains",
        "like",
        "SELECT count(*) FROM customers WHERE name ILIKE '%BAUER%'",
        expect={ANY: "SELECT count(*) FROM $C WHERE name ILIKE '%bauer%'"},
    ),
    Attempt(
        "like_phone_digits",
        "like",
        "SELECT count(*) FROM customers WHERE phone LIKE '%555-28%'",
        expect={ANY: "SELECT count(*) FROM $C WHERE phone LIKE '%555-28%'"},
    ),
    Attempt(
        "like_phone_last_digits",
        "like",
        "SELECT count(*) FROM customers WHERE phone LIKE '%4362'",
        expect={ANY: "SELECT count(*) FROM $C WHERE phone LIKE '%4362'"},
    ),
    Attempt(
        "like_name_shape",
        "like",
        "SELECT count(*) FROM customers WHERE name LIKE '____ _____'",
        expect={ANY: "SELECT count(*) FROM $C WHERE name LIKE '____ _____'"},
    ),
    Attempt(
        "like_sales_customer_email",
        "like",
        "SELECT count(*) FROM sales WHERE customer_email ILIKE 'NORA%'",
        expect={
            ADMIN: "SELECT count(*) FROM raw.orders o JOIN raw.customers c USING (customer_id) WHERE c.email "
            "ILIKE 'nora%'",
            ANALYST: "SELECT 0",
            EU: "SELECT 0",
        },
    ),
    # -- joins and self-joins on masked columns --------------------------------------------------------
    Attempt(
        "join_values_on_email",
        "join",
        f"SELECT c.customer_id FROM customers c JOIN (VALUES ('{NA_EMAIL}')) AS v(e) ON c.email = v.e",
        expect={ADMIN: f"SELECT customer_id FROM raw.customers WHERE email = '{NA_EMAIL}'", ANALYST: "", EU: ""},
    ),
    Attempt(
        "self_join_on_name",
        "join",
        "SELECT count(*) FROM customers a JOIN customers b ON a.name = b.name",
        expect={
            ANY: "SELECT count(*) FROM (SELECT DISTINCT name FROM $C) a JOIN (SELECT DISTINCT name FROM $C) b "
            "ON a.name = b.name"
        },
    ),
    Attempt(
        "self_join_on_phone",
        "join",
        "SELECT count(*) FROM customers a JOIN customers b ON a.phone = b.phone AND a.customer_id < b.customer_id",
        expect={ANY: "SELECT count(*) FROM $C a JOIN $C b ON a.phone = b.phone AND a.customer_id < b.customer_id"},
    ),
    Attempt(
        "self_join_on_email",
        "join",
        "SELECT count(*) FROM customers a JOIN customers b ON a.email = b.email",
        expect={ANY: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "join_orders_customers",
        "join",
        "SELECT o.order_id, o.customer_id, c.name, c.email, c.phone, c.region FROM orders o "
        "JOIN customers c ON o.customer_id = c.customer_id ORDER BY o.order_id LIMIT 200",
    ),
    Attempt(
        "join_count_orders_customers",
        "join",
        "SELECT count(*) FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
        expect={ANY: "SELECT count(DISTINCT customer_id) FROM $O"},
    ),
    Attempt(
        "join_left_orders_customers",
        "join",
        "SELECT count(*) AS n, count(c.customer_id) AS matched FROM orders o LEFT JOIN customers c "
        "ON o.customer_id = c.customer_id",
        expect={ANY: "SELECT count(DISTINCT customer_id), count(DISTINCT customer_id) FROM $O"},
    ),
    Attempt(
        "join_full_customers_orders",
        "join",
        "SELECT count(*) FROM customers c FULL JOIN orders o ON o.customer_id = c.customer_id",
        expect={
            ANY: "SELECT count(*) FROM (SELECT DISTINCT customer_id FROM $C) c "
            "FULL JOIN (SELECT DISTINCT customer_id FROM $O) o ON o.customer_id = c.customer_id"
        },
    ),
    Attempt(
        "join_items_orders",
        "join",
        "SELECT count(*) FROM order_items i JOIN orders o ON i.order_id = o.order_id",
        expect={ANY: "SELECT count(DISTINCT order_id) FROM $I"},
    ),
    Attempt(
        "join_items_left_orders",
        "join",
        "SELECT count(*) FROM order_items i LEFT JOIN orders o ON i.order_id = o.order_id WHERE o.order_id IS NULL",
        expect={ANY: "SELECT 0"},
    ),
    Attempt(
        "join_using_customer_id",
        "join",
        "SELECT customer_id, count(*) AS n FROM orders JOIN customers USING (customer_id) GROUP BY 1 ORDER BY 2 "
        "DESC, 1 LIMIT 20",
        expect={ANY: "SELECT DISTINCT customer_id, 1 FROM $O ORDER BY 2 DESC, 1 LIMIT 20"},
        ordered=True,
    ),
    Attempt(
        "join_cross_products",
        "join",
        "SELECT count(*) FROM customers CROSS JOIN products",
        expect={
            ANY: "SELECT count(*) FROM (SELECT DISTINCT 1 FROM $C) CROSS JOIN (SELECT DISTINCT 1 FROM raw.products)"
        },
    ),
    Attempt(
        "join_three_tables_by_region",
        "join",
        "SELECT c.region, count(DISTINCT o.order_id) AS orders_n, count(i.order_item_id) AS lines_n "
        "FROM customers c JOIN orders o ON o.customer_id = c.customer_id JOIN order_items i ON i.order_id = o.order_id "
        "GROUP BY 1 ORDER BY 1",
        expect={
            ANY: "SELECT c.region, count(DISTINCT o.order_id), count(i.order_item_id) FROM $C c "
            "JOIN $O o ON o.customer_id = c.customer_id JOIN $I i ON i.order_id = o.order_id GROUP BY 1 ORDER BY 1"
        },
        ordered=True,
    ),
    Attempt(
        "join_items_to_customer_values",
        "join",
        "SELECT i.order_item_id, i.order_id, o.customer_id, c.name, c.email, c.phone FROM order_items i "
        "JOIN orders o ON i.order_id = o.order_id JOIN customers c ON c.customer_id = o.customer_id "
        "ORDER BY 1 LIMIT 300",
    ),
    Attempt(
        "join_products_items_units",
        "join",
        "SELECT p.category, sum(i.quantity) AS units FROM products p JOIN order_items i ON p.product_id = i.product_id "
        "GROUP BY 1 ORDER BY 1",
        expect={
            ANY: "SELECT p.category, sum(i.quantity) FROM raw.products p "
            "JOIN (SELECT DISTINCT product_id, quantity FROM $I) i ON p.product_id = i.product_id GROUP BY 1 ORDER BY 1"
        },
        ordered=True,
    ),
    Attempt(
        "join_natural_orders_items",
        "join",
        "SELECT * FROM orders NATURAL JOIN order_items ORDER BY order_item_id LIMIT 50",
    ),
    # -- GROUP BY / ORDER BY on masked columns ------------------------------------------------------
    Attempt(
        "group_by_name",
        "group_by",
        "SELECT name, count(*) AS n FROM customers GROUP BY name",
        expect={ANY: "SELECT name, count(*) FROM $C GROUP BY name"},
    ),
    Attempt(
        "group_by_email_count",
        "group_by",
        "SELECT count(*) FROM (SELECT email FROM customers GROUP BY email) AS t",
        expect={ANY: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "group_by_email_prefix",
        "group_by",
        "SELECT substr(email, 1, 3) AS p, count(*) AS n FROM customers GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
    ),
    Attempt(
        "group_by_phone_masked",
        "group_by",
        "SELECT phone, count(*) AS n FROM customers GROUP BY phone ORDER BY 2 DESC, 1 LIMIT 20",
        expect={ANY: "SELECT phone, count(*) FROM $C GROUP BY phone ORDER BY 2 DESC, 1 LIMIT 20"},
        ordered=True,
    ),
    Attempt(
        "order_by_email",
        "order_by",
        "SELECT customer_id, email FROM customers ORDER BY email LIMIT 60",
        sorted_by="email",
        expect={ADMIN: "SELECT customer_id, email FROM raw.customers ORDER BY email LIMIT 60"},
        ordered=True,
        differ={
            ANALYST: "SELECT customer_id FROM raw.customers ORDER BY email LIMIT 60",
            EU: "SELECT customer_id FROM raw.customers WHERE region = 'EU' ORDER BY email LIMIT 60",
        },
    ),
    Attempt(
        "order_by_email_desc",
        "order_by",
        "SELECT email, customer_id FROM customers ORDER BY 1 DESC LIMIT 60",
        expect={ADMIN: "SELECT email, customer_id FROM raw.customers ORDER BY 1 DESC LIMIT 60"},
        ordered=True,
    ),
    Attempt(
        "order_by_email_only_ids",
        "order_by",
        "SELECT customer_id FROM (SELECT customer_id, email FROM customers) AS t ORDER BY email LIMIT 60",
        expect={ADMIN: "SELECT customer_id FROM raw.customers ORDER BY email LIMIT 60"},
        ordered=True,
        differ={
            ANALYST: "SELECT customer_id FROM raw.customers ORDER BY email LIMIT 60",
            EU: "SELECT customer_id FROM raw.customers WHERE region = 'EU' ORDER BY email LIMIT 60",
        },
    ),
    Attempt(
        "order_by_name_then_id",
        "order_by",
        "SELECT customer_id, name FROM customers ORDER BY name, customer_id LIMIT 60",
        expect={ANY: "SELECT customer_id, name FROM $C ORDER BY name, customer_id LIMIT 60"},
        ordered=True,
    ),
    Attempt(
        "order_by_phone",
        "order_by",
        "SELECT customer_id, phone FROM customers ORDER BY phone NULLS LAST, customer_id LIMIT 60",
        expect={ANY: "SELECT customer_id, phone FROM $C ORDER BY phone NULLS LAST, customer_id LIMIT 60"},
        ordered=True,
    ),
    Attempt(
        "order_by_lower_email",
        "order_by",
        "SELECT customer_id FROM (SELECT customer_id, email FROM customers) AS t ORDER BY lower(email), customer_id "
        "LIMIT 60",
        expect={ADMIN: "SELECT customer_id FROM raw.customers ORDER BY lower(email), customer_id LIMIT 60"},
        ordered=True,
        differ={
            ANALYST: "SELECT customer_id FROM raw.customers ORDER BY lower(email) LIMIT 60",
            EU: "SELECT customer_id FROM raw.customers WHERE region = 'EU' ORDER BY lower(email) LIMIT 60",
        },
    ),
    Attempt(
        "order_by_sales_customer_name",
        "order_by",
        "SELECT order_id, customer_name FROM sales ORDER BY customer_name, order_id LIMIT 40",
        expect={
            ANY: "SELECT o.order_id, c.name FROM $O o JOIN $C c USING (customer_id) ORDER BY c.name, o.order_id "
            "LIMIT 40"
        },
        ordered=True,
    ),
    # -- COUNT(DISTINCT), MIN/MAX ---------------------------------------------------------------------------
    Attempt(
        "count_distinct_name",
        "aggregate",
        "SELECT count(DISTINCT name) FROM customers",
        expect={ANY: "SELECT count(DISTINCT name) FROM $C"},
    ),
    Attempt(
        "count_distinct_email",
        "aggregate",
        "SELECT count(DISTINCT email) FROM customers",
        expect={ANY: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "count_distinct_phone",
        "aggregate",
        "SELECT count(DISTINCT phone) FROM customers",
        expect={ANY: "SELECT count(DISTINCT phone) FROM $C"},
    ),
    Attempt(
        "min_max_name",
        "aggregate",
        "SELECT min(name), max(name) FROM customers",
        expect={ANY: "SELECT min(name), max(name) FROM $C"},
    ),
    Attempt(
        "min_max_email",
        "aggregate",
        "SELECT min(email) AS email, max(email) AS email_max FROM customers",
        expect={ADMIN: "SELECT min(email), max(email) FROM raw.customers"},
    ),
    Attempt(
        "min_max_phone",
        "aggregate",
        "SELECT min(phone), max(phone) FROM customers",
        expect={ANY: "SELECT min(phone), max(phone) FROM $C"},
    ),
    Attempt(
        "arg_max_name",
        "aggregate",
        "SELECT arg_max(name, customer_id), arg_min(email, customer_id) FROM customers",
    ),
    Attempt(
        "string_agg_names",
        "aggregate",
        "SELECT string_agg(name || ' ' || email || ' ' || coalesce(phone, ''), ', ') FROM customers",
    ),
    Attempt(
        "min_max_customer_id",
        "aggregate",
        "SELECT min(customer_id), max(customer_id), count(*) FROM customers",
        expect={ANY: "SELECT min(customer_id), max(customer_id), count(*) FROM $C"},
    ),
    Attempt(
        "min_max_order_ts",
        "aggregate",
        "SELECT min(order_ts), max(order_ts) FROM orders",
        expect={ANY: "SELECT min(order_ts), max(order_ts) FROM $O"},
    ),
    Attempt(
        "jaro_similarity_probe",
        "aggregate",
        f"SELECT max(jaro_winkler_similarity(name, '{NA_NAME}')) FROM customers",
        expect={ANY: f"SELECT max(jaro_winkler_similarity(name, '{NA_NAME}')) FROM $C"},
    ),
    Attempt(
        "levenshtein_email_probe",
        "aggregate",
        f"SELECT min(levenshtein(email, '{NA_EMAIL}')) FROM customers",
        expect={ADMIN: f"SELECT min(levenshtein(email, '{NA_EMAIL}')) FROM raw.customers"},
        differ={ANALYST: "SELECT 0", EU: "SELECT 0"},
    ),
    # -- aggregates that could reveal hidden rows ------------------------------------------------------
    Attempt("count_orders", "row_count", "SELECT count(*) FROM orders", expect={ANY: "SELECT count(*) FROM $O"}),
    Attempt("count_items", "row_count", "SELECT count(*) FROM order_items", expect={ANY: "SELECT count(*) FROM $I"}),
    Attempt("count_customers", "row_count", "SELECT count(*) FROM customers", expect={ANY: "SELECT count(*) FROM $C"}),
    Attempt(
        "measure_order_count",
        "row_count",
        "SELECT order_count, refunded_revenue FROM orders",
        expect={ANY: "SELECT count(*), sum(refunded_amount) FROM $O"},
    ),
    Attempt(
        "measure_line_count",
        "row_count",
        "SELECT line_count, units_sold FROM order_items",
        expect={ANY: "SELECT count(*), sum(quantity) FROM $I"},
    ),
    Attempt(
        "measure_customer_count",
        "row_count",
        "SELECT customer_count, enterprise_customers FROM customers",
        expect={ANY: "SELECT count(*), count(*) FILTER (WHERE segment = 'enterprise') FROM $C"},
    ),
    Attempt(
        "count_orders_by_status",
        "row_count",
        "SELECT status, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1",
        expect={ANY: "SELECT status, count(*) FROM $O GROUP BY 1 ORDER BY 1"},
        ordered=True,
    ),
    Attempt(
        "count_distinct_customers_in_orders",
        "row_count",
        "SELECT count(DISTINCT customer_id) FROM orders",
        expect={ANY: "SELECT count(DISTINCT customer_id) FROM $O"},
    ),
    Attempt(
        "items_of_other_orders",
        "row_count",
        f"SELECT count(*) FROM order_items WHERE order_id IN (SELECT order_id FROM orders WHERE customer_id = "
        f"{NA_CUSTOMER})",
        expect={
            ANY: f"SELECT count(*) FROM $I WHERE order_id IN (SELECT order_id FROM $O WHERE customer_id = "
            f"{NA_CUSTOMER})"
        },
    ),
    Attempt(
        "item_revenue_by_hand",
        "row_count",
        "SELECT sum(quantity * unit_price - discount) AS revenue, count(DISTINCT order_id) AS orders_n FROM "
        "order_items",
        expect={
            ADMIN: "SELECT sum(quantity * unit_price - discount), count(DISTINCT order_id) FROM $I",
            ANALYST: "SELECT sum(quantity * unit_price - discount), count(DISTINCT order_id) FROM $I",
        },
        fail=EU_HIDDEN,  # line prices add up to the hidden gross amounts
    ),
    # -- CASE tricks and error oracles ----------------------------------------------------------------
    Attempt(
        "case_name_initial",
        "case",
        "SELECT CASE WHEN name LIKE 'N%' THEN 1 ELSE 0 END AS f, count(*) AS n FROM customers GROUP BY 1",
        expect={ANY: "SELECT CASE WHEN name LIKE 'N%' THEN 1 ELSE 0 END, count(*) FROM $C GROUP BY 1"},
    ),
    Attempt(
        "case_email_char_sum",
        "case",
        "SELECT sum(CASE WHEN substr(email, 1, 5) = 'nora.' THEN 1 ELSE 0 END) FROM customers",
        expect={
            ADMIN: "SELECT count(*) FROM raw.customers WHERE email LIKE 'nora.%'",
            ANALYST: "SELECT 0",
            EU: "SELECT 0",
        },
    ),
    Attempt(
        "case_region_sum",
        "case",
        "SELECT sum(CASE WHEN region = 'NA' THEN 1 ELSE 0 END) AS na, sum(CASE WHEN region = 'EU' THEN 1 ELSE 0 "
        "END) AS eu "
        "FROM customers",
        expect={ANY: "SELECT count(*) FILTER (WHERE region = 'NA'), count(*) FILTER (WHERE region = 'EU') FROM $C"},
    ),
    Attempt(
        "case_cast_name_for_other_regions",
        "error_oracle",
        "SELECT count(*) FROM customers WHERE CASE WHEN region <> 'EU' THEN CAST(name AS INT) ELSE 0 END = 0",
        expect={EU: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "case_cast_country_for_other_regions",
        "error_oracle",
        "SELECT count(*) FROM customers WHERE CASE WHEN region <> 'EU' THEN CAST(country AS INT) ELSE 0 END = 0",
        expect={EU: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "case_cast_email_for_other_regions",
        "error_oracle",
        "SELECT count(*) FROM customers WHERE CASE WHEN region = 'EU' THEN 0 ELSE CAST(email AS INT) END = 0",
        expect={EU: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "case_cast_for_one_hidden_customer",
        "error_oracle",
        f"SELECT count(*) FROM customers WHERE CASE WHEN customer_id = {NA_CUSTOMER} THEN CAST(segment AS INT) "
        f"ELSE 0 END = 0",
        expect={EU: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "case_cast_for_hidden_order",
        "error_oracle",
        f"SELECT count(*) FROM orders WHERE CASE WHEN order_id = {APAC_ORDER} THEN CAST(status AS INT) ELSE 0 END = 0",
        expect={EU: "SELECT count(*) FROM $O"},
        fail={ADMIN: "22P02", ANALYST: "22P02"},
    ),
    Attempt(
        "case_cast_for_hidden_item",
        "error_oracle",
        f"SELECT count(*) FROM order_items WHERE CASE WHEN order_item_id = {APAC_ITEM} THEN CAST('x' || "
        f"quantity AS INT) "
        "ELSE 0 END = 0",
        expect={EU: "SELECT count(*) FROM $I"},
    ),
    Attempt(
        "case_divide_by_zero_on_hidden",
        "error_oracle",
        "SELECT count(*) FROM customers WHERE 1.0 / CASE WHEN region = 'NA' THEN 0 ELSE 1 END > 0",
        expect={EU: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "case_sales_cast_name",
        "error_oracle",
        "SELECT count(*) FROM sales WHERE CASE WHEN customer_region <> 'EU' THEN CAST(customer_country AS INT) "
        "ELSE 0 END = 0",
        expect={EU: "SELECT count(*) FROM $O"},
    ),
    # -- casts ---------------------------------------------------------------------------------------
    Attempt("cast_name_int", "cast", "SELECT CAST(name AS INT) FROM customers"),
    Attempt("cast_email_int", "cast", "SELECT CAST(email AS INTEGER) FROM customers"),
    Attempt("cast_phone_int", "cast", "SELECT phone::int FROM customers WHERE phone IS NOT NULL"),
    Attempt("cast_name_date", "cast", "SELECT CAST(name AS DATE) FROM customers"),
    Attempt(
        "cast_email_bytea", "cast", "SELECT customer_id, CAST(email AS BYTEA) AS b FROM customers ORDER BY 1 LIMIT 20"
    ),
    Attempt("cast_in_where", "cast", "SELECT count(*) FROM customers WHERE CAST(email AS INT) > 0"),
    Attempt("cast_name_to_json", "cast", "SELECT to_json(name), to_json(phone) FROM customers LIMIT 20"),
    # -- subqueries ------------------------------------------------------------------------------------
    Attempt(
        "subquery_scalar",
        "subquery",
        "SELECT (SELECT max(name) FROM customers) AS n, (SELECT min(email) FROM customers) AS e, "
        "(SELECT max(phone) FROM customers) AS p",
    ),
    Attempt(
        "subquery_in",
        "subquery",
        "SELECT count(*) FROM orders WHERE customer_id IN (SELECT customer_id FROM customers WHERE email LIKE 'nora%')",
        expect={
            ADMIN: "SELECT count(*) FROM raw.orders WHERE customer_id IN "
            "(SELECT customer_id FROM raw.customers WHERE email LIKE 'nora%')",
            ANALYST: "SELECT 0",
            EU: "SELECT 0",
        },
    ),
    Attempt(
        "subquery_exists",
        "subquery",
        "SELECT count(*) FROM orders o WHERE EXISTS "
        "(SELECT 1 FROM customers c WHERE c.customer_id = o.customer_id AND c.name LIKE 'Nora%')",
        expect={
            ANY: "SELECT count(*) FROM (SELECT DISTINCT customer_id FROM $O) o WHERE EXISTS "
            "(SELECT 1 FROM $C c WHERE c.customer_id = o.customer_id AND c.name LIKE 'Nora%')"
        },
    ),
    Attempt(
        "subquery_correlated",
        "subquery",
        "SELECT o.order_id, (SELECT c.email FROM customers c WHERE c.customer_id = o.customer_id) AS email, "
        "(SELECT c.name FROM customers c WHERE c.customer_id = o.customer_id) AS name FROM orders o "
        "ORDER BY o.order_id LIMIT 50",
    ),
    Attempt(
        "subquery_not_in",
        "subquery",
        "SELECT count(*) FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM customers)",
        expect={ANY: "SELECT 0"},
    ),
    Attempt(
        "subquery_derived_table",
        "subquery",
        "SELECT t.* FROM (SELECT customer_id, name, email, phone FROM customers) AS t ORDER BY customer_id LIMIT 100",
    ),
    Attempt(
        "subquery_exists_hidden_customer",
        "subquery",
        f"SELECT EXISTS (SELECT 1 FROM customers WHERE customer_id = {NA_CUSTOMER}) AS e",
        expect={ANY: f"SELECT EXISTS (SELECT 1 FROM $C WHERE customer_id = {NA_CUSTOMER})"},
    ),
    Attempt(
        "subquery_lateral",
        "subquery",
        "SELECT c.customer_id, l.n FROM customers c, LATERAL (SELECT count(*) AS n FROM orders o "
        "WHERE o.customer_id = c.customer_id) l ORDER BY 1 LIMIT 50",
        expect={
            ANY: "SELECT c.customer_id, (SELECT count(*) FROM (SELECT DISTINCT customer_id FROM $O) o "
            "WHERE o.customer_id = c.customer_id) FROM $C c ORDER BY 1 LIMIT 50"
        },
        ordered=True,
    ),
    # -- CTEs ------------------------------------------------------------------------------------------
    Attempt(
        "cte_values",
        "cte",
        "WITH c AS (SELECT customer_id, name, email, phone FROM customers) SELECT * FROM c ORDER BY customer_id "
        "LIMIT 100",
    ),
    Attempt(
        "cte_shadowing_relation",
        "cte",
        "WITH customers AS (SELECT * FROM raw.customers) SELECT name, email FROM customers LIMIT 5",
    ),
    Attempt(
        "cte_recursive",
        "cte",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
        "SELECT c.customer_id, c.name, c.email, r.n FROM customers c, r ORDER BY 1, 4 LIMIT 30",
    ),
    Attempt(
        "cte_hidden_member",
        "hidden_member",
        "WITH t AS (SELECT status, gross_revenue FROM orders) SELECT * FROM t",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "cte_shadow_orders_hidden",
        "hidden_member",
        "WITH orders AS (SELECT * FROM orders) SELECT sum(gross_amount) FROM orders",
    ),
    # -- set operations --------------------------------------------------------------------------------
    Attempt(
        "union_masked",
        "set_op",
        "SELECT name AS v FROM customers UNION SELECT email FROM customers UNION SELECT phone FROM customers",
    ),
    Attempt(
        "union_all_ids",
        "set_op",
        "SELECT customer_id FROM customers UNION ALL SELECT customer_id FROM orders",
        expect={ANY: "SELECT customer_id FROM $C UNION ALL SELECT DISTINCT customer_id FROM $O"},
    ),
    Attempt(
        "intersect_probe",
        "set_op",
        f"SELECT email FROM customers INTERSECT SELECT '{NA_EMAIL}'",
        expect={ADMIN: f"SELECT '{NA_EMAIL}'", ANALYST: "", EU: ""},
    ),
    Attempt(
        "except_probe",
        "set_op",
        f"SELECT '{NA_NAME}' AS probe EXCEPT SELECT name FROM customers",
        expect={ADMIN: "", ANALYST: f"SELECT '{NA_NAME}'", EU: f"SELECT '{NA_NAME}'"},
    ),
    Attempt(
        "except_hidden_region",
        "set_op",
        "SELECT count(*) FROM (SELECT customer_id FROM customers EXCEPT SELECT customer_id FROM customers "
        "WHERE region = 'EU') AS t",
        expect={ANY: "SELECT count(*) FROM $C WHERE region <> 'EU'"},
    ),
    Attempt(
        "union_order_ids",
        "set_op",
        "SELECT order_id FROM orders UNION SELECT order_id FROM order_items ORDER BY 1",
        expect={ANY: "SELECT order_id FROM $O UNION SELECT order_id FROM $I ORDER BY 1"},
        ordered=True,
    ),
    # -- window functions ------------------------------------------------------------------------------
    Attempt(
        "window_row_number_by_email",
        "window",
        "SELECT customer_id, row_number() OVER (ORDER BY email) AS rn FROM customers ORDER BY rn LIMIT 60",
        differ={
            ANALYST: "SELECT customer_id, row_number() OVER (ORDER BY email) AS rn FROM raw.customers ORDER BY "
            "rn LIMIT 60",
            EU: "SELECT customer_id, row_number() OVER (ORDER BY email) AS rn FROM raw.customers WHERE region = 'EU' "
            "ORDER BY rn LIMIT 60",
        },
        expect={
            ADMIN: "SELECT customer_id, row_number() OVER (ORDER BY email) AS rn FROM raw.customers ORDER BY rn "
            "LIMIT 60"
        },
        ordered=True,
    ),
    Attempt(
        "window_lag_values",
        "window",
        "SELECT customer_id, lag(name) OVER (ORDER BY customer_id) AS prev_name, "
        "lead(email) OVER (ORDER BY customer_id) AS next_email FROM customers ORDER BY 1 LIMIT 50",
    ),
    Attempt(
        "window_count_over",
        "window",
        "SELECT customer_id, count(*) OVER () AS n FROM customers ORDER BY 1 LIMIT 5",
        expect={ANY: "SELECT customer_id, count(*) OVER () FROM $C ORDER BY 1 LIMIT 5"},
        ordered=True,
    ),
    Attempt(
        "window_first_value_email",
        "window",
        "SELECT DISTINCT first_value(email) OVER (ORDER BY email) AS email FROM customers",
    ),
    Attempt(
        "window_rank_by_region",
        "window",
        "SELECT region, customer_id, rank() OVER (PARTITION BY region ORDER BY customer_id) AS r FROM customers "
        "ORDER BY 1, 2",
        expect={
            ANY: "SELECT region, customer_id, rank() OVER (PARTITION BY region ORDER BY customer_id) FROM $C "
            "ORDER BY 1, 2"
        },
        ordered=True,
    ),
    Attempt(
        "window_sum_of_counts",
        "window",
        "SELECT DISTINCT sum(count(*)) OVER () AS n FROM orders GROUP BY status",
        expect={ANY: "SELECT count(*) FROM $O"},
    ),
    Attempt(
        "window_hidden_member",
        "hidden_member",
        "SELECT order_id, sum(gross_amount) OVER () AS s FROM orders LIMIT 1",
        fail=EU_HIDDEN,
    ),
    # -- SELECT * --------------------------------------------------------------------------------------
    Attempt("star_customers", "star", "SELECT * FROM customers"),
    Attempt("star_orders", "star", "SELECT * FROM orders ORDER BY order_id LIMIT 300"),
    Attempt("star_order_items", "star", "SELECT * FROM order_items ORDER BY order_item_id LIMIT 300"),
    Attempt("star_sales", "star", "SELECT * FROM sales LIMIT 200"),
    Attempt("star_customer_360", "star", "SELECT * FROM customer_360"),
    Attempt(
        "star_qualified_join",
        "star",
        "SELECT c.*, o.* FROM customers c JOIN orders o ON o.customer_id = c.customer_id ORDER BY o.order_id LIMIT 200",
    ),
    Attempt("star_exclude", "star", "SELECT * EXCLUDE (customer_id) FROM customers LIMIT 50"),
    Attempt("star_columns_regex", "star", "SELECT COLUMNS('gross.*') FROM orders LIMIT 5"),
    Attempt("row_as_struct", "star", "SELECT o FROM orders o LIMIT 5"),
    Attempt("row_to_json_customers", "star", "SELECT row_to_json(c) AS j FROM customers c LIMIT 50"),
    Attempt("to_json_orders", "star", "SELECT to_json(o) AS j FROM orders o LIMIT 50"),
    Attempt(
        "struct_pack_values",
        "star",
        "SELECT struct_pack(n := name, e := email, p := phone) AS s FROM customers LIMIT 50",
    ),
    # -- the views sales and customer_360 -----------------------------------------------------------------
    Attempt(
        "sales_customer_members",
        "view",
        "SELECT order_id, customer_id, customer_name, customer_email, customer_phone, customer_region, "
        "customer_country "
        "FROM sales ORDER BY order_id LIMIT 300",
    ),
    Attempt(
        "sales_by_region",
        "view",
        "SELECT customer_region, refunded_revenue, order_count FROM sales ORDER BY 1",
        expect={
            ANY: "SELECT c.region, sum(o.refunded_amount), count(*) FROM $O o "
            "JOIN $C c USING (customer_id) GROUP BY 1 ORDER BY 1"
        },
        ordered=True,
    ),
    Attempt(
        "sales_count",
        "view",
        "SELECT count(*) AS n, count(DISTINCT customer_id) AS customers_n FROM sales",
        expect={ANY: "SELECT count(*), count(DISTINCT customer_id) FROM $O"},
    ),
    Attempt(
        "sales_other_regions",
        "view",
        "SELECT count(*) FROM sales WHERE customer_region <> 'EU'",
        expect={ANY: "SELECT count(*) FROM $O o JOIN $C c USING (customer_id) WHERE c.region <> 'EU'"},
    ),
    Attempt(
        "sales_email_filter",
        "view",
        f"SELECT order_id FROM sales WHERE customer_email = '{NA_EMAIL}'",
        expect={
            ADMIN: f"SELECT order_id FROM raw.orders o JOIN raw.customers c USING (customer_id) WHERE c.email = "
            f"'{NA_EMAIL}'",
            ANALYST: "",
            EU: "",
        },
    ),
    Attempt(
        "sales_group_by_email",
        "view",
        "SELECT customer_email, order_count FROM sales GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
    ),
    Attempt(
        "sales_phone_like",
        "view",
        "SELECT count(*) FROM sales WHERE customer_phone LIKE '+1%'",
        expect={ANY: "SELECT count(*) FROM $O o JOIN $C c USING (customer_id) WHERE c.phone LIKE '+1%'"},
    ),
    Attempt(
        "sales_join_customers",
        "view",
        "SELECT s.order_id, s.customer_name, c.name, c.email FROM sales s JOIN customers c ON s.customer_id = "
        "c.customer_id "
        "ORDER BY 1 LIMIT 100",
    ),
    Attempt("sales_gross_revenue", "hidden_member", "SELECT customer_region, gross_revenue FROM sales", fail=EU_HIDDEN),
    Attempt("sales_gross_amount", "hidden_member", "SELECT sum(gross_amount) FROM sales", fail=EU_HIDDEN),
    Attempt(
        "sales_net_plus_refunded",
        "derived_member",
        "SELECT net_revenue + refunded_revenue AS total FROM sales",
        expect={ADMIN: "SELECT sum(gross_amount) FROM $O", ANALYST: "SELECT sum(gross_amount) FROM $O"},
        fail=EU_HIDDEN,
    ),
    Attempt(
        "customer_360_values",
        "view",
        "SELECT customer_id, name, email, phone, region, order_count, returned_orders FROM customer_360 ORDER BY 1 "
        "LIMIT 300",
    ),
    Attempt(
        "customer_360_count",
        "view",
        "SELECT count(*) AS n, customer_count FROM customer_360",
        expect={ANY: "SELECT count(*), count(*) FROM $C"},
    ),
    Attempt(
        "customer_360_email_like",
        "view",
        "SELECT count(*) FROM customer_360 WHERE email LIKE 'nora%'",
        expect={
            ADMIN: "SELECT count(*) FROM raw.customers WHERE email LIKE 'nora%'",
            ANALYST: "SELECT 0",
            EU: "SELECT 0",
        },
    ),
    Attempt(
        "customer_360_gross",
        "hidden_member",
        "SELECT customer_id, gross_revenue FROM customer_360 LIMIT 5",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "customer_360_region_figures",
        "view",
        "SELECT region, order_count, returned_orders FROM customer_360 ORDER BY 1",
        expect={
            ANY: "SELECT c.region, count(o.order_id), count(o.order_id) FILTER (WHERE o.status = 'returned') FROM $C c "
            "LEFT JOIN $O o USING (customer_id) GROUP BY 1 ORDER BY 1"
        },
        ordered=True,
    ),
    # -- hidden members in every position --------------------------------------------------------------
    Attempt("hidden_select", "hidden_member", "SELECT gross_revenue FROM orders", fail=EU_HIDDEN),
    Attempt("hidden_column", "hidden_member", "SELECT order_id, gross_amount FROM orders LIMIT 5", fail=EU_HIDDEN),
    Attempt(
        "hidden_in_expression",
        "hidden_member",
        "SELECT sum(gross_amount - refunded_amount) FROM orders",
        fail=EU_HIDDEN,
    ),
    Attempt("hidden_in_where", "hidden_member", "SELECT count(*) FROM orders WHERE gross_amount > 100", fail=EU_HIDDEN),
    Attempt(
        "hidden_in_order_by",
        "hidden_member",
        "SELECT order_id FROM orders ORDER BY gross_amount DESC LIMIT 3",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "hidden_in_group_by", "hidden_member", "SELECT gross_amount, count(*) FROM orders GROUP BY 1", fail=EU_HIDDEN
    ),
    Attempt(
        "hidden_in_having",
        "hidden_member",
        "SELECT status FROM orders GROUP BY status HAVING sum(gross_amount) > 0",
        fail=EU_HIDDEN,
    ),
    Attempt("hidden_measure_call", "hidden_member", "SELECT MEASURE(gross_revenue) FROM orders", fail=EU_HIDDEN),
    Attempt("hidden_qualified", "hidden_member", "SELECT o.gross_amount FROM orders o LIMIT 1", fail=EU_HIDDEN),
    Attempt(
        "hidden_in_subquery",
        "hidden_member",
        "SELECT count(*) FROM orders WHERE order_id IN (SELECT order_id FROM orders WHERE gross_amount > 500)",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "hidden_in_case",
        "hidden_member",
        "SELECT CASE WHEN gross_amount > 0 THEN 1 END AS x FROM orders LIMIT 1",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "hidden_in_join_condition",
        "hidden_member",
        "SELECT count(*) FROM orders a JOIN orders b ON a.gross_amount = b.gross_amount AND a.order_id < b.order_id",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "hidden_join_using",
        "hidden_member",
        "SELECT count(*) FROM orders a JOIN orders b USING (gross_amount)",
        fail=EU_HIDDEN,
    ),
    Attempt("hidden_quoted", "quoted", 'SELECT "gross_revenue" FROM orders', fail=EU_HIDDEN),
    Attempt("hidden_quoted_upper", "quoted", 'SELECT "GROSS_REVENUE" FROM orders', fail=hidden(ADMIN, ANALYST, EU)),
    Attempt("hidden_quoted_amount", "quoted", 'SELECT sum("gross_amount") FROM "orders"', fail=EU_HIDDEN),
    Attempt("hidden_unicode_escape", "quoted", 'SELECT U&"gross\\005frevenue" FROM orders'),
    Attempt("hidden_public_qualified", "schema", "SELECT gross_amount FROM public.orders LIMIT 1", fail=EU_HIDDEN),
    Attempt(
        "expression_allowed",
        "derived_member",
        "SELECT net_revenue + refunded_revenue AS total, net_revenue FROM orders",
        expect={
            ADMIN: "SELECT sum(gross_amount), sum(gross_amount - refunded_amount) FROM $O",
            ANALYST: "SELECT sum(gross_amount), sum(gross_amount - refunded_amount) FROM $O",
        },
        fail=EU_HIDDEN,
    ),
    # -- derived members: recomputing the hidden gross from what is built on it ---------------------------
    # eu_analyst may not see gross_amount / gross_revenue. Policies follow derivation: net_revenue
    # (gross - refunded) and average_order_value (over it) read gross_amount; order lines add up to an
    # order's gross (item_revenue, line prices, list prices times quantities). Each attempt below
    # recomputes the gross (admin and analyst get it, checked against the raw tables); eu_analyst must
    # be refused like a nonexistent column, and the oracle looks for any gross value in every answer.
    Attempt(
        "derived_net_plus_refunds",
        "derived_member",
        "SELECT MEASURE(net_revenue) + MEASURE(refunded_revenue) AS g FROM orders",
        expect=GROSS_TOTAL,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_aov_times_count",
        "derived_member",
        "SELECT round(MEASURE(average_order_value) * MEASURE(order_count) + MEASURE(refunded_revenue), 2) AS g "
        "FROM orders",
        expect=GROSS_TOTAL,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_net_plus_refunds_by_status",
        "derived_member",
        "SELECT status, net_revenue + refunded_revenue AS g FROM orders GROUP BY 1 ORDER BY 1",
        expect=gross("SELECT status, sum(gross_amount) FROM $O GROUP BY 1 ORDER BY 1"),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_per_order",
        "derived_member",
        "SELECT order_id, net_revenue + refunded_revenue AS g FROM orders GROUP BY 1 ORDER BY 1 LIMIT 50",
        expect=gross("SELECT order_id, gross_amount FROM $O ORDER BY 1 LIMIT 50"),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_per_order_by_hand",
        "derived_member",
        "SELECT order_id, sum(gross_amount - refunded_amount) + sum(refunded_amount) AS g FROM orders GROUP BY 1 "
        "ORDER BY 1 LIMIT 50",
        expect=gross("SELECT order_id, gross_amount FROM $O ORDER BY 1 LIMIT 50"),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_sales_view_by_region",
        "derived_member",
        "SELECT customer_region, net_revenue + refunded_revenue AS g FROM sales GROUP BY 1 ORDER BY 1",
        expect=gross(
            "SELECT c.region, sum(o.gross_amount) FROM $O o JOIN raw.customers c USING (customer_id) GROUP BY 1 "
            "ORDER BY 1"
        ),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_customer_360_join_refunds",
        "derived_member",
        "SELECT c.customer_id, c.net_revenue + r.refunds AS g FROM customer_360 c JOIN (SELECT customer_id, "
        "refunded_revenue AS refunds FROM orders GROUP BY 1) r USING (customer_id) ORDER BY 1 LIMIT 50",
        expect=gross("SELECT customer_id, sum(gross_amount) FROM $O GROUP BY 1 ORDER BY 1 LIMIT 50"),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_customer_360_aov",
        "derived_member",
        "SELECT customer_id, average_order_value * order_count AS net FROM customer_360 ORDER BY 1 LIMIT 50",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_item_revenue",
        "derived_member",
        "SELECT item_revenue FROM order_items",
        expect=GROSS_TOTAL,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_item_revenue_per_order",
        "derived_member",
        "SELECT order_id, item_revenue FROM sales GROUP BY 1 ORDER BY 1 LIMIT 50",
        expect=gross("SELECT order_id, gross_amount FROM $O ORDER BY 1 LIMIT 50"),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_lines_by_hand",
        "derived_member",
        "SELECT order_id, sum(quantity * unit_price - discount) AS g FROM order_items GROUP BY 1 ORDER BY 1 LIMIT 50",
        expect=gross("SELECT order_id, gross_amount FROM $O ORDER BY 1 LIMIT 50"),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_list_price_times_quantity",
        "derived_member",
        "SELECT i.order_id, sum(i.quantity * p.unit_price) AS g FROM order_items i JOIN products p "
        "ON i.product_id = p.product_id GROUP BY 1 ORDER BY 1 LIMIT 50",
        expect=gross(
            "SELECT i.order_id, sum(i.quantity * p.unit_price) FROM $I i JOIN raw.products p USING (product_id) "
            "GROUP BY 1 ORDER BY 1 LIMIT 50"
        ),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_average_list_price",
        "derived_member",
        "SELECT category, average_list_price * product_count AS total FROM products GROUP BY 1 ORDER BY 1",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_window_total",
        "derived_member",
        "SELECT DISTINCT sum(n + r) OVER () AS g FROM (SELECT order_id, net_revenue AS n, refunded_revenue AS r "
        "FROM orders GROUP BY 1) t",
        expect=GROSS_TOTAL,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_window_running",
        "derived_member",
        "SELECT order_id, sum(v) OVER (ORDER BY order_id) AS running FROM (SELECT order_id, item_revenue AS v "
        "FROM sales GROUP BY 1) t ORDER BY 1 LIMIT 20",
        expect=gross("SELECT order_id, sum(gross_amount) OVER (ORDER BY order_id) FROM $O ORDER BY 1 LIMIT 20"),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_scalar_subqueries",
        "derived_member",
        "SELECT (SELECT net_revenue FROM orders) + (SELECT refunded_revenue FROM orders) AS g",
        expect=GROSS_TOTAL,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_cte",
        "derived_member",
        "WITH n AS (SELECT net_revenue, refunded_revenue FROM orders) SELECT net_revenue + refunded_revenue AS g "
        "FROM n",
        expect=GROSS_TOTAL,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_union_parts",
        "derived_member",
        "SELECT sum(v) AS g FROM (SELECT net_revenue AS v FROM orders UNION ALL SELECT refunded_revenue FROM orders) t",
        expect=GROSS_TOTAL,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_in_having",
        "derived_member",
        "SELECT status FROM orders GROUP BY 1 HAVING MEASURE(net_revenue) + MEASURE(refunded_revenue) > 1000000 "
        "ORDER BY 1",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_in_order_by",
        "derived_member",
        "SELECT order_id FROM sales GROUP BY 1 ORDER BY item_revenue DESC, 1 LIMIT 5",
        expect=gross("SELECT order_id FROM $O ORDER BY gross_amount DESC, 1 LIMIT 5"),
        ordered=True,
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_prepared_order",
        "derived_member",
        "SELECT order_id, net_revenue + refunded_revenue AS g FROM orders WHERE order_id = %s GROUP BY 1",
        params=(EU_ORDER,),
        expect=gross(f"SELECT order_id, gross_amount FROM $O WHERE order_id = {EU_ORDER}"),
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_copy",
        "derived_member",
        "COPY (SELECT order_id, item_revenue FROM sales GROUP BY 1 ORDER BY 1 LIMIT 50) TO STDOUT",
        protocol="copy",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "derived_simple_protocol",
        "derived_member",
        "SELECT 1 AS one; SELECT net_revenue + refunded_revenue AS g FROM orders",
        protocol="simple",
        fail=EU_HIDDEN,
    ),
    Attempt("derived_columns_regex", "derived_member", "SELECT COLUMNS('.*revenue') FROM orders"),
    Attempt("derived_star_customer_360", "derived_member", "SELECT * FROM customer_360 ORDER BY 1 LIMIT 200"),
    Attempt("derived_star_order_items", "derived_member", "SELECT * FROM order_items ORDER BY 1 LIMIT 200"),
    Attempt("derived_star_products", "derived_member", "SELECT * FROM products ORDER BY 1 LIMIT 200"),
    Attempt(
        "derived_catalog_columns",
        "derived_member",
        "SELECT table_name, column_name FROM information_schema.columns WHERE column_name LIKE '%revenue%' "
        "OR column_name LIKE '%price%' OR column_name LIKE '%discount%' OR column_name LIKE '%order_value%' "
        "ORDER BY 1, 2",
    ),
    Attempt(
        # A segment of visible columns: a fully returned order's refund is its whole value, which the EU team
        # may see (refunded_amount is not hidden). The oracle counts only gross values not otherwise shown.
        "derived_refund_of_returned_orders",
        "derived_member",
        "SELECT order_id, refunded_amount FROM orders WHERE returned ORDER BY 1 LIMIT 50",
        expect={ANY: "SELECT order_id, refunded_amount FROM $O WHERE status = 'returned' ORDER BY 1 LIMIT 50"},
        ordered=True,
    ),
    # -- quoted identifiers and schema-qualified names -----------------------------------------------------
    Attempt(
        "quoted_upper_relation",
        "quoted",
        'SELECT count(*) FROM "ORDERS"',
        fail=dict.fromkeys((ADMIN, ANALYST, EU), "42P01"),
    ),
    Attempt(
        "quoted_lower_relation",
        "quoted",
        'SELECT "customer_id", "name", "email", "phone" FROM "customers" ORDER BY "customer_id" LIMIT 50',
    ),
    Attempt(
        "quoted_mixed_case_column", "quoted", 'SELECT "Name" FROM customers LIMIT 1', fail=hidden(ADMIN, ANALYST, EU)
    ),
    Attempt(
        "schema_public",
        "schema",
        "SELECT customer_id, name, email, phone FROM public.customers ORDER BY customer_id LIMIT 50",
    ),
    Attempt("schema_raw", "schema", "SELECT name, email FROM raw.customers LIMIT 5"),
    Attempt("schema_main", "schema", "SELECT name, email FROM main.customers LIMIT 5"),
    Attempt("schema_catalog_qualified", "schema", "SELECT name, email FROM quiver.public.customers LIMIT 5"),
    Attempt("schema_database_file", "schema", "SELECT name, email FROM orders.raw.customers LIMIT 5"),
    Attempt(
        "schema_raw_in_join",
        "schema",
        "SELECT c.customer_id, r.name FROM customers c JOIN raw.customers r ON r.customer_id = c.customer_id LIMIT 5",
    ),
    Attempt(
        "schema_raw_in_subquery",
        "schema",
        "SELECT count(*) FROM orders WHERE customer_id IN (SELECT customer_id FROM raw.customers WHERE region = 'NA')",
    ),
    Attempt("schema_raw_orders_gross", "schema", "SELECT sum(gross_amount) FROM raw.orders"),
    Attempt("schema_pg_catalog_relation", "schema", "SELECT * FROM pg_catalog.customers"),
    Attempt(
        "schema_information_schema_raw",
        "catalog",
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = 'raw'",
    ),
    # -- file and table functions ----------------------------------------------------------------------
    Attempt("file_read_csv", "table_function", "SELECT * FROM read_csv('/etc/passwd')"),
    Attempt(
        "file_read_csv_with_relation",
        "table_function",
        "SELECT c.customer_id, f.* FROM customers c, read_csv_auto('/etc/passwd') f LIMIT 1",
    ),
    Attempt("file_read_parquet", "table_function", "SELECT count(*) FROM orders, read_parquet('/tmp/x.parquet')"),
    Attempt(
        "file_glob", "table_function", "SELECT count(*) FROM customers WHERE EXISTS (SELECT * FROM glob('/etc/*'))"
    ),
    Attempt(
        "file_read_text",
        "table_function",
        "SELECT (SELECT content FROM read_text('/etc/hostname')) AS t FROM orders LIMIT 1",
    ),
    Attempt("file_read_blob_database", "table_function", "SELECT * FROM read_blob('.quiver/orders.duckdb')"),
    Attempt("file_path_as_table", "table_function", "SELECT c.customer_id FROM customers c, '/etc/passwd' LIMIT 1"),
    Attempt("file_database_path_as_table", "table_function", "SELECT * FROM '.quiver/orders.duckdb' LIMIT 1"),
    Attempt("table_query_table", "table_function", "SELECT * FROM query_table('raw.customers')"),
    Attempt(
        "table_query_table_with_relation",
        "table_function",
        "SELECT o.order_id, q.name FROM orders o, query_table('raw.customers') q LIMIT 5",
    ),
    Attempt("table_query", "table_function", "SELECT * FROM customers, query('SELECT * FROM raw.customers') LIMIT 5"),
    Attempt("table_duckdb_settings", "table_function", "SELECT * FROM duckdb_settings()"),
    Attempt(
        "table_duckdb_settings_with_relation",
        "table_function",
        "SELECT (SELECT count(*) FROM duckdb_settings()) AS n FROM products LIMIT 1",
    ),
    Attempt("table_duckdb_tables", "table_function", "SELECT p.name, t.* FROM products p, duckdb_tables() t LIMIT 5"),
    Attempt(
        "table_pragma_table_info", "table_function", "SELECT * FROM orders, pragma_table_info('raw.orders') LIMIT 5"
    ),
    Attempt(
        "table_postgres_scan",
        "table_function",
        "SELECT * FROM orders, postgres_scan('host=127.0.0.1 dbname=x', 'public', 'x') LIMIT 1",
    ),
    Attempt("table_iceberg_scan", "table_function", "SELECT * FROM orders, iceberg_scan('/tmp/iceberg') LIMIT 1"),
    Attempt("table_sql_auto_complete", "table_function", "SELECT * FROM sql_auto_complete('SELECT * FROM raw.')"),
    # -- engine commands ------------------------------------------------------------------------------
    Attempt("command_attach", "command", "ATTACH '/tmp/quiver_bypass_attach.duckdb' AS x"),
    Attempt("command_install", "command", "INSTALL httpfs"),
    Attempt("command_load", "command", "LOAD httpfs"),
    Attempt("command_pragma", "command", "PRAGMA table_info('raw.customers')"),
    Attempt(
        "command_copy_to_file",
        "command",
        "COPY (SELECT name, email, phone FROM customers) TO '/tmp/quiver_bypass_copy.csv'",
    ),
    Attempt("command_copy_relation_to_file", "command", "COPY customers TO '/tmp/quiver_bypass_copy2.csv'"),
    Attempt("command_export_database", "command", "EXPORT DATABASE '/tmp/quiver_bypass_export'"),
    Attempt(
        "command_copy_to_stdout",
        "command",
        "COPY (SELECT customer_id, name, email, phone, region, country FROM customers) TO STDOUT",
        protocol="copy",
    ),
    Attempt(
        "command_copy_gross_to_stdout",
        "hidden_member",
        "COPY (SELECT gross_revenue FROM orders) TO STDOUT",
        protocol="copy",
        fail=EU_HIDDEN,
    ),
    Attempt("command_summarize", "command", "SUMMARIZE customers"),
    Attempt("command_summarize_select", "command", "SUMMARIZE SELECT name, email, phone FROM customers"),
    Attempt("command_describe", "command", "DESCRIBE orders"),
    Attempt("command_show_tables", "command", "SHOW TABLES"),
    Attempt("command_show_all", "command", "SHOW ALL"),
    Attempt("command_pivot", "command", "PIVOT customers ON region USING count(*)"),
    Attempt("command_from_first", "command", "FROM customers SELECT customer_id, name, email LIMIT 20"),
    Attempt("command_create_view", "command", "CREATE VIEW v AS SELECT name FROM raw.customers"),
    Attempt("command_create_macro", "command", "CREATE MACRO leak(x) AS x"),
    Attempt("command_call", "command", "CALL pragma_version()"),
    Attempt("command_explain", "command", "EXPLAIN SELECT name, email, phone FROM customers WHERE email LIKE 'nora%'"),
    Attempt(
        "command_explain_analyze", "command", "EXPLAIN ANALYZE SELECT customer_id FROM customers WHERE region = 'NA'"
    ),
    Attempt(
        "command_explain_hidden",
        "hidden_member",
        "EXPLAIN SELECT gross_revenue FROM orders",
        fail=EU_HIDDEN,
        session=True,
    ),
    # -- settings ------------------------------------------------------------------------------------------
    Attempt(
        "set_external_access",
        "setting",
        "SET enable_external_access = true; SELECT count(*) FROM customers, read_csv('/etc/passwd')",
        protocol="simple",
    ),
    Attempt(
        "set_memory_limit",
        "setting",
        "SET memory_limit = '1GB'; SELECT current_setting('memory_limit')",
        protocol="simple",
    ),
    Attempt(
        "set_search_path_raw",
        "setting",
        "SET search_path = raw, public; SELECT customer_id, name, email, phone FROM customers ORDER BY 1 LIMIT 20; "
        "RESET search_path",
        protocol="simple",
    ),
    Attempt("set_lock_configuration", "setting", "SET lock_configuration = false", protocol="simple"),
    Attempt("set_role_admin", "setting", "SET ROLE admin", protocol="simple"),
    Attempt("set_session_authorization", "setting", "SET SESSION AUTHORIZATION admin", protocol="simple"),
    Attempt(
        "reset_all",
        "setting",
        "RESET ALL; SELECT customer_id, name, email FROM customers ORDER BY 1 LIMIT 20",
        protocol="simple",
    ),
    # -- functions outside the allowlist -----------------------------------------------------------------
    Attempt("function_error", "function", "SELECT error(name) FROM customers LIMIT 1"),
    Attempt(
        "function_error_on_hidden_rows",
        "function",
        "SELECT count(*) FROM customers WHERE CASE WHEN region <> 'EU' THEN error(email) ELSE true END",
    ),
    Attempt("function_getvariable", "function", "SELECT getvariable('secret') AS v FROM customers LIMIT 1"),
    Attempt(
        "function_current_setting", "function", "SELECT current_setting('memory_limit') AS m FROM customers LIMIT 1"
    ),
    Attempt("function_current_setting_alone", "function", "SELECT current_setting('enable_external_access')"),
    Attempt("function_pg_sleep", "function", "SELECT pg_sleep(0.01) FROM customers LIMIT 1"),
    Attempt("function_getenv", "function", "SELECT getenv('HOME') AS h FROM customers LIMIT 1"),
    Attempt("function_current_query", "function", "SELECT current_query() AS q FROM customers LIMIT 1"),
    Attempt(
        "function_duckdb_extensions",
        "function",
        "SELECT (SELECT count(*) FROM duckdb_extensions()) FROM orders LIMIT 1",
    ),
    Attempt(
        "function_json_serialize_sql",
        "function",
        "SELECT json_serialize_sql('SELECT * FROM raw.customers') FROM orders LIMIT 1",
    ),
    Attempt(
        "function_md5_name",
        "function",
        "SELECT customer_id, md5(name) AS m, md5(email) AS me FROM customers ORDER BY 1 LIMIT 20",
    ),
    Attempt(
        "function_reverse_values",
        "function",
        "SELECT reverse(name), reverse(email), reverse(phone) FROM customers LIMIT 50",
    ),
    Attempt(
        "function_regexp_extract",
        "function",
        "SELECT regexp_extract(email, '^(.*)@', 1) AS local FROM customers LIMIT 50",
    ),
    Attempt(
        "function_hash_probe",
        "function",
        f"SELECT count(*) FROM customers WHERE hash(email) = hash('{NA_EMAIL}')",
        expect={ADMIN: "SELECT 1", ANALYST: "SELECT 0", EU: "SELECT 0"},
    ),
    # -- catalog --------------------------------------------------------------------------------------------
    Attempt(
        "catalog_information_schema_columns",
        "catalog",
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' "
        "ORDER BY 1, 2",
    ),
    Attempt(
        "catalog_gross_columns",
        "catalog",
        "SELECT count(*) FROM information_schema.columns WHERE column_name LIKE 'gross%'",
        expect={EU: "SELECT 0", GUEST: "SELECT 0"},
    ),
    Attempt(
        "catalog_information_schema_tables",
        "catalog",
        "SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY 1, 2",
    ),
    Attempt(
        "catalog_pg_class",
        "catalog",
        "SELECT c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
        "c.relnamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    ),
    Attempt(
        "catalog_pg_attribute",
        "catalog",
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_class c ON a.attrelid = c.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE a.attnum > 0 AND n.nspname = 'public' ORDER BY 1, a.attnum",
    ),
    Attempt(
        "catalog_psql_describe_orders",
        "catalog",
        "SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default "
        "AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3",
    ),
    Attempt(
        "catalog_psql_describe_columns",
        "catalog",
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
        "pg_catalog.col_description(a.attrelid, a.attnum) FROM pg_catalog.pg_attribute a "
        "WHERE a.attrelid = (SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname = 'sales') "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
    ),
    Attempt(
        "catalog_psql_describe_c360",
        "catalog",
        "SELECT a.attname, pg_catalog.col_description(a.attrelid, a.attnum) FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 'customer_360' AND a.attnum > 0",
    ),
    Attempt("catalog_regclass", "catalog", "SELECT 'orders'::regclass::oid AS o"),
    Attempt("catalog_pg_description", "catalog", "SELECT objoid, objsubid, description FROM pg_catalog.pg_description"),
    Attempt("catalog_pg_tables", "catalog", "SELECT schemaname, tablename FROM pg_catalog.pg_tables ORDER BY 1, 2"),
    Attempt(
        "catalog_pg_views", "catalog", "SELECT schemaname, viewname, definition FROM pg_catalog.pg_views ORDER BY 1, 2"
    ),
    Attempt(
        "catalog_constraints",
        "catalog",
        "SELECT conname, conrelid::regclass::text AS rel, confrelid FROM pg_catalog.pg_constraint ORDER BY 1",
    ),
    Attempt(
        "catalog_referential_constraints",
        "catalog",
        "SELECT * FROM information_schema.referential_constraints",
    ),
    Attempt(
        "catalog_key_column_usage",
        "catalog",
        "SELECT table_name, column_name, constraint_name FROM information_schema.key_column_usage ORDER BY 1, 2",
    ),
    Attempt(
        "catalog_pg_index",
        "catalog",
        "SELECT indexrelid::regclass::text AS i, indrelid::regclass::text AS t FROM pg_catalog.pg_index",
    ),
    Attempt(
        "catalog_has_table_privilege",
        "catalog",
        "SELECT has_table_privilege('customers', 'SELECT') AS c",
    ),
    Attempt("catalog_pg_stat_activity", "catalog", "SELECT usename, state, query FROM pg_catalog.pg_stat_activity"),
    Attempt("catalog_pg_settings", "catalog", "SELECT name, setting FROM pg_catalog.pg_settings ORDER BY 1"),
    Attempt("catalog_pg_namespace", "catalog", "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1"),
    Attempt(
        "catalog_information_schema_views",
        "catalog",
        "SELECT table_name, view_definition FROM information_schema.views",
    ),
    Attempt("catalog_pg_roles", "catalog", "SELECT rolname, rolsuper FROM pg_catalog.pg_roles ORDER BY 1"),
    # -- error messages and did-you-mean hints ----------------------------------------------------------------
    Attempt(
        "error_typo_gross_revenue", "error_message", "SELECT gross_revenu FROM orders", fail=hidden(ADMIN, ANALYST, EU)
    ),
    Attempt(
        "error_typo_gross_amount", "error_message", "SELECT gross_amoun FROM orders", fail=hidden(ADMIN, ANALYST, EU)
    ),
    Attempt("error_typo_in_sales", "error_message", "SELECT gross_revenu FROM sales", fail=hidden(ADMIN, ANALYST, EU)),
    Attempt(
        "error_typo_in_customer_360",
        "error_message",
        "SELECT gros_revenue FROM customer_360",
        fail=hidden(ADMIN, ANALYST, EU),
    ),
    Attempt("error_typo_relation_customers", "error_message", "SELECT * FROM custmers"),
    Attempt("error_typo_relation_orders", "error_message", "SELECT * FROM ordrs"),
    Attempt("error_typo_relation_customer_360", "error_message", "SELECT * FROM customer_36"),
    Attempt("error_typo_relation_sales", "error_message", "SELECT * FROM sale"),
    Attempt("error_typo_column_email", "error_message", "SELECT emial FROM customers", fail=hidden(ADMIN, ANALYST, EU)),
    Attempt("error_ambiguous_join", "error_message", "SELECT customer_id FROM orders JOIN customers ON true LIMIT 1"),
    Attempt("error_typo_in_subquery", "error_message", "SELECT (SELECT gross_revenux FROM orders) AS x"),
    # -- prepared statements with parameters (server-side binding) ----------------------------------------
    Attempt(
        "prepared_email_equals",
        "prepared",
        "SELECT customer_id FROM customers WHERE email = %s",
        params=(NA_EMAIL,),
        expect={ADMIN: f"SELECT customer_id FROM raw.customers WHERE email = '{NA_EMAIL}'", ANALYST: "", EU: ""},
    ),
    Attempt(
        "prepared_name_equals",
        "prepared",
        "SELECT count(*) FROM customers WHERE name = %s",
        params=(NA_NAME,),
        expect={ANY: f"SELECT count(*) FROM $C WHERE name = '{NA_NAME}'"},
    ),
    Attempt(
        "prepared_phone_like",
        "prepared",
        "SELECT count(*) FROM customers WHERE phone LIKE %s",
        params=("+1-555-282%",),
        expect={ANY: "SELECT count(*) FROM $C WHERE phone LIKE '+1-555-282%'"},
    ),
    Attempt(
        "prepared_email_like",
        "prepared",
        "SELECT customer_id FROM customers WHERE email LIKE %s",
        params=("nora%",),
        expect={ADMIN: "SELECT customer_id FROM raw.customers WHERE email LIKE 'nora%'", ANALYST: "", EU: ""},
    ),
    Attempt(
        "prepared_email_in",
        "prepared",
        "SELECT count(*) FROM customers WHERE email IN (%s, %s)",
        params=(NA_EMAIL, "omar.weber2@mail.example"),
        expect={ADMIN: "SELECT 2", ANALYST: "SELECT 0", EU: "SELECT 0"},
    ),
    Attempt(
        "prepared_customer_id",
        "prepared",
        "SELECT customer_id, region FROM customers WHERE customer_id = %s",
        params=(NA_CUSTOMER,),
        expect={ANY: f"SELECT customer_id, region FROM $C WHERE customer_id = {NA_CUSTOMER}"},
    ),
    Attempt(
        "prepared_order_id",
        "prepared",
        "SELECT order_id, customer_id FROM sales WHERE order_id = %s",
        params=(APAC_ORDER,),
        expect={ANY: f"SELECT order_id, customer_id FROM $O WHERE order_id = {APAC_ORDER}"},
    ),
    Attempt(
        "prepared_cast_oracle",
        "prepared",
        "SELECT count(*) FROM customers WHERE CASE WHEN region <> %s THEN CAST(name AS INT) ELSE 0 END = 0",
        params=("EU",),
        expect={EU: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "prepared_hidden_in_where",
        "hidden_member",
        "SELECT order_id, refunded_revenue FROM orders WHERE gross_amount > %s ORDER BY 1 LIMIT 5",
        params=(5000,),
        fail=EU_HIDDEN,
    ),
    Attempt(
        "prepared_hidden_member",
        "hidden_member",
        "SELECT gross_revenue FROM orders WHERE status = %s",
        params=("shipped",),
        fail=EU_HIDDEN,
    ),
    Attempt(
        "prepared_join_on_param",
        "prepared",
        "SELECT c.customer_id FROM customers c WHERE c.email = %s OR c.name = %s OR c.phone = %s",
        params=(NA_EMAIL, NA_NAME, NA_PHONE),
        expect={
            ADMIN: f"SELECT customer_id FROM raw.customers WHERE email = '{NA_EMAIL}' OR name = '{NA_NAME}' "
            f"OR phone = '{NA_PHONE}'",
            ANALYST: "",
            EU: "",
        },
    ),
    # -- several statements in one simple query ----------------------------------------------------------
    Attempt(
        "multi_select_then_names",
        "multi_statement",
        "SELECT 1; SELECT name, email, phone FROM customers",
        protocol="simple",
    ),
    Attempt(
        "multi_then_hidden",
        "multi_statement",
        "SELECT 1; SELECT gross_revenue FROM orders",
        protocol="simple",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "multi_semicolon_in_string",
        "multi_statement",
        "SELECT ';' AS s; SELECT customer_id, email, phone FROM customers ORDER BY customer_id LIMIT 30",
        protocol="simple",
    ),
    Attempt(
        "multi_semicolon_in_comment",
        "multi_statement",
        "SELECT 1 /* ; */; SELECT customer_id, name, phone FROM customers ORDER BY customer_id LIMIT 30 -- ;",
        protocol="simple",
    ),
    Attempt(
        "multi_temp_table",
        "multi_statement",
        "CREATE LOCAL TEMPORARY TABLE bypass_t AS SELECT customer_id, name, email, phone FROM customers; "
        "SELECT * FROM bypass_t ORDER BY customer_id LIMIT 100; DROP TABLE bypass_t",
        protocol="simple",
    ),
    Attempt(
        "multi_temp_table_hidden",
        "hidden_member",
        "CREATE LOCAL TEMPORARY TABLE bypass_g AS SELECT order_id, gross_amount FROM orders",
        protocol="simple",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "multi_cursor",
        "multi_statement",
        "BEGIN; DECLARE bypass_c CURSOR FOR SELECT customer_id, name, email, phone FROM customers ORDER BY 1; "
        "FETCH 20 FROM bypass_c; CLOSE bypass_c; COMMIT",
        protocol="simple",
    ),
    Attempt(
        "multi_sql_prepare",
        "multi_statement",
        "PREPARE bypass_p AS SELECT name, email FROM customers WHERE customer_id = $1; EXECUTE bypass_p(1); "
        "DEALLOCATE bypass_p",
        protocol="simple",
    ),
    # -- comment tricks ----------------------------------------------------------------------------------
    Attempt(
        "comment_block",
        "comment",
        "SELECT customer_id, /* name */ email FROM customers /* WHERE region = 'EU' */ ORDER BY customer_id LIMIT 30",
    ),
    Attempt("comment_line", "comment", "SELECT name -- , gross_revenue\nFROM customers LIMIT 30"),
    Attempt(
        "comment_hiding_hidden_member",
        "hidden_member",
        "SELECT refunded_revenue, /**/gross_revenue/**/ FROM orders",
        fail=EU_HIDDEN,
    ),
    Attempt("comment_nested", "comment", "SELECT /* /* nested */ */ phone FROM customers LIMIT 30"),
    Attempt("comment_splits_identifier", "comment", "SELECT gross/**/_revenue FROM orders"),
    Attempt(
        "comment_after_filter",
        "comment",
        "SELECT count(*) FROM customers -- WHERE region = 'EU'",
        expect={ANY: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "comment_simple_protocol",
        "comment",
        "/* x */ SELECT customer_id, name, email FROM customers -- ; SELECT * FROM raw.customers\n ORDER BY 1 LIMIT 10",
        protocol="simple",
    ),
    # -- DuckDB star expressions: COLUMNS() matches the engine's scan columns, not the caller's members --------
    Attempt(
        "columns_regex_hidden_sum",
        "hidden_member",
        "SELECT refunded_revenue, sum(COLUMNS('gross.*')) AS s FROM orders",
        twin=(("gross.*", "grosz.*"),),
        twin_users=(EU,),
    ),
    Attempt(
        "columns_regex_hidden_filter",
        "hidden_member",
        "SELECT order_id, refunded_revenue FROM orders WHERE COLUMNS('gross.*') > 5000",
        twin=(("gross.*", "grosz.*"),),
        twin_users=(EU,),
    ),
    Attempt(
        "columns_regex_hidden_count_filter",
        "hidden_member",
        "SELECT status, refunded_revenue, count(*) FILTER (WHERE COLUMNS('gross.*') > 100) AS n FROM orders",
        twin=(("gross.*", "grosz.*"),),
        twin_users=(EU,),
    ),
    Attempt(
        "columns_regex_hidden_list",
        "hidden_member",
        "SELECT refunded_revenue, list(COLUMNS('gross.*')) AS l FROM orders",
        twin=(("gross.*", "grosz.*"),),
        twin_users=(EU,),
    ),
    Attempt("columns_regex_hidden_bare", "hidden_member", "SELECT refunded_revenue, COLUMNS('gross.*') FROM orders"),
    Attempt(
        "columns_lambda_hidden",
        "hidden_member",
        "SELECT refunded_revenue, COLUMNS(c -> c LIKE 'gross%') FROM orders",
    ),
    Attempt(
        "columns_star_aggregate",
        "hidden_member",
        "SELECT refunded_revenue, max(COLUMNS(*)) FROM orders",
        differ={EU: "SELECT sum(refunded_amount), max(gross_amount), max(refunded_amount) FROM $O"},
    ),
    Attempt("columns_regex_masked", "star", "SELECT customer_id, COLUMNS('.*') FROM customers ORDER BY 1 LIMIT 50"),
    Attempt("columns_email", "star", "SELECT customer_id, COLUMNS('email') AS e FROM customers ORDER BY 1 LIMIT 50"),
    Attempt(
        "columns_lambda_name",
        "star",
        "SELECT customer_id, max(COLUMNS(c -> c = 'name')) AS m FROM customers GROUP BY 1 ORDER BY 1 LIMIT 50",
    ),
    Attempt("star_like_email", "star", "SELECT customer_id, * LIKE 'em%' FROM customers ORDER BY 1 LIMIT 50"),
    Attempt("star_not_like", "star", "SELECT * NOT LIKE '%i%' FROM customers LIMIT 50"),
    Attempt(
        "star_similar_to_name", "star", "SELECT customer_id, * SIMILAR TO 'na.*' FROM customers ORDER BY 1 LIMIT 50"
    ),
    Attempt("star_glob_phone", "star", "SELECT customer_id, * GLOB 'ph*' FROM customers ORDER BY 1 LIMIT 50"),
    Attempt("star_ilike_email", "star", "SELECT customer_id, * ILIKE 'EM%' FROM customers ORDER BY 1 LIMIT 50"),
    Attempt(
        "star_like_hidden",
        "hidden_member",
        "SELECT refunded_revenue, * LIKE 'gross%' FROM orders",
        twin=(("gross%", "grosz%"),),
        twin_users=(EU,),
    ),
    Attempt("star_in_parens", "star", "SELECT customer_id, (*) AS x FROM customers ORDER BY 1 LIMIT 50"),
    Attempt("star_concatenated", "star", "SELECT customer_id, * || '' AS x FROM customers ORDER BY 1 LIMIT 50"),
    Attempt(
        "join_using_masked_column",
        "join",
        f"SELECT count(*) FROM customers JOIN (VALUES ('{NA_EMAIL}')) AS v(email) USING (email)",
        expect={ADMIN: "SELECT 1", ANALYST: "SELECT 0", EU: "SELECT 0"},
    ),
    Attempt(
        "natural_join_masked_column",
        "join",
        f"SELECT count(*) FROM customers NATURAL JOIN (VALUES ('{NA_EMAIL}')) AS v(email)",
        expect={ADMIN: "SELECT 1", ANALYST: "SELECT 0", EU: "SELECT 0"},
    ),
    Attempt(
        "natural_join_hidden_column",
        "hidden_member",
        "SELECT count(*) FROM orders NATURAL JOIN (VALUES (80.23)) AS v(gross_amount)",
    ),
    Attempt("star_in_function_row", "star", "SELECT customer_id, row(*) AS r FROM customers ORDER BY 1 LIMIT 20"),
    Attempt(
        "star_in_function_json",
        "star",
        "SELECT customer_id, json_object(*) AS j, list_value(c.*) AS l FROM customers c ORDER BY 1 LIMIT 20",
    ),
    Attempt(
        "columns_probe_email",
        "like",
        "SELECT count(*) FROM customers WHERE COLUMNS('email') LIKE 'nora%'",
        differ={
            ANALYST: "SELECT count(*) FROM raw.customers WHERE email LIKE 'nora%'",
            EU: "SELECT count(*) FROM raw.customers WHERE region = 'EU' AND email LIKE 'nora%'",
        },
    ),
    # -- more hidden-member and relation tricks -------------------------------------------------------------
    Attempt(
        "hidden_from_derived_star",
        "hidden_member",
        "SELECT order_id, gross_amount FROM (SELECT * FROM orders) AS t LIMIT 2",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "hidden_in_lambda",
        "hidden_member",
        "SELECT refunded_revenue, list_transform([1], x -> x + gross_amount) AS l FROM orders",
        fail=EU_HIDDEN,
    ),
    Attempt(
        "hidden_relation_qualified", "hidden_member", "SELECT sum(orders.gross_amount) FROM orders", fail=EU_HIDDEN
    ),
    Attempt(
        "hidden_star_replace",
        "star",
        "SELECT * REPLACE (refunded_amount AS gross_amount) FROM orders ORDER BY order_id LIMIT 20",
    ),
    Attempt(
        "tablesample_all",
        "filter",
        "SELECT count(*) FROM customers TABLESAMPLE SYSTEM (100)",
        expect={ANY: "SELECT count(*) FROM $C"},
    ),
    Attempt(
        "column_alias_list",
        "star",
        "SELECT c.x, c.y FROM customers AS c(x, y) LIMIT 5",
    ),
    Attempt(
        "temp_table_then_file",
        "table_function",
        "CREATE LOCAL TEMPORARY TABLE bypass_f AS SELECT customer_id, email FROM customers; "
        "SELECT f.* FROM bypass_f, read_csv('/etc/passwd') AS f LIMIT 1",
        protocol="simple",
    ),
    Attempt(
        "catalog_to_regclass",
        "catalog",
        "SELECT to_regclass('customers') AS r",
        twin=(("customers", "no_such_rel"),),
        twin_users=(GUEST,),
    ),
    Attempt(
        "catalog_regclass_twin",
        "catalog",
        "SELECT 'customer_360'::regclass::oid AS o",
        twin=(("customer_360", "no_such_rel"),),
        twin_users=(GUEST,),
    ),
    Attempt(
        "catalog_viewdef",
        "catalog",
        "SELECT pg_get_viewdef('sales'::regclass) AS d",
        twin=(("sales", "no_such_rel"),),
        twin_users=(GUEST,),
    ),
    Attempt(
        "catalog_column_privilege",
        "catalog",
        "SELECT has_column_privilege('orders', 'gross_amount', 'SELECT') AS p",
    ),
    Attempt(
        "catalog_attribute_count_hidden",
        "catalog",
        "SELECT count(*) FROM pg_catalog.pg_attribute WHERE attname IN ('gross_amount', 'gross_revenue', 'email')",
        expect={EU: "SELECT 2", GUEST: "SELECT 0"},
    ),
)
