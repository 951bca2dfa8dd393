"""Arrow Flight and Flight SQL against a real ``quiver serve``: pyarrow's FlightClient and the ADBC driver.

The same semantic query must give the same answer over Flight SQL (ADBC), plain
Flight and the PostgreSQL wire protocol, for every demo user, masks and row
filters included: one plan, one set of policies, every channel.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from tests.conftest import require
from tests.integration.conftest import DEMO_PASSWORDS, QuiverServer

try:
    import adbc_driver_flightsql.dbapi as flightsql
    import psycopg
    from pyarrow import flight
except ImportError:  # pragma: no cover - QUIVER_STRICT makes this a failure
    flight = None

USERS = ("admin", "analyst", "eu_analyst")
QUESTION = (  # refunded_revenue: every demo user may see it (net_revenue is hidden from eu_analyst by derivation)
    "SELECT customer_region, customer_email, customer_phone, customer_name, order_count, refunded_revenue "
    "FROM sales GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3 LIMIT 200"
)


@pytest.fixture(scope="module", autouse=True)
def _clients() -> None:
    require(flight is not None, "pyarrow.flight, adbc_driver_flightsql and psycopg are needed")


def client(server: QuiverServer, user: str) -> tuple[Any, Any]:
    connection = flight.FlightClient(server.flight_location)
    token = connection.authenticate_basic_token(user.encode(), DEMO_PASSWORDS[user].encode())
    return connection, flight.FlightCallOptions(headers=[token])


def plain_query(server: QuiverServer, user: str, sql: str) -> pa.Table:
    connection, options = client(server, user)
    info = connection.get_flight_info(flight.FlightDescriptor.for_command(sql.encode()), options)
    table = connection.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.schema == info.schema
    return table


def adbc(server: QuiverServer, user: str) -> Any:
    return flightsql.connect(
        server.flight_location, db_kwargs={"username": user, "password": DEMO_PASSWORDS[user]}, autocommit=True
    )


def wire_rows(server: QuiverServer, user: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(server.dsn(user)) as connection:
        return [tuple(row) for row in connection.execute(sql).fetchall()]


def rows(table: pa.Table) -> list[tuple[Any, ...]]:
    columns = [c.to_pylist() for c in table.columns]
    return [tuple(c[i] for c in columns) for i in range(table.num_rows)]


# -- one answer on every channel ---------------------------------------------------------------------


@pytest.mark.parametrize("user", USERS)
def test_same_answer_on_flight_sql_plain_flight_and_the_wire(quiver_server: QuiverServer, user: str) -> None:
    over_plain = plain_query(quiver_server, user, QUESTION)
    with adbc(quiver_server, user) as connection, connection.cursor() as cursor:
        cursor.execute(QUESTION)
        over_adbc = cursor.fetch_arrow_table()
    assert over_adbc.equals(over_plain)
    assert rows(over_plain) == wire_rows(quiver_server, user, QUESTION)
    assert over_plain.num_rows > 0


def test_masks_and_row_filters_hold_over_flight(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    table = plain_query(quiver_server, "eu_analyst", "SELECT customer_id, region, email, name FROM customers")
    expected = raw.execute("SELECT count(*) FROM raw.customers WHERE region = 'EU'").fetchone()[0]  # type: ignore[index]
    assert table.num_rows == expected
    assert set(table.column("region").to_pylist()) == {"EU"}
    assert set(table.column("name").to_pylist()) == {"REDACTED"}
    raw_emails = {r[0] for r in raw.execute("SELECT email FROM raw.customers").fetchall()}
    assert not raw_emails & set(table.column("email").to_pylist())
    with pytest.raises(flight.FlightServerError) as caught:
        plain_query(quiver_server, "eu_analyst", "SELECT gross_revenue FROM orders")
    assert json.loads(caught.value.extra_info)["sqlstate"] == "42703"


def test_guest_may_list_but_not_read(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "guest")
    names = sorted(info.descriptor.path[0].decode() for info in connection.list_flights(options=options))
    assert names == ["order_items", "products"]
    with pytest.raises(flight.FlightUnauthorizedError) as caught:
        plain_query(quiver_server, "guest", "SELECT count(*) FROM products")
    assert json.loads(caught.value.extra_info)["sqlstate"] == "42501"


def test_list_flights_shows_what_the_caller_may_see(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "eu_analyst")
    infos = {info.descriptor.path[0].decode(): info for info in connection.list_flights(options=options)}
    assert set(infos) == {"customer_360", "customers", "order_items", "orders", "products", "sales"}
    assert "gross_revenue" not in infos["orders"].schema.names
    products = connection.do_get(infos["products"].endpoints[0].ticket, options).read_all()
    assert products.num_rows > 0
    about = json.loads(infos["sales"].app_metadata)
    assert about["data_product"] == "orders" and about["relation"] == "sales" and about["kind"] == "view"
    assert about["description"]
    assert json.loads(infos["orders"].app_metadata)["kind"] == "table"
    matching = [info.descriptor.path[0].decode() for info in connection.list_flights(b"order%", options=options)]
    assert sorted(matching) == ["order_items", "orders"]


# -- plain Flight -----------------------------------------------------------------------------------


def test_read_pandas(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    connection, options = client(quiver_server, "admin")
    ticket = flight.Ticket(b"SELECT status, order_count FROM orders ORDER BY status")
    frame = connection.do_get(ticket, options).read_pandas()
    expected = raw.execute("SELECT status, count(*) FROM raw.orders GROUP BY 1 ORDER BY 1").fetchall()
    assert list(frame.itertuples(index=False, name=None)) == expected


def test_path_descriptor_names_a_relation(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "admin")
    info = connection.get_flight_info(flight.FlightDescriptor.for_path("products"), options)
    table = connection.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.schema.names[:2] == ["product_id", "name"]


def test_authentication(quiver_server: QuiverServer) -> None:
    connection = flight.FlightClient(quiver_server.flight_location)
    with pytest.raises(flight.FlightUnauthenticatedError):
        connection.authenticate_basic_token(b"admin", b"wrong")
    with pytest.raises(flight.FlightUnauthenticatedError):
        list(connection.list_flights())
    forged = flight.FlightCallOptions(headers=[(b"authorization", b"Bearer not-a-token")])
    with pytest.raises(flight.FlightUnauthenticatedError):
        list(connection.list_flights(options=forged))
    basic = base64.b64encode(b"analyst:analyst-pass")
    direct = flight.FlightCallOptions(headers=[(b"authorization", b"Basic " + basic)])
    assert len(list(connection.list_flights(options=direct))) == 6


# -- Flight SQL through ADBC --------------------------------------------------------------------------


def test_adbc_parameters_and_pandas(quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection) -> None:
    with adbc(quiver_server, "admin") as connection, connection.cursor() as cursor:
        cursor.execute("SELECT order_id, status FROM orders WHERE order_id IN (?, ?) ORDER BY 1", parameters=(3, 7))
        assert (
            cursor.fetchall()
            == raw.execute("SELECT order_id, status FROM raw.orders WHERE order_id IN (3, 7) ORDER BY 1").fetchall()
        )
        cursor.execute("SELECT status, net_revenue FROM orders WHERE status = ? GROUP BY 1", parameters=("returned",))
        frame = cursor.fetch_df()
        total = raw.execute(
            "SELECT sum(gross_amount - refunded_amount) FROM raw.orders WHERE status = 'returned'"
        ).fetchone()[0]  # type: ignore[index]
        assert frame["status"].tolist() == ["returned"] and Decimal(str(frame["net_revenue"][0])) == total
        cursor.execute("SELECT 1 AS one")
        assert cursor.fetchall() == [(1,)]


def test_parameters_type_the_columns_they_fill(quiver_server: QuiverServer) -> None:
    """``SELECT ? AS x``: the FlightInfo after binding describes what the stream sends (not NULL columns)."""
    with adbc(quiver_server, "analyst") as connection, connection.cursor() as cursor:
        cursor.execute("SELECT ? AS n, ? AS s, ? AS f, ? AS nothing", (1, "a", 2.5, None))
        table = cursor.fetch_arrow_table()
        assert table.to_pylist() == [{"n": 1, "s": "a", "f": 2.5, "nothing": None}]
        assert table.schema.field("f").type == pa.float64()
        cursor.execute("SELECT status, ? AS tag FROM orders GROUP BY 1 ORDER BY 1", ("t",))
        assert {row[1] for row in cursor.fetchall()} == {"t"}


def test_adbc_metadata(quiver_server: QuiverServer) -> None:
    with adbc(quiver_server, "eu_analyst") as connection:
        objects = connection.adbc_get_objects(depth="tables").read_all().to_pylist()
        (catalog,) = objects
        assert catalog["catalog_name"] == "quiver"
        (schema,) = catalog["catalog_db_schemas"]
        tables = {t["table_name"]: t["table_type"] for t in schema["db_schema_tables"]}
        assert tables == {
            "customer_360": "VIEW",
            "customers": "TABLE",
            "order_items": "TABLE",
            "orders": "TABLE",
            "products": "TABLE",
            "sales": "VIEW",
        }
        orders = connection.adbc_get_table_schema("orders")
        assert "refunded_revenue" in orders.names and "gross_revenue" not in orders.names
        assert "net_revenue" not in orders.names  # derived from the hidden gross_amount
        info = connection.adbc_get_info()
        assert info["vendor_name"] == "Quiver"
        assert connection.adbc_get_table_types() == ["TABLE", "VIEW"]


def test_adbc_errors_carry_the_sqlstate(quiver_server: QuiverServer) -> None:
    with adbc(quiver_server, "admin") as connection, connection.cursor() as cursor:
        with pytest.raises(Exception, match="SQLSTATE 42703"):
            cursor.execute("SELECT no_such_column FROM orders")
        with pytest.raises(Exception, match="SQLSTATE 25006"):
            cursor.execute("DELETE FROM orders")
        cursor.execute("SELECT count(*) FROM products")
        assert cursor.fetchone()[0] > 0  # type: ignore[index]


def test_error_messages_carry_detail_and_hint_lines(quiver_server: QuiverServer) -> None:
    """Drivers that show only the status message still show the hint, laid out as psql prints it."""
    with (
        adbc(quiver_server, "admin") as connection,
        connection.cursor() as cursor,
        pytest.raises(Exception) as caught,
    ):
        cursor.execute("SELECT gross_amoun FROM orders")
    text = str(caught.value)
    assert 'column "gross_amoun" does not exist (SQLSTATE 42703)\nHINT:  ' in text
    assert '"gross_amount"' in text.split("HINT:  ", 1)[1]


def test_wide_rows_stay_under_the_drivers_message_limit(
    quiver_server: QuiverServer, raw: duckdb.DuckDBPyConnection
) -> None:
    """64K rows of 400-byte text make an 18 MB engine batch; the ADBC driver refuses messages over 16 MiB."""
    sql = "SELECT order_item_id, repeat('x', 400) AS pad FROM order_items ORDER BY order_item_id"
    with adbc(quiver_server, "admin") as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        table = cursor.fetch_arrow_table()
    expected = raw.execute("SELECT count(*) FROM raw.order_items").fetchone()[0]  # type: ignore[index]
    assert table.num_rows == expected
    assert table.column("pad").to_pylist()[:2] == ["x" * 400] * 2
    assert max(batch.nbytes for batch in table.to_batches()) < 4 * 1024 * 1024


def test_repeated_column_names_arrive_as_described(quiver_server: QuiverServer) -> None:
    """The prepared statement's dataset schema, the FlightInfo schema and the stream agree (no ``x_1``)."""
    sql = "SELECT to_json(status), to_json(status), count(*) AS n FROM orders GROUP BY status ORDER BY 1"
    with adbc(quiver_server, "analyst") as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        over_adbc = cursor.fetch_arrow_table()
    assert over_adbc.column_names == ["to_json", "to_json", "n"]
    assert over_adbc.equals(plain_query(quiver_server, "analyst", sql))
    assert rows(over_adbc) == wire_rows(quiver_server, "analyst", sql)


