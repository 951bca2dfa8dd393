"""The wire backend with the authentication back-off and the pre-authentication message bound.

Conversations run over an in-memory transport; each is given its own client
address so the per-address back-off can be told from the per-user one.
"""

from __future__ import annotations

import asyncio
import struct
import time

import pytest

from server.config import DEMO_USERS
from server.engine import Engine
from server.policy.throttle import AuthThrottle, Backoff
from server.policy.users import UserStore
from server.protocol.pgwire.auth import AuthMethod
from server.protocol.pgwire.backend import Backend, ServerContext
from tests.unit.protocol.pgclient import MemoryWriter, Reply, ScramClient, frame, parse_replies, query, startup

USERS = UserStore.load(DEMO_USERS)


class AddressedWriter(MemoryWriter):
    def __init__(self, host: str) -> None:
        super().__init__()
        self.host = host

    def get_extra_info(self, name: str) -> object:
        return (self.host, 50000) if name == "peername" else None


class Client:
    def __init__(self, context: ServerContext, host: str) -> None:
        self.reader = asyncio.StreamReader()
        self.writer = AddressedWriter(host)
        self.task = asyncio.create_task(Backend(context, self.reader, self.writer).run())  # type: ignore[arg-type]
        self.collected = bytearray()

    async def send(self, data: bytes, until: str = "Z", timeout: float = 20) -> list[Reply]:
        self.reader.feed_data(data)
        self.collected.clear()
        deadline = time.monotonic() + timeout
        while True:
            await asyncio.sleep(0.001)
            self.collected += self.writer.take()
            replies = parse_replies(bytes(self.collected)) if self.collected else []
            if any(r.kind == until for r in replies) or self.task.done():
                return replies
            if time.monotonic() > deadline:
                raise AssertionError(f"no {until!r} reply; got {[r.kind for r in replies]}")

    async def scram(self, user: str, password: str) -> list[Reply]:
        """A whole SCRAM login: the replies to the final message (ends in Z on success, E on failure)."""
        client = ScramClient(user, password)
        await self.send(startup(user=user, database="quiver"), until="R")
        challenge = await self.send(client.first(), until="R")
        final = client.final(challenge[-1].body[4:].decode())
        replies = await self.send(final, until="E" if password == "wrong" else "Z")
        if replies[-1].kind == "E":  # a failure is FATAL: the server hangs up
            await asyncio.wait_for(self.task, 5)
        return replies

    async def close(self) -> None:
        if not self.task.done():
            self.reader.feed_data(frame(b"X"))
            self.reader.feed_eof()
            await asyncio.wait_for(self.task, 10)


@pytest.fixture
def context(engine: Engine) -> ServerContext:
    return ServerContext(engine=engine, users=USERS, auth_method=AuthMethod.SCRAM, process_id=4242)


def test_a_huge_password_message_gets_fatal_08p01_at_its_header(context: ServerContext) -> None:
    # Before the fix the backend waited for (and buffered) all 59 MB; no reply came.
    async def main() -> None:
        client = Client(context, "127.0.0.11")
        await client.send(startup(user="admin", database="quiver"), until="R")
        replies = await client.send(b"p" + struct.pack("!i", 59_000_000) + b"\0" * 4096, until="E", timeout=5)
        fields = replies[-1].fields()
        assert (fields["S"], fields["C"]) == ("FATAL", "08P01")
        await asyncio.wait_for(client.task, 5)
        assert client.writer.closed

    asyncio.run(main())


def test_repeated_failures_make_the_next_attempt_wait(context: ServerContext) -> None:
    context.throttle = AuthThrottle(Backoff(base=0.4, cap=0.4), Backoff(allowance=100))

    async def main() -> None:
        first = Client(context, "127.0.0.11")
        assert (await first.scram("admin", "wrong"))[-1].fields()["C"] == "28P01"
        second = Client(context, "127.0.0.12")
        start = time.monotonic()
        replies = await second.scram("admin", "wrong")
        assert time.monotonic() - start >= 0.35
        assert replies[-1].fields()["M"] == 'password authentication failed for user "admin"'

    asyncio.run(main())


def test_the_waiting_connection_does_not_hold_up_others(context: ServerContext) -> None:
    context.throttle = AuthThrottle(Backoff(base=2.0, cap=2.0), Backoff(allowance=100))

    async def main() -> None:
        assert (await Client(context, "127.0.0.11").scram("admin", "wrong"))[-1].kind == "E"
        attacker = Client(context, "127.0.0.11")
        waiting = asyncio.create_task(attacker.scram("admin", "wrong"))  # sleeps ~2 s on the server
        await asyncio.sleep(0.1)
        bystander = Client(context, "127.0.0.12")
        start = time.monotonic()
        await bystander.scram("analyst", "analyst-pass")
        rows = await bystander.send(query("SELECT 42 AS n"))
        elapsed = time.monotonic() - start
        assert [r.text_row() for r in rows if r.kind == "D"] == [["42"]]
        assert elapsed < 1.0, f"bystander took {elapsed:.2f} s"
        assert not waiting.done()  # the attacker is still waiting
        assert (await waiting)[-1].fields()["C"] == "28P01"
        await bystander.close()

    asyncio.run(main())


def test_the_wait_comes_before_the_check_so_the_right_password_waits_too(context: ServerContext) -> None:
    # Delaying only failures would let a client read "no answer within 50 ms" as "wrong".
    context.throttle = AuthThrottle(Backoff(base=0.4, cap=0.4), Backoff(allowance=100))

    async def main() -> None:
        await Client(context, "127.0.0.11").scram("guest", "wrong")
        client = Client(context, "127.0.0.12")
        start = time.monotonic()
        replies = await client.scram("guest", "guest-pass")
        assert time.monotonic() - start >= 0.35
        assert replies[-1].kind == "Z"
        await client.close()
        # and the success forgot the user's failures
        again = Client(context, "127.0.0.12")
        start = time.monotonic()
        await again.scram("guest", "guest-pass")
        assert time.monotonic() - start < 0.3
        await again.close()

    asyncio.run(main())


def test_the_same_address_is_slowed_across_user_names(context: ServerContext) -> None:
    context.throttle = AuthThrottle(Backoff(base=0.0, cap=0.0), Backoff(base=0.4, cap=0.4, allowance=2))

    async def main() -> None:
        for name in ("a1", "a2", "a3"):
            await Client(context, "127.0.0.13").scram(name, "wrong")
        start = time.monotonic()
        await Client(context, "127.0.0.13").scram("a4", "wrong")
        assert time.monotonic() - start >= 0.35
        start = time.monotonic()
        await Client(context, "127.0.0.14").scram("a5", "wrong")  # another address: no wait
        assert time.monotonic() - start < 0.3

    asyncio.run(main())


def test_cleartext_unknown_user_fails_like_a_wrong_password(context: ServerContext) -> None:
    context.auth_method = AuthMethod.PASSWORD

    async def main() -> None:
        messages = []
        for user in ("analyst", "no_such_user"):
            client = Client(context, "127.0.0.15")
            await client.send(startup(user=user, database="quiver"), until="R")
            replies = await client.send(frame(b"p", b"wrong\0"), until="E")
            fields = replies[-1].fields()
            messages.append((fields["S"], fields["C"], fields["M"].replace(user, "USER")))
        assert messages[0] == messages[1] == ("FATAL", "28P01", 'password authentication failed for user "USER"')

    asyncio.run(main())
