"""pgJDBC (Debian's postgresql.jar) against ``quiver serve``, through tests/integration/jdbc/QuiverJdbcCheck.java:
DatabaseMetaData, a PreparedStatement run past the prepare threshold, a fetch-size cursor over
134,676 rows with another query while its portal is suspended, and an error then a query.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.integration.clients import (
    LINES_BY_CHANNEL,
    TABLES,
    VIEWS,
    Endpoint,
    as_text,
    columns_of,
    comment_mismatches,
    descriptions,
    lines_by_channel_totals,
    rows,
    run_jdbc,
    sales_by_region,
)
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration


@pytest.fixture
def quiver(quiver_server: QuiverServer) -> Endpoint:
    return Endpoint.quiver(quiver_server)


def test_metadata(quiver: Endpoint) -> None:
    result = run_jdbc(quiver, "--schema", "public", "--table", "orders")
    assert result["product"] == "PostgreSQL"
    assert int(result["major"]) >= 12
    assert "public" in [schema["TABLE_SCHEM"] for schema in result["schemas"]]
    notes = descriptions()
    kinds = {
        table["TABLE_NAME"]: (table["TABLE_TYPE"], table["REMARKS"])
        for table in result["tables"]
        if table["TABLE_TYPE"] in ("TABLE", "VIEW")  # PostgreSQL also lists a primary key's INDEX
    }
    assert kinds == {
        **{name: ("TABLE", notes[name][0]) for name in TABLES},
        **{name: ("VIEW", notes[name][0]) for name in VIEWS},
    }
    columns = {column["COLUMN_NAME"]: column for column in result["columns"]}
    assert set(columns) == set(columns_of("orders"))
    assert sorted(int(c["ORDINAL_POSITION"]) for c in columns.values()) == list(range(1, len(columns) + 1))
    assert columns["order_id"]["TYPE_NAME"] == "int8"
    assert columns["order_ts"]["TYPE_NAME"] == "timestamp"
    assert columns["gross_amount"]["TYPE_NAME"] == "numeric"
    assert columns["status"]["TYPE_NAME"] in ("text", "varchar")
    assert columns["returned"]["TYPE_NAME"] == "bool"
    assert comment_mismatches({name: c["REMARKS"] for name, c in columns.items()}, "orders") == {}
    assert [(k["COLUMN_NAME"], k["KEY_SEQ"]) for k in result["primary_keys"]] == [("order_id", "1")]


def test_prepared_statement_string_parameter(quiver: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    result = run_jdbc(
        quiver,
        "--prepared",
        "SELECT customer_region, net_revenue, order_count FROM sales WHERE customer_region = ? ORDER BY 1",
        "--param",
        "string:EU",  # setString: the parameter arrives typed varchar
    )
    prepared = result["prepared"]
    assert [(c["label"], c["type_name"]) for c in prepared["columns"]] == [
        ("customer_region", prepared["columns"][0]["type_name"]),
        ("net_revenue", "numeric"),
        ("order_count", "int8"),
    ]
    assert prepared["columns"][0]["type_name"] in ("text", "varchar")
    assert prepared["rows"] == [[r, str(n), str(c)] for r, n, c in sales_by_region(raw) if r == "EU"]
    assert "mismatch_on_run" not in prepared


def test_prepared_statement_typed_parameters(quiver: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    result = run_jdbc(
        quiver,
        "--prepared",
        "SELECT order_id, order_ts, status, gross_amount, returned FROM orders "
        "WHERE order_id BETWEEN ? AND ? AND gross_amount > ? AND order_ts >= ? ORDER BY order_id",
        "--param",
        "long:100",
        "--param",
        "int:400",
        "--param",
        "decimal:250.50",
        "--param",
        "date:2023-01-15",
    )
    expected = rows(
        raw,
        "SELECT order_id, order_ts, status, gross_amount, status = 'returned' FROM raw.orders "
        "WHERE order_id BETWEEN 100 AND 400 AND gross_amount > 250.50 AND order_ts >= DATE '2023-01-15' "
        "ORDER BY order_id",
    )
    assert expected
    assert result["prepared"]["rows"] == [[as_text(v) for v in row] for row in expected]
    assert "mismatch_on_run" not in result["prepared"]


def test_fetch_size_cursor(quiver: Endpoint, raw: duckdb.DuckDBPyConnection) -> None:
    result = run_jdbc(quiver, "--cursor", LINES_BY_CHANNEL + " ORDER BY 1, 3", "--fetch-size", "1000")
    cursor = result["cursor"]
    totals = lines_by_channel_totals(raw)
    assert totals.rows >= 100_000
    assert cursor["rows"] == totals.rows
    assert (int(cursor["sum1"]), int(cursor["sum2"])) == (totals.sum_item_id, totals.sum_quantity)
    assert cursor["third"] == totals.per_channel
    assert cursor["interleaved"] == "1"  # a query run while the cursor's portal was suspended
    [(first_quantity,)] = rows(raw, "SELECT quantity FROM raw.order_items WHERE order_item_id = 1")
    [(last_id, last_quantity)] = rows(
        raw, "SELECT order_item_id, quantity FROM raw.order_items ORDER BY order_item_id DESC LIMIT 1"
    )
    channels = sorted(totals.per_channel)
    assert cursor["first"] == ["1", str(first_quantity), channels[0]]
    assert cursor["last"] == [str(last_id), str(last_quantity), channels[-1]]


def test_error_then_query(quiver: Endpoint) -> None:
    result = run_jdbc(quiver, "--error", "SELECT * FROM no_such_relation")
    assert result["error"]["sqlstate"] == "42P01"
    assert result["error"]["after"] == "1"