# -- cancellation and disconnects ---------------------------------------------------------------------

# Relations in a join are read at the grain of the columns used: here every row, so the product never ends.
LONG = "SELECT sum(a.order_item_id + b.order_item_id + c.order_id) FROM order_items a, order_items b, orders c"


def test_cancel_flight_info_stops_the_query(quiver_server: QuiverServer) -> None:
    connection, options = client(quiver_server, "admin")
    info = connection.get_flight_info(flight.FlightDescriptor.for_command(LONG.encode()), options)
    outcome: dict[str, Any] = {}

    def read() -> None:
        started = time.monotonic()
        try:
            connection.do_get(info.endpoints[0].ticket, options).read_all()
            outcome["result"] = "finished"
        except flight.FlightError as exc:
            outcome["result"] = exc
        outcome["seconds"] = time.monotonic() - started

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(1.0)
    canceller, cancel_options = client(quiver_server, "admin")
    request = b"\x0a" + _varint(len(info.serialize())) + info.serialize()  # CancelFlightInfoRequest{info}
    (result,) = list(canceller.do_action(flight.Action("CancelFlightInfo", request), cancel_options))
    assert result.body.to_pybytes() == b"\x08\x01"  # CANCEL_STATUS_CANCELLED
    reader.join(30)
    assert isinstance(outcome["result"], flight.FlightError) and "57014" in str(outcome["result"])
    assert outcome["seconds"] < 20
    assert plain_query(quiver_server, "admin", "SELECT 1 AS one").column(0).to_pylist() == [1]


