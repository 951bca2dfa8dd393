"""Statement tickets: signed by the server process, bound to their owner, expiring."""

from __future__ import annotations

import pytest

from server.errors import InsufficientPrivilege, InvalidAuthorization
from server.policy.identity import Caller
from server.protocol.flight.tickets import TicketSigner

ADMIN = Caller("admin", roles=("admins",), channel="flight")
SQL = 'SELECT * FROM "orders"'


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_ticket_opens_to_its_statement_for_its_owner() -> None:
    signer = TicketSigner(60)
    assert signer.open(ADMIN, signer.issue(ADMIN, SQL)) == SQL
    assert signer.open(ADMIN, signer.issue(ADMIN, "SELECT 'ü' AS x")) == "SELECT 'ü' AS x"


def test_every_ticket_is_distinct() -> None:
    signer = TicketSigner(60)
    assert signer.issue(ADMIN, SQL) != signer.issue(ADMIN, SQL)


@pytest.mark.parametrize(
    "other",
    [
        Caller("guest", roles=("guests",), channel="flight"),
        Caller("admin", roles=("analysts",), channel="flight"),  # same name, other roles: other meaning
        Caller("admin", roles=("admins",), attributes={"region": "EU"}, channel="flight"),
    ],
)
def test_another_identity_is_refused_with_42501(other: Caller) -> None:
    signer = TicketSigner(60)
    with pytest.raises(InsufficientPrivilege, match="issued to another user") as caught:
        signer.open(other, signer.issue(ADMIN, SQL))
    assert caught.value.sqlstate.value == "42501"


def test_any_altered_byte_is_refused_with_28000() -> None:
    signer = TicketSigner(60)
    ticket = signer.issue(ADMIN, SQL)
    for i in range(len(ticket)):
        forged = ticket[:i] + bytes([ticket[i] ^ 0x20]) + ticket[i + 1 :]
        with pytest.raises(InvalidAuthorization, match="invalid Flight ticket") as caught:
            signer.open(ADMIN, forged)
        assert caught.value.sqlstate.value == "28000"
        assert caught.value.severity == "ERROR"  # the call is refused, not the session


@pytest.mark.parametrize("forged", [b"", b"x" * 10, SQL.encode(), b"\x01" + b"\x00" * 100])
def test_short_bare_or_made_up_tickets_are_refused(forged: bytes) -> None:
    with pytest.raises(InvalidAuthorization, match="invalid Flight ticket"):
        TicketSigner(60).open(ADMIN, forged)


def test_a_ticket_from_another_server_process_is_refused() -> None:
    ticket = TicketSigner(60).issue(ADMIN, SQL)
    with pytest.raises(InvalidAuthorization, match="invalid Flight ticket"):
        TicketSigner(60).open(ADMIN, ticket)  # another random key


def test_a_ticket_expires_after_its_lifetime() -> None:
    clock = Clock()
    signer = TicketSigner(30, clock=clock)
    ticket = signer.issue(ADMIN, SQL)
    clock.now += 29.9
    assert signer.open(ADMIN, ticket) == SQL
    clock.now += 0.2
    with pytest.raises(InvalidAuthorization, match="expired") as caught:
        signer.open(ADMIN, ticket)
    assert "GetFlightInfo again" in (caught.value.hint or "")
    # A cancel still names the stream an expired ticket started, for its owner only.
    assert signer.open(ADMIN, ticket, check_expiry=False) == SQL
    with pytest.raises(InsufficientPrivilege):
        signer.open(Caller("guest", channel="flight"), ticket, check_expiry=False)


@pytest.mark.parametrize("lifetime", [0, -1, float("nan")])
def test_a_lifetime_must_be_positive(lifetime: float) -> None:
    with pytest.raises(ValueError, match="QUIVER_FLIGHT_TICKET_LIFETIME"):
        TicketSigner(lifetime)
