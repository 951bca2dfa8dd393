"""A second Flight SQL client: ``flightsql-dbapi`` (the DB-API driver Superset's Flight SQL support used).

It encodes the Flight SQL messages with its own generated protobuf classes and
drives pyarrow's FlightClient directly, so it checks Quiver's hand-declared
messages against an independent implementation: statements, prepared statements
with a parameter batch sent by DoPut, every metadata command, the DB-API cursor,
and errors. It is installed without its dependencies (it pins ``sqlalchemy<2``
for a dialect these tests do not use); ``./dev`` does that.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest

from tests.conftest import require
from tests.integration.conftest import DEMO_PASSWORDS, QuiverServer

try:
    import flightsql
    from flightsql import FlightSQLClient, TableRef
    from pyarrow import flight
except ImportError:  # pragma: no cover - QUIVER_STRICT makes this a failure
    flightsql = None


@pytest.fixture(scope="module", autouse=True)
def _client_installed() -> None:
    require(flightsql is not None, "flightsql-dbapi is needed (./dev installs it)")


def connect(server: QuiverServer, user: str) -> Any:
    return FlightSQLClient(
        host=server.host, port=server.flight_port, user=user, password=DEMO_PASSWORDS[user], insecure=True
    )


def fetch(client: Any, info: Any) -> pa.Table:
    return client.do_get(info.endpoints[0].ticket).read_all()


def test_statement_answers_as_duckdb_does_over_the_raw_tables(
    quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection
) -> None:
    client = connect(quiver_server, "eu_analyst")
    table = fetch(client, client.execute("SELECT region, count(*) AS n FROM customers GROUP BY 1 ORDER BY 1"))
    expected = raw.execute("SELECT region, count(*) FROM raw.customers WHERE region = 'EU' GROUP BY 1").fetchall()
    assert [tuple(r.values()) for r in table.to_pylist()] == expected


def test_prepared_statement_with_a_parameter_batch(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    client = connect(quiver_server, "admin")
    with client.prepare("SELECT count(*) AS n FROM orders WHERE status = ?") as statement:
        for status in ("shipped", "cancelled"):
            table = fetch(client, statement.execute(pa.record_batch([pa.array([status])], names=["0"])))
            expected = raw.execute("SELECT count(*) FROM raw.orders WHERE status = ?", [status]).fetchone()
            assert table.to_pylist() == [{"n": expected[0]}]  # type: ignore[index]


def test_several_parameter_rows_answer_one_after_the_other(
    quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection
) -> None:
    """A batch of three parameter rows: three executions, their results in row order, under the caller's filter."""
    client = connect(quiver_server, "eu_analyst")
    sql = "SELECT customer_id, region FROM customers WHERE customer_id = ?"
    eu = [r[0] for r in raw.execute("SELECT customer_id FROM raw.customers WHERE region = 'EU' LIMIT 2").fetchall()]
    other = raw.execute("SELECT customer_id FROM raw.customers WHERE region <> 'EU' LIMIT 1").fetchone()[0]  # type: ignore[index]
    with client.prepare(sql) as statement:
        table = fetch(client, statement.execute(pa.record_batch([pa.array([eu[1], other, eu[0]])], names=["0"])))
    assert table.to_pylist() == [{"customer_id": eu[1], "region": "EU"}, {"customer_id": eu[0], "region": "EU"}]


def test_metadata_commands(quiver_server: QuiverServer) -> None:
    client = connect(quiver_server, "guest")
    assert fetch(client, client.get_catalogs()).to_pylist() == [{"catalog_name": "quiver"}]
    schemas = fetch(client, client.get_db_schemas()).to_pylist()
    assert schemas == [{"catalog_name": "quiver", "db_schema_name": "public"}]
    assert fetch(client, client.get_table_types()).column("table_type").to_pylist() == ["TABLE", "VIEW"]
    tables = fetch(client, client.get_tables(include_schema=True))
    assert sorted(tables.column("table_name").to_pylist()) == ["order_items", "products"]
    columns = {
        row["table_name"]: pa.ipc.read_schema(pa.py_buffer(row["table_schema"])).names for row in tables.to_pylist()
    }
    assert "product_id" in columns["products"]
    keys = fetch(client, client.get_primary_keys(TableRef(table="products"))).to_pylist()
    assert [(k["table_name"], k["column_name"], k["key_sequence"]) for k in keys] == [("products", "product_id", 1)]
    assert fetch(client, client.get_primary_keys(TableRef(table="orders"))).num_rows == 0  # not the guest's
    assert fetch(client, client.get_xdbc_type_info(None)).num_rows > 0
    info = fetch(client, client.get_sql_info([0, 1])).to_pylist()
    assert [row["info_name"] for row in info] == [0, 1]
    assert info[0]["value"] == "Quiver"


def test_dbapi_cursor(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    connection = flightsql.connect(connect(quiver_server, "analyst"))
    cursor = connection.cursor()
    cursor.execute("SELECT customer_id, name, phone FROM customers ORDER BY customer_id LIMIT 3")
    assert [d[0] for d in cursor.description] == ["customer_id", "name", "phone"]
    got = cursor.fetchall()
    ids = [r[0] for r in raw.execute("SELECT customer_id FROM raw.customers ORDER BY 1 LIMIT 3").fetchall()]
    assert [r[0] for r in got] == ids
    assert {r[1] for r in got} == {"REDACTED"}
    assert all(r[2] is None or r[2].startswith("*") for r in got)


def test_errors_keep_the_sqlstate_and_the_client_usable(quiver_server: QuiverServer) -> None:
    client = connect(quiver_server, "eu_analyst")
    with pytest.raises(flight.FlightServerError, match=r'column "gross_revenue" does not exist \(SQLSTATE 42703\)'):
        client.execute("SELECT gross_revenue FROM orders")
    with pytest.raises(flight.FlightServerError, match="SQLSTATE 42601"):
        client.execute("SELEC 1")
    assert fetch(client, client.execute("SELECT 1 AS one")).to_pylist() == [{"one": 1}]
