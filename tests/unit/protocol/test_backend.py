"""Whole protocol conversations with the backend, as byte strings over an in-memory transport."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from server.config import DEMO_USERS
from server.engine import Engine
from server.policy.users import UserStore
from server.protocol.pgwire.auth import AuthMethod
from server.protocol.pgwire.backend import Backend, ServerContext
from tests.unit.protocol.pgclient import (
    FLUSH,
    SYNC,
    TERMINATE,
    MemoryWriter,
    Reply,
    ScramClient,
    bind,
    close,
    describe,
    execute,
    frame,
    parse,
    parse_replies,
    query,
    startup,
)

USERS = UserStore.load(DEMO_USERS)


class Conversation:
    def __init__(self, context: ServerContext) -> None:
        self.reader = asyncio.StreamReader()
        self.writer = MemoryWriter()
        self.backend = Backend(context, self.reader, self.writer)  # type: ignore[arg-type]
        self.task = asyncio.create_task(self.backend.run())

    async def send(self, data: bytes, until: str = "Z", timeout: float = 20) -> list[Reply]:
        """Feed ``data``; collect replies until one of kind ``until`` (or the connection ends)."""
        self.reader.feed_data(data)
        collected = bytearray()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await asyncio.sleep(0.001)
            collected += self.writer.take()
            replies = parse_replies(bytes(collected)) if collected else []
            if any(r.kind == until for r in replies) or self.task.done():
                return replies
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no {until!r} reply; got {[r.kind for r in replies]}")

    async def login(self, user: str = "admin", password: str = "admin-pass") -> list[Reply]:
        scram = ScramClient(user, password)
        replies = await self.send(startup(user=user, database="quiver"), until="R")
        assert replies[-1].kind == "R"
        continue_ = await self.send(scram.first(), until="R")
        server_first = continue_[-1].body[4:].decode()
        return await self.send(scram.final(server_first))

    async def end(self) -> None:
        self.reader.feed_data(TERMINATE)
        self.reader.feed_eof()
        await asyncio.wait_for(self.task, 10)


@pytest.fixture
def context(engine: Engine) -> ServerContext:
    return ServerContext(engine=engine, users=USERS, auth_method=AuthMethod.SCRAM, process_id=4242)


def run(context: ServerContext, scenario: Callable[[Conversation], Awaitable[None]]) -> None:
    async def main() -> None:
        conversation = Conversation(context)
        try:
            await scenario(conversation)
        finally:
            if not conversation.task.done():
                await conversation.end()

    asyncio.run(main())


def kinds(replies: list[Reply]) -> str:
    return "".join(r.kind for r in replies)


def test_scram_login_reports_parameters_and_key(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        scram = ScramClient("admin", "admin-pass")
        first = await c.send(startup(user="admin", database="quiver", application_name="pytest"), until="R")
        assert first[0].kind == "R" and struct.unpack("!i", first[0].body[:4])[0] == 10
        assert b"SCRAM-SHA-256" in first[0].body
        cont = await c.send(scram.first(), until="R")
        assert struct.unpack("!i", cont[0].body[:4])[0] == 11
        final = await c.send(scram.final(cont[0].body[4:].decode()))
        assert struct.unpack("!i", final[0].body[:4])[0] == 12
        assert final[0].body[4:].decode() == f"v={scram.expected_server_signature()}"
        assert final[1].kind == "R" and final[1].body == b"\0\0\0\0"
        status = dict(tuple(r.cstrings()) for r in final if r.kind == "S")
        assert status["server_version"].startswith("16.") and "Quiver" in status["server_version"]
        assert status["client_encoding"] == "UTF8"
        assert status["DateStyle"].startswith("ISO")
        assert status["standard_conforming_strings"] == "on"
        assert status["application_name"] == "pytest"
        assert status["integer_datetimes"] == "on"
        assert status["session_authorization"] == "admin"
        key = next(r for r in final if r.kind == "K")
        assert struct.unpack("!ii", key.body)[0] == 4242
        assert final[-1].kind == "Z" and final[-1].body == b"I"

    run(context, scenario)


@pytest.mark.parametrize(("user", "password"), [("admin", "wrong"), ("nobody", "whatever")])
def test_failed_login_is_fatal_and_does_not_reveal_users(context: ServerContext, user: str, password: str) -> None:
    async def scenario(c: Conversation) -> None:
        scram = ScramClient(user, password)
        await c.send(startup(user=user, database="quiver"), until="R")
        cont = await c.send(scram.first(), until="R")
        replies = await c.send(scram.final(cont[-1].body[4:].decode()), until="E")
        fields = replies[-1].fields()
        assert (fields["S"], fields["C"]) == ("FATAL", "28P01")
        assert fields["M"] == f'password authentication failed for user "{user}"'
        await asyncio.wait_for(c.task, 5)
        assert c.writer.closed

    run(context, scenario)


def test_cleartext_and_md5_methods(context: ServerContext) -> None:
    import hashlib

    async def cleartext(c: Conversation) -> None:
        replies = await c.send(startup(user="analyst", database="quiver"), until="R")
        assert struct.unpack("!i", replies[0].body[:4])[0] == 3
        done = await c.send(frame(b"p", b"analyst-pass\0"))
        assert kinds(done)[0] == "R" and done[-1].kind == "Z"

    context.auth_method = AuthMethod.PASSWORD
    run(context, cleartext)

    async def md5(c: Conversation) -> None:
        replies = await c.send(startup(user="analyst", database="quiver"), until="R")
        assert struct.unpack("!i", replies[0].body[:4])[0] == 5
        salt = replies[0].body[4:8]
        inner = hashlib.md5(b"analyst-passanalyst").hexdigest()
        answer = "md5" + hashlib.md5(inner.encode() + salt).hexdigest()
        done = await c.send(frame(b"p", answer.encode() + b"\0"))
        assert done[-1].kind == "Z"

    context.auth_method = AuthMethod.MD5
    run(context, md5)


def test_unknown_database_is_3d000(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        replies = await c.send(startup(user="admin", database="postgres"), until="E")
        assert replies[-1].fields()["C"] == "3D000"

    run(context, scenario)


def test_simple_query_with_several_statements(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(
            query(
                "SELECT status, order_count FROM orders ORDER BY status LIMIT 2; SET extra_float_digits = 3; "
                "SHOW extra_float_digits"
            )
        )
        assert kinds(replies) == "TDDCCTDCZ"
        assert replies[0].column_names() == ["status", "order_count"]
        assert replies[1].text_row() == ["cancelled", "1421"]
        assert replies[3].cstrings() == ["SELECT 2"]
        assert replies[4].cstrings() == ["SET"]
        assert replies[6].text_row() == ["3"]

    run(context, scenario)


def test_error_stops_the_rest_of_a_simple_query(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(query("SELECT order_count FROM orders; SELECT nope FROM orders; SELECT 1 FROM orders"))
        assert kinds(replies) == "TDCEZ"
        error = replies[3].fields()
        assert (error["S"], error["V"], error["C"]) == ("ERROR", "ERROR", "42703")
        assert error["M"] == 'column "nope" does not exist'
        assert error["P"] == str(len("SELECT order_count FROM orders;") + len(" SELECT ") + 1)
        again = await c.send(query("SELECT order_count FROM orders"))
        assert kinds(again) == "TDCZ" and again[1].text_row() == ["20000"]

    run(context, scenario)


def test_empty_query(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        assert kinds(await c.send(query("  ;  -- nothing\n"))) == "IZ"

    run(context, scenario)


def test_failed_transaction_block(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        assert (await c.send(query("BEGIN")))[-1].body == b"T"
        failed = await c.send(query("SELECT nope FROM orders"))
        assert failed[-1].body == b"E"
        ignored = await c.send(query("SELECT order_count FROM orders"))
        assert ignored[0].fields()["C"] == "25P02" and ignored[-1].body == b"E"
        rolled = await c.send(query("ROLLBACK"))
        assert rolled[0].cstrings() == ["ROLLBACK"] and rolled[-1].body == b"I"

    run(context, scenario)


def test_extended_query_with_parameters_and_describe(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(
            parse("s1", "SELECT customer_region, order_count FROM sales WHERE customer_region = $1")
            + describe("S", "s1")
            + bind("", "s1", (b"EU",))
            + execute()
            + SYNC
        )
        assert kinds(replies) == "1tT2DCZ"
        (count,) = struct.unpack_from("!h", replies[1].body)
        assert count == 1 and struct.unpack_from("!I", replies[1].body, 2)[0] == 25  # text, from the column
        columns = replies[2].columns()
        assert [c[0] for c in columns] == ["customer_region", "order_count"]
        assert (
            columns[0][1] != 0
            and columns[0][2] == list(context.engine.manifest.relations["sales"].members).index("customer_region") + 1
        )
        assert replies[4].text_row() == ["EU", "6815"]

    run(context, scenario)


def test_binary_parameters_and_results(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(
            parse("", "SELECT order_id, order_count FROM orders WHERE order_id = $1", (20,))
            + bind("", "", (struct.pack("!q", 7),), result_formats=(1,), param_formats=(1,))
            + execute()
            + SYNC
        )
        assert kinds(replies) == "12DCZ"
        assert replies[2].row() == [struct.pack("!q", 7), struct.pack("!q", 1)]

    run(context, scenario)


def test_error_in_extended_batch_skips_until_sync(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(
            parse("", "SELECT nope FROM orders") + bind("", "") + describe("P", "") + execute() + SYNC
        )
        # Names are resolved when the statement is first described or run, then the batch is skipped to Sync.
        assert kinds(replies) == "12EZ"
        assert replies[2].fields()["C"] == "42703"
        assert replies[-1].body == b"I"
        ok = await c.send(parse("", "SELECT order_count FROM orders") + bind("", "") + execute() + SYNC)
        assert kinds(ok) == "12DCZ"

    run(context, scenario)


def test_execute_with_row_limit_suspends(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        await c.send(query("BEGIN"))
        first = await c.send(
            parse("", "SELECT order_id FROM orders ORDER BY order_id LIMIT 5")
            + bind("p", "")
            + execute("p", 2)
            + FLUSH,
            until="s",
        )
        assert kinds(first) == "12DDs"
        assert [r.text_row() for r in first if r.kind == "D"] == [["1"], ["2"]]
        second = await c.send(execute("p", 2) + FLUSH, until="s")
        assert kinds(second) == "DDs"
        last = await c.send(execute("p", 2) + SYNC)
        assert kinds(last) == "DCZ" and last[1].cstrings() == ["SELECT 5"]
        assert last[-1].body == b"T"

    run(context, scenario)


def test_flush_answers_describe_before_sync(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(
            parse("q", "SELECT status FROM orders WHERE order_id = $1") + describe("S", "q") + FLUSH, until="T"
        )
        assert kinds(replies) == "1tT"
        assert struct.unpack_from("!I", replies[1].body, 2)[0] == 20  # int8, inferred from order_id

    run(context, scenario)


def test_unknown_statement_and_portal(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(bind("", "nope") + SYNC)
        assert replies[0].fields()["C"] == "26000"
        replies = await c.send(execute("nope") + SYNC)
        assert replies[0].fields()["C"] == "34000"
        replies = await c.send(parse("a", "SELECT order_count FROM orders") + close("S", "a") + SYNC)
        assert kinds(replies) == "13Z"

    run(context, scenario)


def test_cursors(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        outside = await c.send(query("DECLARE c CURSOR FOR SELECT order_id FROM orders"))
        assert outside[0].fields()["C"] == "25P01"
        replies = await c.send(
            query(
                'BEGIN; DECLARE "c1" CURSOR WITHOUT HOLD FOR SELECT order_id FROM orders ORDER BY order_id; '
                'FETCH FORWARD 3 FROM "c1"; FETCH 2 IN c1; CLOSE c1; COMMIT'
            )
        )
        rows = [r.text_row() for r in replies if r.kind == "D"]
        assert rows == [["1"], ["2"], ["3"], ["4"], ["5"]]
        tags = [r.cstrings()[0] for r in replies if r.kind == "C"]
        assert tags == ["BEGIN", "DECLARE CURSOR", "FETCH 3", "FETCH 2", "CLOSE CURSOR", "COMMIT"]

    run(context, scenario)


def test_copy_to_stdout_formats(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        text = await c.send(query("COPY (SELECT order_id, status FROM orders ORDER BY order_id LIMIT 2) TO STDOUT"))
        # One CopyData per row, as PostgreSQL sends them.
        assert kinds(text) == "HddcCZ"
        assert [r.body for r in text if r.kind == "d"] == [b"1\tplaced\n", b"2\tshipped\n"]
        assert text[4].cstrings() == ["COPY 2"]
        csv = await c.send(
            query(
                "COPY (SELECT customer_id, phone FROM customers WHERE phone IS NULL ORDER BY 1 LIMIT 1) "
                "TO STDOUT WITH (FORMAT csv, HEADER true)"
            )
        )
        data = b"".join(r.body for r in csv if r.kind == "d").decode()
        lines = data.splitlines()
        assert lines[0] == "customer_id,phone" and lines[1].endswith(",")
        binary = await c.send(query("COPY (SELECT order_id FROM orders ORDER BY 1 LIMIT 1) TO STDOUT (FORMAT binary)"))
        messages = [r.body for r in binary if r.kind == "d"]
        assert len(messages) == 2 and messages[0].startswith(b"PGCOPY\n\xff\r\n\x00")  # header rides on row 1
        payload = b"".join(messages)
        assert payload[19:] == struct.pack("!hi", 1, 8) + struct.pack("!q", 1) + struct.pack("!h", -1)

    run(context, scenario)


def test_temporary_table_pattern(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(
            query(
                'CREATE LOCAL TEMPORARY TABLE "#Tableau_1_Connect" ("COL" INTEGER) ON COMMIT PRESERVE ROWS; '
                'DROP TABLE "#Tableau_1_Connect"; '
                'CREATE TEMP TABLE "#t" AS SELECT channel, order_count FROM orders; '
                'SELECT SUM(order_count) FROM "#t"; DROP TABLE "#t"'
            )
        )
        tags = [r.cstrings()[0] for r in replies if r.kind == "C"]
        assert tags == ["CREATE TABLE", "DROP TABLE", "SELECT 3", "SELECT 1", "DROP TABLE"]
        assert [r.text_row() for r in replies if r.kind == "D"] == [["20000"]]
        gone = await c.send(query('SELECT * FROM "#t"'))
        assert gone[0].fields()["C"] == "42P01"

    run(context, scenario)


def test_writes_are_refused_and_the_connection_survives(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        refused = await c.send(query("DELETE FROM orders"))
        assert refused[0].fields()["C"] == "25006"
        assert kinds(await c.send(query("SELECT order_count FROM orders"))) == "TDCZ"

    run(context, scenario)


def test_garbage_after_startup_is_fatal_for_that_connection_only(context: ServerContext) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(b"GET / HTTP/1.1\r\n\r\n", until="E")
        fields = replies[-1].fields()
        assert (fields["S"], fields["C"]) == ("FATAL", "08P01")
        await asyncio.wait_for(c.task, 5)

        other = Conversation(context)
        await other.login()
        assert kinds(await other.send(query("SELECT order_count FROM orders"))) == "TDCZ"
        await other.end()

    run(context, scenario)


def test_idle_timeout(context: ServerContext) -> None:
    context.idle_timeout = 0.2

    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(b"", until="E", timeout=5)
        assert replies[-1].fields()["C"] == "57P05"

    run(context, scenario)


def test_deprecated_relation_sends_a_notice(engine: Engine, tmp_path: Path) -> None:
    import shutil

    from server.config import DEMO_MODELS
    from server.semantic.store import ModelStore

    models = tmp_path / "models"
    shutil.copytree(DEMO_MODELS, models)
    view = models / "views" / "customer_360.yml"
    view.write_text(
        view.read_text().replace(
            "    public: true\n", "    public: true\n    meta:\n      deprecated: use the sales view instead\n", 1
        )
    )
    deprecated_engine = Engine(ModelStore(models), engine.executor)
    context = ServerContext(engine=deprecated_engine, users=USERS, auth_method=AuthMethod.SCRAM, process_id=7)

    async def scenario(c: Conversation) -> None:
        await c.login()
        replies = await c.send(query("SELECT customer_count FROM customer_360"))
        assert kinds(replies) == "NTDCZ"
        fields = replies[0].fields()
        assert (fields["S"], fields["C"]) == ("WARNING", "01000")
        assert fields["M"] == 'relation "customer_360" is deprecated: use the sales view instead'

    run(context, scenario)


def test_a_function_call_is_refused_and_the_connection_stays_usable(context: ServerContext) -> None:
    """FunctionCall was treated as an extended-protocol error: the backend waited for a Sync that never came."""

    async def scenario(c: Conversation) -> None:
        await c.login()
        call = frame(b"F", struct.pack("!I", 1598) + struct.pack("!hh", 0, 0) + struct.pack("!h", 0))
        replies = await c.send(call, timeout=5)
        assert kinds(replies) == "EZ"
        assert replies[0].fields()["C"] == "0A000"
        replies = await c.send(query("SELECT 1"))
        assert kinds(replies) == "TDCZ"

    run(context, scenario)


@pytest.mark.parametrize("supplied", [1, 3])
def test_bind_with_the_wrong_number_of_parameters_is_a_protocol_violation(
    context: ServerContext, supplied: int
) -> None:
    async def scenario(c: Conversation) -> None:
        await c.login()
        params = tuple(b"1" for _ in range(supplied))
        replies = await c.send(parse("", "SELECT $1::int + $2::int") + bind("", "", params) + execute("") + SYNC)
        assert kinds(replies) == "1EZ"
        fields = replies[1].fields()
        assert fields["C"] == "08P01"
        assert fields["M"] == f'bind message supplies {supplied} parameters, but prepared statement "" requires 2'

    run(context, scenario)
