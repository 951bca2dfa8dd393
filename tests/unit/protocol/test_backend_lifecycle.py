"""A connection's life at its edges: the authentication deadline, the caps on unauthenticated connections, the drain.

Conversations run over the in-memory transport of ``test_backend``; the last
test drives the real listener on a loopback port.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from server.engine import Engine
from server.protocol.pgwire.auth import AuthMethod
from server.protocol.pgwire.backend import Backend, ServerContext
from server.protocol.pgwire.listener import ListenerConfig, serve_worker
from tests.support.postgres import free_port
from tests.unit.protocol.pgclient import (
    FLUSH,
    SYNC,
    MemoryWriter,
    ScramClient,
    bind,
    execute,
    parse,
    parse_replies,
    query,
    startup,
)
from tests.unit.protocol.test_backend import USERS, Conversation, kinds

# Hours of engine work: only a cancel ends it.
ENDLESS = (
    "WITH a AS (SELECT order_id FROM orders), c AS (SELECT customer_id FROM customers) "
    "SELECT sum(a.order_id + b.order_id + c.customer_id) FROM a, a b, c"
)


@pytest.fixture
def context(engine: Engine) -> ServerContext:
    return ServerContext(engine=engine, users=USERS, auth_method=AuthMethod.SCRAM, process_id=4242)


class AddressedWriter(MemoryWriter):
    """A writer whose peer has an address, as a socket's has."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def get_extra_info(self, name: str) -> object:
        return (self.address, 40000) if name == "peername" else None


class From(Conversation):
    """A conversation with a client at ``address``."""

    def __init__(self, context: ServerContext, address: str) -> None:
        self.reader = asyncio.StreamReader()
        self.writer = AddressedWriter(address)
        self.backend = Backend(context, self.reader, self.writer)  # type: ignore[arg-type]
        self.task = asyncio.create_task(self.backend.run())


async def ended(c: Conversation, timeout: float = 5) -> list:
    """The replies of a connection the server ends by itself."""
    await asyncio.wait_for(asyncio.shield(c.task), timeout)
    return parse_replies(c.writer.take())


def fatal(replies: list) -> tuple[str, str, str]:
    error = replies[-1]
    assert error.kind == "E", kinds(replies)
    fields = error.fields()
    return fields["S"], fields["C"], fields["M"]


# -- the authentication deadline ------------------------------------------------------------------


def test_silence_after_connecting_ends_at_the_deadline(context: ServerContext) -> None:
    context.auth_timeout = 0.3

    async def main() -> None:
        c = Conversation(context)
        started = time.monotonic()
        replies = await ended(c)
        assert fatal(replies) == ("FATAL", "57014", "canceling authentication due to timeout")
        assert 0.25 <= time.monotonic() - started < 2
        assert c.writer.closed
        assert context.unauthenticated.total() == 0

    asyncio.run(main())


def test_the_deadline_covers_the_whole_exchange_not_each_read(context: ServerContext) -> None:
    context.auth_timeout = 0.5

    async def main() -> None:
        c = Conversation(context)
        await c.send(startup(user="admin", database="quiver"), until="R")
        scram = ScramClient("admin", "admin-pass")
        first = scram.first()
        for byte in first[:-1]:  # a byte every 50 ms: each read is quick, the whole is too slow
            c.reader.feed_data(bytes([byte]))
            await asyncio.sleep(0.05)
            if c.task.done():
                break
        replies = await ended(c)
        assert fatal(replies)[:2] == ("FATAL", "57014")

    asyncio.run(main())


def test_an_authenticated_session_outlives_the_deadline(context: ServerContext) -> None:
    context.auth_timeout = 0.3

    async def main() -> None:
        c = Conversation(context)
        assert (await c.login())[-1].kind == "Z"
        await asyncio.sleep(0.6)
        replies = await c.send(query("SELECT order_count FROM orders"))
        assert kinds(replies) == "TDCZ" and replies[1].text_row() == ["20000"]
        await c.end()

    asyncio.run(main())


