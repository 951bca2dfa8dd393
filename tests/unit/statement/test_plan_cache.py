"""Bound statements are plan-cached on every channel: one compile per statement and caller, whatever the values.

Compiles are counted on a fresh engine: the statement service directly, the
PostgreSQL wire (Parse once, Bind and Execute twice, as byte strings) and Flight SQL
(an ADBC prepared statement executed with two parameter values) each compile
``WHERE status = $1`` once per caller, and answer as the statement with the values
written in does.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.duckdb import DuckDBConnector
from server.engine import Engine
from server.execution.executor import Executor
from server.policy.identity import Caller
from server.semantic.store import ModelStore
from server.sql.session_info import SessionInfo
from server.statement.service import FixedSession, StatementService
from tests.unit.protocol.pgclient import SYNC, bind, execute, parse
from tests.unit.protocol.test_backend import USERS, Conversation, run

ADMIN, ANALYST = Caller("admin"), Caller("analyst")
SESSION = FixedSession(SessionInfo(user="admin", database="quiver"))
BY_STATUS = "SELECT count(*) AS n FROM orders WHERE status = $1"


class Counted:
    """A fresh engine whose compiles are counted per caller."""

    def __init__(self, models: ModelStore, connector: DuckDBConnector) -> None:
        self.engine = Engine(models, Executor(connector))
        self.compiles: dict[str, int] = {}
        compile_tree = self.engine.compile_tree

        def counted(tree: Any, caller: Caller, *args: Any, **kwargs: Any) -> Any:
            self.compiles[caller.user] = self.compiles.get(caller.user, 0) + 1
            return compile_tree(tree, caller, *args, **kwargs)

        self.engine.compile_tree = counted  # type: ignore[method-assign]


@pytest.fixture
def counted(models: ModelStore, connector: DuckDBConnector) -> Counted:
    return Counted(models, connector)


def _rows(service: StatementService, sql: str, caller: Caller = ADMIN, values: tuple[Any, ...] = ()) -> list[Any]:
    session = FixedSession(SessionInfo(user=caller.user, database="quiver"))
    return service.query(sql, caller, session, values).read_all().to_pylist()


def test_the_service_compiles_a_bound_statement_once_per_caller(counted: Counted) -> None:
    service = StatementService(counted.engine)
    statement = service.prepare(BY_STATUS, ADMIN, SESSION)
    answers = [
        service.run(service.bind(statement, [status])).read_all().to_pylist() for status in ("shipped", "placed")
    ]
    assert counted.compiles == {"admin": 1}
    reference = StatementService(Engine(counted.engine.models, counted.engine.executor))
    assert answers == [
        _rows(reference, f"SELECT count(*) AS n FROM orders WHERE status = '{s}'") for s in ("shipped", "placed")
    ]
    assert answers[0] != answers[1]
    _rows(service, BY_STATUS, ANALYST, ("shipped",))
    _rows(service, BY_STATUS, ANALYST, ("returned",))
    assert counted.compiles == {"admin": 1, "analyst": 1}


@pytest.mark.parametrize(
    ("sql", "values"),
    [
        ("SELECT order_id FROM orders WHERE order_id > $1 ORDER BY 1 LIMIT $2", [(10, 3), (20, 2)]),
        ("SELECT count(*) AS n FROM orders WHERE order_ts >= $1", [(dt.date(2024, 1, 1),), (dt.date(2024, 6, 1),)]),
        (
            "SELECT count(*) AS n FROM orders WHERE order_ts < $1",
            [(dt.datetime(2024, 3, 1, 12, 30),), (dt.datetime(2024, 9, 1, 8, 0),)],
        ),
        ("SELECT count(*) AS n FROM orders WHERE status = $1 OR status = $2", [("shipped", "placed"), ("x", "y")]),
    ],
)
def test_a_generic_plan_answers_as_the_values_written_in(
    counted: Counted, sql: str, values: list[tuple[Any, ...]]
) -> None:
    service = StatementService(counted.engine)
    reference = StatementService(Engine(counted.engine.models, counted.engine.executor))
    for bound in values:
        literal_sql = sql
        for number, value in reversed(list(enumerate(bound, 1))):
            if isinstance(value, dt.datetime):
                text = f"TIMESTAMP '{value}'"
            else:
                text = f"DATE '{value}'" if isinstance(value, dt.date) else repr(value)
            literal_sql = literal_sql.replace(f"${number}", text)
        assert _rows(service, sql, values=bound) == _rows(reference, literal_sql)
    assert counted.compiles == {"admin": 1}


@pytest.mark.parametrize(
    ("sql", "values"),
    [
        ("SELECT count(*) AS n FROM orders WHERE returned = $1", [(True,), (False,)]),  # TRUE and FALSE: no marker
        ("SELECT count(*) AS n FROM orders WHERE status = $1 OR $2", [("x", None), ("y", None)]),  # nor has NULL
        ("SELECT order_id FROM orders ORDER BY 1 LIMIT $1", [(-1,), (-2,)]),  # negative: the compiler's error
    ],
)
def test_values_without_a_marker_compile_with_their_values(
    counted: Counted, sql: str, values: list[tuple[Any, ...]]
) -> None:
    service = StatementService(counted.engine)
    outcomes = []
    for bound in values:
        try:
            outcomes.append(_rows(service, sql, values=bound))
        except Exception as error:  # the same typed error as the statement with the value written in
            outcomes.append(getattr(error, "sqlstate", type(error).__name__))
    assert counted.compiles == {"admin": len(values)}
    if values[0][0] == -1:
        assert outcomes == ["0A000", "0A000"]


def test_the_wire_compiles_a_bound_statement_once(counted: Counted) -> None:
    from server.protocol.pgwire.backend import ServerContext

    context = ServerContext(engine=counted.engine, users=USERS, process_id=4242)

    async def scenario(c: Conversation) -> None:
        await c.login()
        await c.send(parse("by_status", BY_STATUS) + SYNC)
        answers = []
        for status in (b"shipped", b"placed"):
            replies = await c.send(bind("", "by_status", (status,)) + execute("") + SYNC)
            answers.append([r.text_row() for r in replies if r.kind == "D"])
        assert answers[0] != answers[1]

    run(context, scenario)
    assert counted.compiles == {"admin": 1}


@pytest.fixture
def flight_server(counted: Counted) -> Iterator[Any]:
    from server.protocol.flight.service import QuiverFlightServer

    server = QuiverFlightServer("grpc://127.0.0.1:0", counted.engine, USERS)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(10)


def test_flight_sql_compiles_a_bound_statement_once(counted: Counted, flight_server: Any) -> None:
    flightsql = pytest.importorskip("adbc_driver_flightsql.dbapi")
    location = f"grpc://127.0.0.1:{flight_server.port}"
    with flightsql.connect(location, db_kwargs={"username": "admin", "password": "admin-pass"}) as connection:
        cursor = connection.cursor()
        answers = []
        for status in ("shipped", "placed"):
            cursor.execute(BY_STATUS.replace("$1", "?"), (status,))
            answers.append(cursor.fetchall())
        cursor.close()
    assert answers[0] != answers[1]
    assert counted.compiles == {"admin": 1}
