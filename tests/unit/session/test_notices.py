"""Session commands that do nothing warn as PostgreSQL warns, with the SQLSTATE carried by the notice's type."""

from __future__ import annotations

import pytest

from server.errors import ActiveTransactionNotice, NoActiveTransactionNotice, SqlState
from server.policy.identity import Caller
from server.session.session import Session
from server.sql.router import route


def run(session: Session, sql: str) -> list[object]:
    notices: list[object] = []
    for command in route(sql):
        notices.extend(session.apply(command).notices)  # type: ignore[arg-type]
    return notices


@pytest.mark.parametrize(
    ("setup", "sql", "kind", "sqlstate", "message"),
    [
        (
            "BEGIN",
            "BEGIN",
            ActiveTransactionNotice,
            SqlState.ACTIVE_SQL_TRANSACTION,
            "there is already a transaction in progress",
        ),
        (
            "",
            "COMMIT",
            NoActiveTransactionNotice,
            SqlState.NO_ACTIVE_SQL_TRANSACTION,
            "there is no transaction in progress",
        ),
        (
            "",
            "ROLLBACK",
            NoActiveTransactionNotice,
            SqlState.NO_ACTIVE_SQL_TRANSACTION,
            "there is no transaction in progress",
        ),
        (
            "",
            "SET LOCAL search_path = public",
            NoActiveTransactionNotice,
            SqlState.NO_ACTIVE_SQL_TRANSACTION,
            "SET LOCAL can only be used in transaction blocks",
        ),
    ],
)
def test_notice_type_carries_its_sqlstate(setup: str, sql: str, kind: type, sqlstate: SqlState, message: str) -> None:
    session = Session(Caller("analyst"), {}, backend_pid=1, database="quiver")
    if setup:
        assert run(session, setup) == []
    [notice] = run(session, sql)
    assert type(notice) is kind
    assert (notice.sqlstate, notice.message, notice.severity) == (sqlstate, message, "WARNING")  # type: ignore[attr-defined]