def test_a_client_that_stops_reading_frees_the_query(quiver_server: QuiverServer) -> None:
    audit = quiver_server.audit_log
    assert audit is not None
    before = len(audit.read_text().splitlines())
    connection, options = client(quiver_server, "admin")
    endless = "SELECT a.order_item_id AS x, b.order_item_id AS y FROM order_items a, order_items b"
    reader = connection.do_get(flight.Ticket(endless.encode()), options)
    assert reader.read_chunk().data.num_rows > 0
    reader.cancel()
    connection.close()
    deadline = time.monotonic() + 15
    ended: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not ended:
        records = [json.loads(line) for line in audit.read_text().splitlines()[before:]]
        ended = [r for r in records if r["channel"] == "flight" and r["relations"] == ["order_items"]]
        time.sleep(0.2)
    assert ended and ended[0]["outcome"] in ("closed", "error")
    assert ended[0]["rows"] < 2_500_000_000
    assert plain_query(quiver_server, "admin", "SELECT 1 AS one").num_rows == 1


def test_flight_queries_are_audited(quiver_server: QuiverServer) -> None:
    plain_query(quiver_server, "analyst", "SELECT segment, customer_count FROM customers GROUP BY 1")
    records = [json.loads(line) for line in quiver_server.audit_log.read_text().splitlines()]  # type: ignore[union-attr]
    record = next(r for r in reversed(records) if r["channel"] == "flight" and r["user"] == "analyst")
    assert record["outcome"] == "ok" and record["relations"] == ["customers"] and record["rows"] == 3


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


