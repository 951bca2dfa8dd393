"""One DoGet's stream: released however it ends, stopped when its client goes away; path descriptors."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pytest
import sqlglot.expressions as exp
from pyarrow import flight

from connectors.base import CancelToken
from server.errors import CharacterNotInRepertoire, InvalidParameterValue, QueryCanceled
from server.policy.identity import Caller
from server.protocol.flight.service import QueryStream, parameter_rows, path_relation, relation_sql
from server.protocol.flight.state import CallWatch, RunningQueries
from server.sql.parser import parse_statement

SCHEMA = pa.schema([("n", pa.int64())])


class Result:
    """An engine result whose batches wait, as a long aggregate does, until released or cancelled."""

    def __init__(self, token: CancelToken, batches: int, block: threading.Event | None) -> None:
        self.schema = SCHEMA
        self.closed = False
        self._token = token
        self._count = batches
        self._block = block
        self._cancelled = threading.Event()
        token.bind(self._cancelled.set)

    def batches(self) -> Iterator[pa.RecordBatch]:
        for i in range(self._count):
            if self._block is not None:
                while not self._block.is_set():
                    if self._cancelled.wait(0.01):
                        raise QueryCanceled("canceling statement due to user request")
            yield pa.record_batch([pa.array([i])], schema=SCHEMA)

    def close(self) -> None:
        self.closed = True


class Server:
    """The parts of QuiverFlightServer a stream uses."""

    def __init__(self, batches: int = 3, block: threading.Event | None = None) -> None:
        self.running = RunningQueries()
        self.watch = CallWatch(poll=0.01)
        self.results: list[Result] = []
        self._batches = batches
        self._block = block

    def run(self, context: Any, caller: Caller, sql: str, values: list[Any], tree: Any, token: CancelToken) -> Any:
        result = Result(token, self._batches, self._block)
        self.results.append(result)
        return result


class Context:
    def __init__(self) -> None:
        self.gone = False

    def is_cancelled(self) -> bool:
        return self.gone


ADMIN = Caller("admin", channel="flight")


@pytest.fixture
def make_server() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def make(batches: int = 3, block: threading.Event | None = None) -> Server:
        servers.append(Server(batches, block))
        return servers[-1]

    yield make
    for server in servers:
        server.watch.stop()


def stream(server: Server, context: Context, rows: int = 0) -> QueryStream:
    table = pa.table({"x": list(range(rows))}) if rows else None
    return QueryStream(server, context, ADMIN, "SELECT 1", parameter_rows(table), b"ticket", None)  # type: ignore[arg-type]


def test_a_read_stream_releases_its_result_and_registration(make_server: Callable[..., Server]) -> None:
    server = make_server()
    query = stream(server, Context())
    assert len(server.running) == 1
    assert [b.column(0)[0].as_py() for b in query] == [0, 1, 2]
    assert len(server.running) == 0 and server.results[0].closed


def test_every_parameter_row_runs_in_turn(make_server: Callable[..., Server]) -> None:
    server = make_server(batches=1)
    assert len(list(stream(server, Context(), rows=3))) == 3
    assert len(server.results) == 3 and all(r.closed for r in server.results)
    assert len(server.running) == 0


def test_a_stream_dropped_unread_releases_everything(make_server: Callable[..., Server]) -> None:
    """pyarrow drops a stream it never read when the client leaves before the first batch."""
    server = make_server()
    for _ in range(50):
        query = stream(server, Context())
        del query
    gc.collect()
    assert len(server.running) == 0
    assert all(result.closed for result in server.results)


def test_a_client_that_leaves_while_the_engine_computes_cancels_it(make_server: Callable[..., Server]) -> None:
    server = make_server(block=threading.Event())  # the first batch never comes by itself
    context = Context()
    query = stream(server, context)
    outcome: dict[str, Any] = {}

    def read() -> None:
        try:
            outcome["batches"] = list(query)
        except flight.FlightError as exc:
            outcome["error"] = exc

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.2)
    assert reader.is_alive()
    left = time.monotonic()
    context.gone = True
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - left < 2.0
    assert query.token.cancelled
    assert isinstance(outcome.get("error"), flight.FlightCancelledError)
    assert len(server.running) == 0 and server.results[0].closed


@pytest.mark.parametrize(
    "name",
    ["orders", 'orders" LIMIT 1 --', "orders; SELECT 1", 'a""b', "main.orders", "Orders"],
)
def test_a_relation_name_is_one_quoted_identifier(name: str) -> None:
    tree = parse_statement(relation_sql(name))
    (table,) = list(tree.find_all(exp.Table))
    assert table.name == name and table.this.quoted
    assert tree.args.get("limit") is None and tree.args.get("where") is None


def test_path_descriptors_name_exactly_one_utf8_relation() -> None:
    assert path_relation([b"orders"]) == "orders"
    with pytest.raises(CharacterNotInRepertoire) as caught:
        path_relation([b"ord\xffers"])
    assert caught.value.sqlstate.value == "22021"
    for bad in ([], [b"a", b"b"], [b""]):
        with pytest.raises(InvalidParameterValue):
            path_relation(bad)
