"""Session-dependent tables: the current user's role, their own activity row, their settings."""

from __future__ import annotations

from server.catalog.content import user_oid
from server.sql.session_info import SessionInfo
from tests.unit.catalog.conftest import Query, rows


def test_the_current_user_is_always_a_role(query: Query) -> None:
    carol = SessionInfo(user="carol")
    names = {row[0] for row in rows(query("SELECT rolname FROM pg_roles", as_session=carol))}
    assert {"quiver", "alice", "bob", "carol"} <= names
    assert rows(query("SELECT pg_get_userbyid(oid) FROM pg_roles WHERE rolname = 'carol'", as_session=carol)) == [
        ("carol",)
    ]
    assert rows(query("SELECT usesysid FROM pg_user WHERE usename = current_user", as_session=carol)) == [
        (user_oid("carol"),)
    ]
    alice = {row[0] for row in rows(query("SELECT rolname FROM pg_roles"))}
    assert "carol" not in alice


def test_pg_stat_activity_shows_only_the_callers_session(query: Query) -> None:
    found = rows(query("SELECT pid, usename, application_name, datname, state FROM pg_stat_activity"))
    assert found == [(4242, "alice", "pytest", "quiver", "active")]
    assert rows(query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) == [(False,)]


def test_pg_settings_reflects_the_session(query: Query) -> None:
    session = SessionInfo(user="alice", search_path=("public", "analytics"), settings={"timezone": "Europe/Paris"})
    sql = "SELECT name, setting FROM pg_settings WHERE name IN ('search_path', 'TimeZone')"
    found = dict(rows(query(sql, as_session=session)))
    assert found == {"search_path": "public, analytics", "TimeZone": "Europe/Paris"}