# -- hostile input ------------------------------------------------------------------------------------


def _any(type_name: str, value: bytes) -> bytes:
    """A protobuf Any by hand: type_url (field 1) and value (field 2), each length-delimited."""
    url = f"type.googleapis.com/arrow.flight.protocol.sql.{type_name}".encode()
    return bytes([0x0A, len(url)]) + url + bytes([0x12, len(value)]) + value


MALFORMED_COMMANDS = [
    b"\xff\xfe SELECT 1",  # not UTF-8, not a message
    _any("CommandStatementQuery", b"\x0a\xff\x01"),  # a length running past the end
    _any("CommandNoSuchThing", b""),
    _any("CommandGetTables", b"\x08"),  # a truncated varint
    b"",
]


@pytest.mark.parametrize("command", MALFORMED_COMMANDS, ids=range(len(MALFORMED_COMMANDS)))
def test_malformed_requests_get_a_clean_error_and_the_server_stays_up(
    quiver_server: QuiverServer, command: bytes
) -> None:
    connection, options = client(quiver_server, "admin")
    for call in (
        lambda: connection.get_flight_info(flight.FlightDescriptor.for_command(command), options),
        lambda: connection.do_get(flight.Ticket(command), options).read_all(),
        lambda: list(connection.do_action(flight.Action("CreatePreparedStatement", command), options)),
        lambda: list(connection.do_action(flight.Action("ClosePreparedStatement", command), options)),
        lambda: list(connection.do_action(flight.Action("CancelQuery", command), options)),
    ):
        with pytest.raises(flight.FlightError) as caught:
            call()
        assert not isinstance(caught.value, flight.FlightInternalError), caught.value
        assert "SQLSTATE" in str(caught.value)
    assert plain_query(quiver_server, "admin", "SELECT 1 AS one").to_pylist() == [{"one": 1}]


def test_concurrent_clients_get_their_own_answers(quiver_server: QuiverServer) -> None:
    """Eight clients at once, as three users: each answer is the one that user gets alone."""
    sql = "SELECT customer_region, count(*) AS n FROM sales GROUP BY 1 ORDER BY 1"
    alone = {user: plain_query(quiver_server, user, sql) for user in USERS}
    assert alone["eu_analyst"].num_rows == 1 and alone["admin"].num_rows > 1
    failures: list[str] = []

    def work(user: str) -> None:
        try:
            with adbc(quiver_server, user) as connection, connection.cursor() as cursor:
                for _ in range(6):
                    cursor.execute(sql)
                    if not cursor.fetch_arrow_table().equals(alone[user]):
                        failures.append(f"{user}: a different answer")
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            failures.append(f"{user}: {exc}")

    threads = [threading.Thread(target=work, args=(USERS[i % len(USERS)],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures
    assert not any(thread.is_alive() for thread in threads)
