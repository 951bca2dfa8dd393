"""node ``pg`` against ``quiver serve`` (no SSLRequest, Parse without parameter types): parameterised
queries, result field types, and an error then a query on the same connection.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from tests.integration.clients import NET, SALES_BY_REGION, Endpoint, rows, run_node, sales_by_region
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration

INT8, NUMERIC, TEXT, TIMESTAMP, BOOL = 20, 1700, 25, 1114, 16


def iso(value: datetime) -> str:
    """How node pg's Date (a timestamp read as UTC) prints through JSON."""
    return value.isoformat(timespec="milliseconds") + "Z"


def test_queries(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    results = run_node(
        Endpoint.quiver(quiver_server),
        [
            {"text": SALES_BY_REGION},
            {
                "text": "SELECT channel, order_count, net_revenue FROM orders WHERE status = $1 ORDER BY 1",
                "values": ["returned"],
            },
            {"text": "SELECT order_id, order_ts, status, returned FROM orders WHERE order_id = $1", "values": [42]},
            {"text": "SELECT * FROM no_such_relation"},
            {"text": "SELECT customer_region, order_count FROM sales WHERE customer_region = $1", "values": ["EU"]},
        ],
    )
    regions, returned, order, error, after = results

    assert [f["name"] for f in regions["fields"]] == ["customer_region", "net_revenue", "order_count"]
    assert [f["dataTypeID"] for f in regions["fields"]][1:] == [NUMERIC, INT8]
    # node pg returns int8 and numeric as strings (no precision lost).
    assert regions["rows"] == [[r, str(n), str(c)] for r, n, c in sales_by_region(raw)]

    expected = rows(
        raw,
        f"SELECT channel, COUNT(*), SUM({NET}) FROM raw.orders o WHERE status = 'returned' GROUP BY 1 ORDER BY 1",
    )
    assert returned["rows"] == [[c, str(n), str(s)] for c, n, s in expected]

    [(order_id, order_ts, status)] = rows(raw, "SELECT order_id, order_ts, status FROM raw.orders WHERE order_id = 42")
    assert [f["dataTypeID"] for f in order["fields"]] == [INT8, TIMESTAMP, order["fields"][2]["dataTypeID"], BOOL]
    assert order["rows"] == [[str(order_id), iso(order_ts), status, status == "returned"]]

    assert error["error"]["code"] == "42P01"
    assert after["rows"] == [[r, str(c)] for r, _, c in sales_by_region(raw) if r == "EU"]