def test_messages_sent_with_the_last_authentication_message_are_answered(context: ServerContext) -> None:
    async def main() -> None:
        c = Conversation(context)
        scram = ScramClient("admin", "admin-pass")
        await c.send(startup(user="admin", database="quiver"), until="R")
        cont = await c.send(scram.first(), until="R")
        # SCRAM's final message and a query in one write: the query runs once authenticated.
        replies = await c.send(scram.final(cont[-1].body[4:].decode()) + query("SELECT 1 AS one"), until="C")
        replies += await c.send(b"", until="Z") if replies[-1].kind != "Z" else []
        assert kinds(replies).endswith("KZTDCZ")
        assert replies[-3].text_row() == ["1"] and replies[-2].cstrings() == ["SELECT 1"]
        await c.end()

    asyncio.run(main())


# -- caps on connections not yet authenticated ----------------------------------------------------


def test_over_the_per_address_cap_a_connection_is_refused_at_once(context: ServerContext) -> None:
    context.max_unauthenticated_per_address = 2

    async def main() -> None:
        waiting = [From(context, "10.0.0.1") for _ in range(2)]
        await asyncio.sleep(0.01)
        refused = From(context, "10.0.0.1")
        replies = await ended(refused, 1)
        assert fatal(replies) == ("FATAL", "53300", "sorry, too many clients already")
        assert "from this address" in replies[-1].fields()["D"]
        other = From(context, "10.0.0.2")  # another address still gets in
        assert (await other.login())[-1].kind == "Z"
        assert (await waiting[0].login())[-1].kind == "Z"  # authenticated: no longer counted
        assert context.unauthenticated == {"10.0.0.1": 1}
        again = From(context, "10.0.0.1")
        assert (await again.login())[-1].kind == "Z"
        for c in [*waiting, other, again]:
            await c.end()
        assert context.unauthenticated.total() == 0

    asyncio.run(main())


def test_over_the_per_worker_cap_a_connection_is_refused_at_once(context: ServerContext) -> None:
    context.max_unauthenticated = 3

    async def main() -> None:
        waiting = [From(context, f"10.0.1.{n}") for n in range(3)]
        await asyncio.sleep(0.01)
        replies = await ended(From(context, "10.0.1.9"), 1)
        assert fatal(replies)[:2] == ("FATAL", "53300")
        for c in waiting:
            await c.end()
        assert context.unauthenticated.total() == 0
        late = From(context, "10.0.1.9")
        assert (await late.login())[-1].kind == "Z"
        await late.end()

    asyncio.run(main())


# -- draining -------------------------------------------------------------------------------------


def test_an_idle_session_gets_57p01_when_the_drain_begins(context: ServerContext) -> None:
    async def main() -> None:
        c = Conversation(context)
        await c.login()
        context.begin_drain()
        replies = await ended(c)
        assert fatal(replies) == ("FATAL", "57P01", "terminating connection due to administrator command")
        assert c.writer.closed and not context.live

    asyncio.run(main())


def test_a_new_statement_while_draining_is_refused(context: ServerContext) -> None:
    async def main() -> None:
        c = Conversation(context)
        await c.login()
        context.draining = True  # as if the drain began while this session was busy
        c.reader.feed_data(query("SELECT 1"))
        replies = await ended(c)
        assert kinds(replies) == "E" and fatal(replies)[:2] == ("FATAL", "57P01")

    asyncio.run(main())


def test_a_portal_bound_before_the_drain_still_runs_to_its_sync(context: ServerContext) -> None:
    async def main() -> None:
        c = Conversation(context)
        await c.login()
        await c.send(parse("", "SELECT order_count FROM orders") + bind("", "") + FLUSH, until="2")
        context.draining = True
        c.reader.feed_data(execute("") + SYNC)
        replies = await ended(c)
        assert kinds(replies) == "DCZE"
        assert replies[0].text_row() == ["20000"]
        assert fatal(replies)[:2] == ("FATAL", "57P01")

    asyncio.run(main())


