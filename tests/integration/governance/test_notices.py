"""A notice names only members its reader may see.

The repeated-measure notice names measures of the statement's own output, which the
resolver has already limited to the caller's members; this checks it end to end for
eu_analyst, whose view of ``sales`` lacks the gross amounts and what derives from them.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from tests.integration.conftest import QuiverServer
from tests.integration.governance.test_bypass import EU_HIDDEN_MEMBERS

pytestmark = pytest.mark.integration


def test_eu_analyst_notices_name_only_visible_members(quiver_server: QuiverServer) -> None:
    notices: list[str] = []
    with psycopg.connect(quiver_server.dsn("eu_analyst"), autocommit=True, connect_timeout=20) as conn:
        conn.add_notice_handler(lambda diagnostic: notices.append(diagnostic.message_primary or ""))
        visible = {
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'sales'"
            ).fetchall()
        }
        notices.clear()
        found = conn.execute("SELECT * FROM sales").fetchall()
    assert found
    assert notices, "SELECT * FROM sales repeats order-level measures on each product row"
    named = {name for text in notices for name in re.findall(r'"([^"]+)"', text)}
    assert named <= visible, sorted(named - visible)
    words = set(re.findall(r"\w+", " ".join(notices)))
    assert not words & set(EU_HIDDEN_MEMBERS), sorted(words & set(EU_HIDDEN_MEMBERS))
