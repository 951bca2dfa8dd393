"""Arithmetic as PostgreSQL means it: Quiver over the wire against a real PostgreSQL, and against the raw tables.

Scalar statements run on both servers through psycopg and must give the same values
and the same result types; semantic statements are compared with hand-written SQL
over the raw tables in DuckDB that truncates the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import psycopg
import pytest

from tests.conftest import require
from tests.integration.conftest import QuiverServer
from tests.support.postgres import find_bin, running_postgres

pytestmark = pytest.mark.integration

SCALARS = (
    "SELECT 7/2",
    "SELECT -7/2, 7/-2, -7/-2",
    "SELECT 7 % -2, -7 % 2, -7 % -2",  # the sign follows the dividend in both engines: no rule needed
    "SELECT 100/7/2, (7+1)/2*3, 2*7/3",
    "SELECT 7::bigint/2, 7::smallint/2::smallint",
    "SELECT 2147483647/2 AS big",
    "SELECT round(2.5::float8), round(-2.5::float8), round(0.5::float8), round(3.5::float8), round(2.5::real)",
    "SELECT round(2.5), round(-2.5), round(2.45, 1)",  # numeric: half away from zero in both
    "SELECT 'a' || NULL IS NULL",
    # numeric division of constants: PostgreSQL's digits and scale (select_div_scale), a numeric
    "SELECT 1::numeric/3, 10.5/3, 2::numeric/7*7, 1/3.0, -1/3.0",
    "SELECT 123456789.0/7, 0.0001/3, 2.50/4, 1::numeric/3/7, 99999.5/0.007",
    "SELECT 0/3.0, 1.5/0.5, 5/3.00000, 0.6666666666666666666666/2",
    "SELECT (CAST(EXTRACT(WEEK FROM DATE '2024-05-15') AS INTEGER) - 1) / 13 + 1 AS iso_quarter",
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[psycopg.Connection[Any]]:
    require(find_bin() is not None, "PostgreSQL server binaries are not installed")
    with running_postgres() as server, psycopg.connect(server.dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def quiver(quiver_server: QuiverServer) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(quiver_server.dsn(), autocommit=True) as conn:
        yield conn


def answer(conn: psycopg.Connection[Any], sql: str) -> tuple[list[tuple], list[int]]:
    cursor = conn.execute(sql)
    assert cursor.description is not None
    return cursor.fetchall(), [column.type_code for column in cursor.description]


@pytest.mark.parametrize("sql", SCALARS)
def test_scalar_arithmetic_matches_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


def test_integer_division_by_zero_is_an_error_on_both(
    quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    states = []
    for conn in (quiver, postgres):
        for sql in ("SELECT 7/(1-1)", "SELECT 1.5/0", "SELECT 7/0", "SELECT 7 % (1-1)", "SELECT 7.5 % 0"):
            with pytest.raises(psycopg.errors.DivisionByZero, match="division by zero") as raised:
                conn.execute(sql)
            states.append(raised.value.sqlstate)
    assert states == ["22012"] * 10


def test_server_version_num_over_100_is_the_major_version(quiver: psycopg.Connection[Any]) -> None:
    (number,) = quiver.execute("SELECT current_setting('server_version_num')").fetchone()
    rows, types = answer(quiver, "SELECT current_setting('server_version_num')::int / 100")
    assert rows == [(int(number) // 100,)] and types == [23]  # 160004 -> 1600, an int4


def test_count_measure_divided_by_an_integer_truncates(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    got = quiver.execute(
        "SELECT customer_region, order_count / 7, -order_count / 7 FROM sales GROUP BY 1 ORDER BY 1"
    ).fetchall()
    want = raw.execute(
        "SELECT c.region, COUNT(*) // 7, -COUNT(*) // 7 FROM raw.orders o "
        "LEFT JOIN raw.customers c ON o.customer_id = c.customer_id GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert got == want
    assert all(isinstance(q, int) and q > 0 and n == -q for _, q, n in got)


def test_tableau_iso_quarter_over_a_member_is_whole(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    expression = "(CAST(EXTRACT(WEEK FROM order_ts) AS INTEGER) - 1) / 13 + 1"
    got = quiver.execute(f"SELECT {expression} AS q, order_count FROM sales GROUP BY 1 ORDER BY 1").fetchall()
    want = raw.execute(
        f"SELECT {expression.replace('/', '//')} AS q, COUNT(*) FROM raw.orders GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert got == want
    assert {q for q, _ in got} <= {1, 2, 3, 4, 5}  # week 53 is the fifth: whole numbers, never 40 fractions


def test_count_measure_divided_by_zero_is_an_error(quiver: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.DivisionByZero, match="division by zero"):
        quiver.execute("SELECT customer_region, order_count / 0 FROM sales GROUP BY 1").fetchall()


# Numeric division of columns: the quotient is numeric and its whole part exact (floor, ceil, trunc,
# comparisons), its places agree with PostgreSQL's to 15 (server.sql.postgres_meaning.numeric_columns).
# The catalog route knows no column's type, so the statements say it with a cast, as the compiler does
# for a member the catalog reports as numeric.
BINS = "(VALUES (0.30, 3), (-0.30, -3), (25.00, 7), (37.50, 9), (1.10, 11), (12.49, 2)) t(v, n)"
X = "v::numeric(18,2)"
N = "n::int"
NUMERIC_COLUMN_DIVISIONS = (
    f"SELECT floor(({X} - 0) / 12.5), ceil({X} / 12.5), floor({X} / 0.1), trunc({X} / 0.1), {X} / 0.1 >= 3 FROM {BINS}",
    f"SELECT floor({X} / {N}), ceil({X} / {N}), floor({X} / 0.25), floor({N} / {X}) FROM {BINS}",
    f"SELECT round({X} / 3, 12), round({X} / {N}, 12), round({N} / {X}, 12), {X} / 12.5 FROM {BINS}",
)


@pytest.mark.parametrize("sql", NUMERIC_COLUMN_DIVISIONS)
def test_numeric_division_of_columns_matches_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


def test_numeric_division_of_columns_by_zero_is_22012(
    quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    for conn in (quiver, postgres):
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("SELECT x::numeric / n::int FROM (VALUES (1.5, 0)) t(x, n)").fetchall()


def test_metabase_bins_over_a_numeric_member_put_edges_in_their_own_bin(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    # Metabase's binning expression over a member the catalog reports as numeric: each amount's bin
    # is PostgreSQL's exact floor, computed here with Python's decimals over the raw rows.
    from collections import Counter
    from decimal import Decimal

    for width in ("12.5", "0.1", "0.07"):
        got = quiver.execute(
            f"SELECT floor((gross_amount - 0) / {width}) AS bin, count(*) FROM orders GROUP BY 1 ORDER BY 1"
        ).fetchall()
        amounts = [row[0] for row in raw.execute("SELECT gross_amount FROM raw.orders").fetchall()]
        bins = Counter((Decimal(str(a)) / Decimal(width)).__floor__() for a in amounts)
        assert got == sorted(bins.items()), width
    _, types = answer(quiver, "SELECT gross_amount / 12.5 FROM orders GROUP BY 1 LIMIT 1")
    assert types == [1700]  # numeric, as PostgreSQL types numeric / numeric


WIDTH_BUCKETS = (
    "SELECT width_bucket(5.5, 0, 10, 4), width_bucket(3, 0, 10, 5), width_bucket(-1, 0, 10, 5), "
    "width_bucket(10, 0, 10, 5), width_bucket(5.0::float8, 10, 0, 5)",
    "SELECT width_bucket(x, 0.0, 1.0, 10), width_bucket(x::float8, 0, 1, 10), width_bucket(x, 1, 0, 3) "
    "FROM (VALUES (0.3), (0.7), (1.0), (0.0), (NULL), (0.99999)) t(x)",
    "SELECT width_bucket(5, ARRAY[1, 3, 6]), width_bucket(NULL::int, ARRAY[1]), "
    "width_bucket(0.5, ARRAY[0.1, 0.5, 0.9])",
)


@pytest.mark.parametrize("sql", WIDTH_BUCKETS)
def test_width_bucket_matches_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


@pytest.mark.parametrize("sql", ["SELECT width_bucket(1, 0, 10, 0)", "SELECT width_bucket(1, 5, 5, 3)"])
def test_width_bucket_errors_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    states = []
    for conn in (quiver, postgres):
        with pytest.raises(psycopg.DataError) as raised:
            conn.execute(sql)
        states.append((raised.value.sqlstate, raised.value.diag.message_primary))
    assert states[0] == states[1] and states[0][0] == "2201G"


def test_width_bucket_over_a_numeric_member_matches_exact_buckets(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    from collections import Counter
    from decimal import Decimal

    got = quiver.execute(
        "SELECT width_bucket(gross_amount, 0, 1000, 10) AS b, count(*) FROM orders GROUP BY 1 ORDER BY 1"
    ).fetchall()
    amounts = [Decimal(str(row[0])) for row in raw.execute("SELECT gross_amount FROM raw.orders").fetchall()]
    buckets = Counter(0 if a < 0 else 11 if a >= 1000 else int(a * 10 // 1000) + 1 for a in amounts)
    assert got == sorted(buckets.items())
    got = quiver.execute(
        "SELECT width_bucket(gross_amount, ARRAY[100, 500, 1000]) AS b, count(*) FROM orders GROUP BY 1 ORDER BY 1"
    ).fetchall()
    buckets = Counter(sum(1 for t in (100, 500, 1000) if t <= a) for a in amounts)
    assert got == sorted(buckets.items())


ORDERED_SETS = (
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x), percentile_disc(0.5) WITHIN GROUP (ORDER BY x), "
    "mode() WITHIN GROUP (ORDER BY x) FROM (VALUES (1),(2),(2),(10)) t(x)",
    "SELECT mode() WITHIN GROUP (ORDER BY x), mode() WITHIN GROUP (ORDER BY x DESC), "
    "percentile_disc(0.5) WITHIN GROUP (ORDER BY x DESC), percentile_cont(0.9) WITHIN GROUP (ORDER BY x DESC), "
    "percentile_disc(ARRAY[0.25, 0.5]) WITHIN GROUP (ORDER BY x DESC) FROM (VALUES (3),(1),(3),(1),(2),(NULL)) t(x)",
    "SELECT g, percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS p, percentile_disc(0.3) WITHIN GROUP (ORDER BY x) "
    "FROM (VALUES (1, 1.0),(1, 2.0),(2, 5.0)) t(g, x) GROUP BY g ORDER BY g",
    "SELECT percentile_cont(ARRAY[0.25, 0.5]) WITHIN GROUP (ORDER BY x) FROM (VALUES (1),(2),(3),(4)) t(x)",
)


@pytest.mark.parametrize("sql", ORDERED_SETS)
def test_ordered_set_aggregates_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


def test_percentiles_over_dimensions_of_a_relation(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    # Post-processing over a dimension, like max(gross_amount): PostgreSQL's definitions computed in Python.
    import math

    sql = (
        "SELECT customer_region, percentile_disc(0.5) WITHIN GROUP (ORDER BY gross_amount), "
        "percentile_disc(0.25) WITHIN GROUP (ORDER BY gross_amount DESC), "
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY gross_amount) FROM sales GROUP BY 1 ORDER BY 1"
    )
    got_rows, types = answer(quiver, sql)
    assert types == [25, 1700, 1700, 701]  # percentile_disc keeps the value's type, percentile_cont is float8
    rows = raw.execute(
        "SELECT c.region, o.gross_amount FROM raw.orders o LEFT JOIN raw.customers c ON o.customer_id = c.customer_id "
        "WHERE o.gross_amount IS NOT NULL"
    ).fetchall()
    by_region: dict[str, list] = {}
    for region, amount in rows:
        by_region.setdefault(region, []).append(amount)
    want = []
    for region in sorted(by_region):
        values = sorted(by_region[region])
        n = len(values)
        position = 0.9 * (n - 1)
        low, high = float(values[math.floor(position)]), float(values[math.ceil(position)])
        cont = low + (high - low) * (position - math.floor(position))
        want.append((region, values[math.ceil(0.5 * n) - 1], values[::-1][math.ceil(0.25 * n) - 1], cont))
    assert [r[:3] for r in got_rows] == [w[:3] for w in want]
    assert all(math.isclose(g[3], w[3], rel_tol=1e-12) for g, w in zip(got_rows, want, strict=True))


def test_a_measure_inside_a_percentile_follows_the_measure_rules(quiver: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.GroupingError, match="MEASURE"):
        quiver.execute("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY order_count) FROM sales").fetchall()


# Set-returning functions and NULL ordering: sqlglot's PostgreSQL-to-DuckDB translation already gives
# PostgreSQL's answers (generate_series in the select list unnests; DESC writes NULLS FIRST); kept by tests.
CATALOG_ROUTE_SHAPES = (
    "SELECT generate_series(1,5)",
    "SELECT generate_series(1, 3), generate_series(1, 2)",
    "SELECT x FROM generate_series(1,3) AS g(x)",
    "SELECT * FROM generate_series(timestamp '2024-01-01', timestamp '2024-01-02', interval '12 hours') AS g(t)",
    "SELECT generate_series(1,3) AS x ORDER BY x DESC",
    "SELECT unnest(ARRAY[1,2]), unnest(ARRAY['a','b','c'])",
    "SELECT x FROM (VALUES (1),(NULL),(2)) t(x) ORDER BY x DESC",
    "SELECT x FROM (VALUES (1),(NULL),(2)) t(x) ORDER BY x",
    "SELECT x, row_number() OVER (ORDER BY x DESC) FROM (VALUES (1),(NULL),(2)) t(x) ORDER BY 2",
    "SELECT array_agg(x ORDER BY x DESC) FROM (VALUES (1),(NULL),(2)) t(x)",
    "SELECT DISTINCT ON (a) a, b FROM (VALUES (1,2),(1,3),(2,1),(2,NULL)) t(a,b) ORDER BY a, b DESC",
    "SELECT -7.5 % 2, 7.5 % -2, -7 % 3, 7 % -3",
    "SELECT round(2.345, 2), round(-2.345, 2), round(-0.5), trunc(2.789, 1), trunc(-2.789), trunc(-2.789::float8)",
)


@pytest.mark.parametrize("sql", CATALOG_ROUTE_SHAPES)
def test_catalog_route_shapes_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


NULLABLE = "CASE WHEN customer_segment = 'smb' THEN NULL ELSE customer_segment END"


@pytest.mark.parametrize(
    ("sql", "first"),
    [
        (f"SELECT {NULLABLE} AS s FROM sales GROUP BY 1 ORDER BY 1 DESC", None),  # NULLS FIRST for DESC
        (f"SELECT {NULLABLE} AS s FROM sales GROUP BY 1 ORDER BY 1", "consumer"),  # NULLS LAST for ASC
        (f"SELECT s FROM (SELECT {NULLABLE} AS s, order_count FROM sales GROUP BY 1) t ORDER BY s DESC", None),
        (f"SELECT {NULLABLE} AS s, rank() OVER (ORDER BY {NULLABLE} DESC) AS r FROM sales GROUP BY 1 ORDER BY 2", None),
    ],
)
def test_semantic_route_orders_nulls_as_postgres(sql: str, first: str | None, quiver: psycopg.Connection[Any]) -> None:
    rows = quiver.execute(sql).fetchall()
    assert rows[0][0] == first and len(rows) == 3


INTERVALS = (
    "SELECT interval '1 mon', interval '2 mons', interval '5 mins', interval '2 hrs', interval '1 yr', "
    "interval '5 secs', interval '1' day, interval '2 weeks 3 days'",
    "SELECT interval '3 days 04:05:06' AS x, interval '1 mon ago', interval '@ 2 days', "
    "interval '1 year 2 mons 3 days 04:05:06.5'",
    "SELECT date '2024-01-31' + interval '1 mon', timestamp '2024-01-05 10:00' - interval '90 mins'",
)


@pytest.mark.parametrize("sql", INTERVALS)
def test_interval_literals_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


DATE_LITERALS = (
    "SELECT '20240105'::date, '2024/01/05'::date, 'Jan 5 2024'::date, '01/05/2024'::date, "
    "'5 January 2024'::date, 'January 5, 2024'::date, date '2024-Jan-05'",
    "SELECT '2024-01-05 10:00 America/New_York'::timestamptz, timestamptz '2024-07-05 10:00:30.5 Europe/Paris', "
    "'2024-01-05 10:00 America/New_York'::timestamp",
    "SELECT '20240105 10:30'::timestamp, '2024/01/05 10:30:15'::timestamp, 'Jan 5 2024 10:30'::timestamp",
    "SELECT date 'today' = current_date, timestamp 'today' = current_date::timestamp, "
    "date 'tomorrow' = current_date + 1",
)


@pytest.mark.parametrize("sql", DATE_LITERALS)
def test_date_literals_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


def test_a_postgres_date_spelling_filters_a_relation(
    quiver: psycopg.Connection[Any], raw: duckdb.DuckDBPyConnection
) -> None:
    got = quiver.execute("SELECT order_count FROM sales WHERE order_ts >= '20240105'::date").fetchall()
    want = raw.execute("SELECT COUNT(*) FROM raw.orders WHERE order_ts >= DATE '2024-01-05'").fetchall()
    assert got == want


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT date_trunc('qtr', timestamp '2024-05-05'), date_trunc('mon', timestamp '2024-05-05'), "
        "date_trunc('yr', timestamp '2024-05-05'), date_trunc('hrs', timestamp '2024-05-05 10:11')",
        "SELECT extract(qtr from timestamp '2024-05-05')",
    ],
)
def test_abbreviated_date_units_match_postgres(
    sql: str, quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any]
) -> None:
    assert answer(quiver, sql) == answer(postgres, sql)


def test_quarter_abbreviation_groups_a_relation(quiver: psycopg.Connection[Any]) -> None:
    written = "SELECT date_trunc('{}', order_ts) AS q, order_count FROM sales GROUP BY 1 ORDER BY 1"
    assert quiver.execute(written.format("qtr")).fetchall() == quiver.execute(written.format("quarter")).fetchall()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT interval '1 day', interval '1 mon', interval '3 days 04:05:06', '1 day'::interval",
        "SELECT date '2024-01-05', timestamp '2024-01-05 10:00', '20240105'::date",
    ],
)
def test_typed_literals_are_named_as_postgres_names_them(
    quiver: psycopg.Connection[Any], postgres: psycopg.Connection[Any], sql: str
) -> None:
    names = []
    for conn in (quiver, postgres):
        cursor = conn.execute(sql)
        names.append([column.name for column in cursor.description or []])
    assert names[0] == names[1]
    assert names[1][0] in ("interval", "date")
