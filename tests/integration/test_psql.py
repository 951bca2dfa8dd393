"""psql, the PostgreSQL terminal, against ``quiver serve``: meta-commands, queries, expanded output, errors.

psql picks the catalog SQL of its backslash commands by the server's version and runs it as
written, so these tests pass only when the emulated catalog answers that SQL the way PostgreSQL
would, with the data product's relations, columns and descriptions.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tests.integration.clients import (
    SALES_BY_REGION,
    TABLES,
    VIEWS,
    Endpoint,
    columns_of,
    comment_mismatches,
    descriptions,
    rows,
    run_psql,
    sales_by_region,
    unaligned_rows,
)
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration


@pytest.fixture
def quiver(quiver_server: QuiverServer) -> Endpoint:
    return Endpoint.quiver(quiver_server)


def psql_ok(endpoint: Endpoint, *args: str, stdin: str | None = None) -> str:
    done = run_psql(endpoint, *args, stdin=stdin)
    assert done.returncode == 0, f"psql {args} exited {done.returncode}:\n{done.stderr}"
    assert "ERROR" not in done.stderr, done.stderr
    return done.stdout


def table_after(output: str, first_header: str) -> list[dict[str, str]]:
    """The rows of the ``psql -A`` table whose header line starts with ``first_header|``."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_header + "|"))
    header = lines[start].split("|")
    found = []
    for line in lines[start + 1 :]:
        cells = line.split("|")
        if len(cells) != len(header):
            break
        found.append(dict(zip(header, cells, strict=True)))
    return found


def test_list_databases(quiver: Endpoint) -> None:
    listing = table_after(psql_ok(quiver, "-A", "-c", r"\l"), "Name")
    assert "quiver" in [row["Name"] for row in listing]
    [quiver_db] = [row for row in listing if row["Name"] == "quiver"]
    assert quiver_db["Encoding"] == "UTF8"


def test_list_schemas(quiver: Endpoint) -> None:
    listing = table_after(psql_ok(quiver, "-A", "-c", r"\dn"), "Name")
    assert "public" in [row["Name"] for row in listing]


def test_list_tables(quiver: Endpoint) -> None:
    listing = table_after(psql_ok(quiver, "-A", "-c", r"\dt"), "Schema")
    assert sorted((row["Schema"], row["Name"], row["Type"]) for row in listing) == [
        ("public", name, "table") for name in sorted(TABLES)
    ]


def test_list_tables_with_descriptions(quiver: Endpoint) -> None:
    listing = table_after(psql_ok(quiver, "-A", "-c", r"\dt+"), "Schema")
    notes = descriptions()
    assert {row["Name"]: row["Description"] for row in listing} == {name: notes[name][0] for name in TABLES}


def test_list_views(quiver: Endpoint) -> None:
    listing = table_after(psql_ok(quiver, "-A", "-c", r"\dv"), "Schema")
    assert sorted((row["Schema"], row["Name"], row["Type"]) for row in listing) == [
        ("public", name, "view") for name in sorted(VIEWS)
    ]


def test_describe_view(quiver: Endpoint) -> None:
    output = psql_ok(quiver, "-A", "-c", r"\d sales")
    assert output.splitlines()[0] == 'View "public.sales"'
    columns = {row["Column"]: row["Type"] for row in table_after(output, "Column")}
    assert set(columns) == set(columns_of("sales"))
    assert columns["order_id"] == "bigint"
    assert columns["order_count"] == "bigint"
    assert columns["customer_region"] in ("text", "character varying")
    assert columns["order_ts"] == "timestamp without time zone"
    assert columns["customer_signup_date"] == "date"
    assert columns["net_revenue"].startswith("numeric")
    assert columns["return_rate"] == "double precision"
    assert columns["returned"] == "boolean"  # a segment is a boolean column


def test_describe_table(quiver: Endpoint) -> None:
    output = psql_ok(quiver, "-A", "-c", r"\d orders")
    assert output.splitlines()[0] == 'Table "public.orders"'
    assert {row["Column"] for row in table_after(output, "Column")} == set(columns_of("orders"))


def test_describe_plus_shows_descriptions(quiver: Endpoint) -> None:
    output = psql_ok(quiver, "-A", "-c", r"\d+ sales")
    shown = {row["Column"]: row["Description"] for row in table_after(output, "Column")}
    assert comment_mismatches(shown, "sales") == {}


def test_query(quiver: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    output = psql_ok(quiver, "-A", "-t", "-c", SALES_BY_REGION)
    got = [(region, Decimal(net), int(count)) for region, net, count in unaligned_rows(output)]
    assert got == sales_by_region(raw)


def test_query_aligned_header(quiver: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    output = psql_ok(quiver, "-c", SALES_BY_REGION)
    lines = output.splitlines()
    assert [cell.strip() for cell in lines[0].split("|")] == ["customer_region", "net_revenue", "order_count"]
    assert lines[-1] == "" and lines[-2] == f"({len(sales_by_region(raw))} rows)"


def test_expanded_output(quiver: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    output = psql_ok(quiver, "-c", r"\x on", "-c", SALES_BY_REGION)
    records: list[dict[str, str]] = []
    for line in output.splitlines():
        if line.startswith("-[ RECORD "):
            records.append({})
        elif records and "|" in line:
            name, value = (part.strip() for part in line.split("|", 1))
            records[-1][name] = value
    expected = [
        {"customer_region": region, "net_revenue": str(net), "order_count": str(count)}
        for region, net, count in sales_by_region(raw)
    ]
    assert records == expected


def test_error_then_query_on_same_connection(quiver: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    script = "SELECT * FROM no_such_relation;\nSELECT order_count FROM orders;\n"
    done = run_psql(quiver, "-A", "-t", "-v", "ON_ERROR_STOP=0", "-v", "VERBOSITY=verbose", stdin=script)
    assert "ERROR:  42P01" in done.stderr, done.stderr
    [(orders,)] = rows(raw, "SELECT COUNT(*) FROM raw.orders")
    assert done.stdout.split() == [str(orders)]


def test_error_inside_transaction(quiver: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    """PostgreSQL's rule: after an error, a transaction refuses commands (25P02) until it is rolled back."""
    script = (
        "BEGIN;\n"
        "SELECT * FROM no_such_relation;\n"
        "SELECT order_count FROM orders;\n"
        "ROLLBACK;\n"
        "SELECT product_count FROM products;\n"
    )
    done = run_psql(quiver, "-A", "-t", "-v", "ON_ERROR_STOP=0", "-v", "VERBOSITY=verbose", stdin=script)
    assert "ERROR:  42P01" in done.stderr, done.stderr
    assert "ERROR:  25P02" in done.stderr, done.stderr
    [(products,)] = rows(raw, "SELECT COUNT(*) FROM raw.products")
    assert done.stdout.split() == ["BEGIN", "ROLLBACK", str(products)]


def test_copy_query_to_stdout(quiver: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    """``\\copy (query) to stdout`` sends COPY with the query re-spaced by psql's lexer."""
    output = psql_ok(
        quiver, "-c", r"\copy (SELECT channel, MEASURE(order_count) FROM orders ORDER BY 1) to stdout with csv header"
    )
    expected = rows(raw, "SELECT channel, COUNT(*) FROM raw.orders GROUP BY 1 ORDER BY 1")
    assert output.splitlines() == ["channel,order_count", *(f"{c},{n}" for c, n in expected)]