def test_after_the_grace_period_a_running_statement_is_cancelled_with_57p01(context: ServerContext) -> None:
    async def main() -> None:
        c = Conversation(context)
        await c.login()
        c.reader.feed_data(query(ENDLESS))
        await asyncio.sleep(0.5)
        assert not c.task.done()
        context.begin_drain()
        await asyncio.sleep(0.1)
        assert not c.task.done()  # busy: the drain lets it run
        started = time.monotonic()
        context.terminate_all()
        replies = await ended(c)
        assert fatal(replies) == ("FATAL", "57P01", "terminating connection due to administrator command")
        assert time.monotonic() - started < 2

    asyncio.run(main())


def test_the_listener_drains_on_stop(context: ServerContext) -> None:
    port = free_port()
    config = ListenerConfig(port=port, shutdown_grace=5.0)

    async def main() -> None:
        ready, stop = asyncio.Event(), asyncio.Event()
        server = asyncio.create_task(serve_worker(config, context, ready, stop=stop, signals=()))
        await asyncio.wait_for(ready.wait(), 5)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(startup(user="admin", database="quiver"))
        scram = ScramClient("admin", "admin-pass")
        cont = parse_replies(await reader.read(65536))
        assert cont[0].kind == "R"
        writer.write(scram.first())
        server_first = parse_replies(await reader.read(65536))[-1].body[4:].decode()
        writer.write(scram.final(server_first))
        login = bytearray()
        while not login.endswith(b"Z\x00\x00\x00\x05I"):
            login += await asyncio.wait_for(reader.read(65536), 5)
        started = time.monotonic()
        stop.set()
        rest = await asyncio.wait_for(reader.read(), 5)  # to end of stream
        assert fatal(parse_replies(rest))[:2] == ("FATAL", "57P01")
        writer.close()  # as libpq does on a FATAL error
        await asyncio.wait_for(server, 5)
        assert time.monotonic() - started < 2
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)

    asyncio.run(main())


def test_a_client_connecting_during_the_drain_is_told_57p03_and_the_port_closes_after(context: ServerContext) -> None:
    """While a session finishes its statement the port stays open; newcomers get PostgreSQL's 57P03, not a reset."""
    port = free_port()
    config = ListenerConfig(port=port, shutdown_grace=5.0)

    async def login(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(startup(user="admin", database="quiver"))
        scram = ScramClient("admin", "admin-pass")
        assert parse_replies(await reader.read(65536))[0].kind == "R"
        writer.write(scram.first())
        server_first = parse_replies(await reader.read(65536))[-1].body[4:].decode()
        writer.write(scram.final(server_first))
        login = bytearray()
        while not login.endswith(b"Z\x00\x00\x00\x05I"):
            login += await asyncio.wait_for(reader.read(65536), 5)

    async def main() -> None:
        ready, stop = asyncio.Event(), asyncio.Event()
        server = asyncio.create_task(serve_worker(config, context, ready, stop=stop, signals=()))
        await asyncio.wait_for(ready.wait(), 5)
        busy_reader, busy_writer = await asyncio.open_connection("127.0.0.1", port)
        await login(busy_reader, busy_writer)
        busy_writer.write(query(ENDLESS))
        await asyncio.sleep(0.3)
        stop.set()
        await asyncio.sleep(0.2)
        late_reader, late_writer = await asyncio.open_connection("127.0.0.1", port)  # the port is still open
        late_writer.write(startup(user="admin", database="quiver"))
        replies = parse_replies(await asyncio.wait_for(late_reader.read(), 5))
        assert fatal(replies) == ("FATAL", "57P03", "the database system is shutting down")
        late_writer.close()
        assert not server.done()  # the busy session still has its grace period
        busy_writer.close()  # the busy client leaves: its statement is cancelled, the drain ends
        await asyncio.wait_for(server, 5)
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)

    asyncio.run(main())
