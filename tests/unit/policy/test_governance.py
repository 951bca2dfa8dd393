"""Policy semantics end to end on a small governed model, every answer checked against the raw rows.

The fixture model (tests/fixtures/models/governed) has six groups, both policy
spellings, every kind of rule, and rows small enough to reason about by hand:

* ``olga`` (owners) sees everything;
* ``rita`` (regional, clearance 3) matches the first regional entry: EU rows,
  salary hidden; invoices, lines and notes follow through propagation;
* ``ron`` (regional, clearance 1) fails that entry's condition and gets the
  second: EU and tenant 1, only a few members whole, email hashed, the computed
  label redacted, birthdays bucketed to the year;
* ``rex`` has the regional role but is excluded from that group, so he is
  ``local``: EU accounts, with ``propagate: false`` (invoices unfiltered);
* ``ada`` (auditors): salary bucketed (total_salary then shows NULL), score
  NULL per row but summable (``aggregates: true``), and only well-paid
  accounts (a Lens secured segment);
* ``vic`` (viewers): the view's own row filter and masking;
* ``zed`` (everyone): catalog only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.duckdb import DuckDBConnector
from server.engine import Engine
from server.errors import QuiverError
from server.execution.executor import Executor
from server.policy.groups import group_of
from server.policy.identity import Caller
from server.semantic.store import ModelStore
from server.sql.session_info import SessionInfo
from server.statement import StatementService

MODEL = Path(__file__).resolve().parents[2] / "fixtures" / "models" / "governed"
SECRET = b"test-secret"

ACCOUNTS = [
    # id, name, email, region, tenant, salary, score, birthday, phone
    (1, "Alice Martin", "alice@eu.example", "EU", 1, 61000, 7, dt.date(1990, 5, 17), "0611223344"),
    (2, "Bruno Keller", "bruno@eu.example", "EU", 2, 42000, 5, dt.date(1985, 1, 2), "0699887766"),
    (3, "Chen Wei", "chen@apac.example", "APAC", 1, 75000, 9, dt.date(1979, 12, 30), None),
    (4, "Dana Smith", "dana@na.example", "NA", 1, 39000, 3, dt.date(2001, 7, 4), "5551234"),
    (5, "Emil Novak", "emil@eu.example", "EU", 1, 52000, 8, dt.date(1995, 3, 3), "0612121212"),
]
INVOICES = [(10, 1, 100.0), (11, 1, 50.0), (12, 2, 70.0), (13, 3, 300.0), (14, 4, 20.0), (15, 5, 5.0)]
LINES = [(100, 10, 1), (101, 10, 2), (102, 12, 3), (103, 13, 4), (104, 14, 5), (105, 15, 6)]
NOTES = [(1000, 10, "paid"), (1001, 13, "late"), (1002, 14, "disputed")]

OLGA = Caller("olga")
RITA = Caller("rita", roles=("regional",), attributes={"region": "EU", "tenant": 1, "clearance": 3})
RON = Caller("ron", roles=("regional",), attributes={"region": "EU", "tenant": 1, "clearance": 1})
REX = Caller("rex", roles=("regional",), attributes={"region": "EU", "tenant": 1, "clearance": 3})
LOU = Caller("lou")
ADA = Caller("ada", roles=("auditor",))
VIC = Caller("vic", roles=("viewer",))
ZED = Caller("zed")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("governed") / "data.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA src")
    con.execute(
        "CREATE TABLE src.accounts (id INTEGER, name VARCHAR, email VARCHAR, region VARCHAR, tenant INTEGER, "
        "salary INTEGER, score INTEGER, birthday DATE, phone VARCHAR)"
    )
    con.executemany("INSERT INTO src.accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ACCOUNTS)
    con.execute("CREATE TABLE src.invoices (id INTEGER, account_id INTEGER, amount DOUBLE)")
    con.executemany("INSERT INTO src.invoices VALUES (?, ?, ?)", INVOICES)
    con.execute("CREATE TABLE src.lines (id INTEGER, invoice_id INTEGER, qty INTEGER)")
    con.executemany("INSERT INTO src.lines VALUES (?, ?, ?)", LINES)
    con.execute("CREATE TABLE src.notes (id INTEGER, invoice_id INTEGER, body VARCHAR)")
    con.executemany("INSERT INTO src.notes VALUES (?, ?, ?)", NOTES)
    con.close()
    connector = DuckDBConnector(path)
    models = ModelStore(MODEL)
    assert not [i for i in models.issues if i.is_error] if hasattr(models, "issues") else True
    yield Engine(models, Executor(connector), mask_secret=SECRET)
    connector.close()


def ask(engine: Engine, caller: Caller, sql: str) -> list[tuple[Any, ...]]:
    table = StatementService(engine).query(sql, caller, SessionInfo(user=caller.user)).read_all()
    columns = [c.to_pylist() for c in table.columns]
    return [tuple(c[i] for c in columns) for i in range(table.num_rows)]


def refused(engine: Engine, caller: Caller, sql: str) -> str:
    with pytest.raises(QuiverError) as caught:
        ask(engine, caller, sql)
    return caught.value.sqlstate.value


def columns_of(engine: Engine, caller: Caller, relation: str) -> list[str]:
    sql = f"SELECT column_name FROM information_schema.columns WHERE table_name = '{relation}' ORDER BY 1"
    return [row[0] for row in ask(engine, caller, sql)]


def keyed_hash(value: str) -> str:
    return hmac.new(SECRET, value.encode(), hashlib.sha256).hexdigest()


EU = {a[0] for a in ACCOUNTS if a[3] == "EU"}


# -- groups ---------------------------------------------------------------------------------------------


def test_first_matching_group_wins_and_excludes_skip_a_group(engine: Engine) -> None:
    groups = engine.manifest.user_groups
    assert [group_of(groups, c).name for c in (OLGA, RITA, REX, LOU, ADA, VIC, ZED)] == [  # type: ignore[union-attr]
        "owners",
        "regional",
        "local",  # has the regional role, but regional excludes him
        "local",
        "auditors",
        "viewers",
        "everyone",
    ]


def test_meta_only_group_reads_the_catalog_but_no_data(engine: Engine) -> None:
    assert refused(engine, ZED, "SELECT count(*) FROM invoices") == "42501"
    # No group entry admits zed on accounts (default deny); invoices and lines have no policy.
    tables = [r[0] for r in ask(engine, ZED, "SELECT table_name FROM information_schema.tables ORDER BY 1")]
    assert "accounts" not in tables and "account_invoices" not in tables
    assert {"invoices", "lines", "notes"} <= set(tables)


# -- rows -----------------------------------------------------------------------------------------------


def test_owner_sees_every_row(engine: Engine) -> None:
    assert ask(engine, OLGA, "SELECT count(*) FROM accounts") == [(len(ACCOUNTS),)]
    assert ask(engine, OLGA, "SELECT sum(qty) FROM lines") == [(sum(q for _, _, q in LINES),)]


def test_row_filter_and_its_propagation_two_hops_and_through_a_reverse_declared_join(engine: Engine) -> None:
    assert ask(engine, RITA, "SELECT id FROM accounts ORDER BY id") == [(i,) for i in sorted(EU)]
    invoices = {i for i, account, _ in INVOICES if account in EU}
    assert ask(engine, RITA, "SELECT id FROM invoices ORDER BY id") == [(i,) for i in sorted(invoices)]
    lines = sorted(line for line, invoice, _ in LINES if invoice in invoices)
    assert ask(engine, RITA, "SELECT id FROM lines ORDER BY id") == [(i,) for i in lines]
    # notes' join is declared on invoices (one_to_many): notes still reach invoices and are filtered.
    notes = sorted(n for n, invoice, _ in NOTES if invoice in invoices)
    assert ask(engine, RITA, "SELECT id FROM notes ORDER BY id") == [(i,) for i in notes]


def test_hand_written_join_sees_only_governed_rows(engine: Engine) -> None:
    rows = ask(
        engine,
        RITA,
        "SELECT a.region, count(i.id) FROM invoices i JOIN accounts a ON i.account_id = a.id GROUP BY 1",
    )
    assert rows == [("EU", sum(1 for _, account, _ in INVOICES if account in EU))]


def test_a_condition_that_fails_moves_the_caller_to_the_next_entry(engine: Engine) -> None:
    expected = sorted(a[0] for a in ACCOUNTS if a[3] == "EU" and a[4] == 1)
    assert ask(engine, RON, "SELECT id FROM accounts ORDER BY id") == [(i,) for i in expected]


def test_propagate_false_keeps_the_filter_on_its_own_table(engine: Engine) -> None:
    assert ask(engine, REX, "SELECT count(*) FROM accounts") == [(len(EU),)]
    assert ask(engine, REX, "SELECT count(*) FROM invoices") == [(len(INVOICES),)]


def test_lens_secured_segment_is_a_forced_row_filter(engine: Engine) -> None:
    expected = sorted(a[0] for a in ACCOUNTS if a[5] > 50000)
    assert ask(engine, ADA, "SELECT id FROM accounts ORDER BY id") == [(i,) for i in expected]


def test_missing_user_attribute_fails_closed(engine: Engine) -> None:
    nameless = Caller("rita2", roles=("regional",), attributes={"clearance": 3})
    assert refused(engine, nameless, "SELECT count(*) FROM accounts") == "42501"
    assert refused(engine, nameless, "SELECT count(*) FROM lines") == "42501"  # through propagation too


def test_error_on_hidden_rows_is_never_raised(engine: Engine) -> None:
    """The row guard: a predicate evaluated before the policy filter sees NULL, not a hidden name."""
    sql = "SELECT count(*) FROM accounts WHERE CASE WHEN region <> 'EU' THEN CAST(name AS INTEGER) ELSE 0 END = 0"
    assert ask(engine, RITA, sql) == [(len(EU),)]
    with pytest.raises(QuiverError) as caught:
        ask(engine, RITA, "SELECT CAST(name AS INTEGER) FROM accounts")
    hidden = [a[1] for a in ACCOUNTS if a[3] != "EU"]
    assert not any(name in str(caught.value) for name in hidden)


# -- members --------------------------------------------------------------------------------------------


def test_hidden_member_is_like_a_missing_one(engine: Engine) -> None:
    with pytest.raises(QuiverError) as hidden:
        ask(engine, RITA, "SELECT salary FROM accounts")
    with pytest.raises(QuiverError) as missing:
        ask(engine, RITA, "SELECT no_such_member FROM accounts")
    assert hidden.value.sqlstate == missing.value.sqlstate
    assert hidden.value.sqlstate.value == "42703"
    assert "salary" not in (hidden.value.hint or "")
    assert "salary" not in columns_of(engine, RITA, "accounts")
    assert "total_salary" not in columns_of(engine, RITA, "accounts")
    assert "salary" in columns_of(engine, OLGA, "accounts")


def test_select_star_shows_only_permitted_members(engine: Engine) -> None:
    table = StatementService(engine).query("SELECT * FROM accounts", RON, SessionInfo()).read_all()
    assert set(table.column_names) == {"id", "region", "tenant", "email", "full_label", "birthday", "account_count",
                                        "distinct_emails"}  # fmt: skip


def test_masks_keep_types_and_hide_values(engine: Engine) -> None:
    rows = ask(engine, RON, "SELECT id, email, full_label, birthday FROM accounts ORDER BY id")
    by_id = {a[0]: a for a in ACCOUNTS}
    for account_id, email, label, birthday in rows:
        assert email == keyed_hash(by_id[account_id][2])
        assert label == "REDACTED"
        assert birthday == dt.date(by_id[account_id][7].year, 1, 1)  # still a DATE


def test_filtering_and_ordering_on_a_masked_column_use_the_masked_value(engine: Engine) -> None:
    raw_email = "alice@eu.example"
    assert ask(engine, RON, f"SELECT id FROM accounts WHERE email = '{raw_email}'") == []
    assert ask(engine, RON, "SELECT id FROM accounts WHERE email LIKE 'alice%'") == []
    assert ask(engine, RON, f"SELECT id FROM accounts WHERE email = '{keyed_hash(raw_email)}'") == [(1,)]
    ordered = [row[0] for row in ask(engine, RON, "SELECT id, email FROM accounts ORDER BY email")]
    visible = [a for a in ACCOUNTS if a[3] == "EU" and a[4] == 1]
    assert ordered == [a[0] for a in sorted(visible, key=lambda a: keyed_hash(a[2]))]


def test_count_distinct_over_a_hash_stays_exact(engine: Engine) -> None:
    assert ask(engine, RON, "SELECT distinct_emails FROM accounts") == [(2,)]


def test_lens_secure_mask_applies_to_every_group_but_the_excluded(engine: Engine) -> None:
    assert ask(engine, OLGA, "SELECT phone FROM accounts WHERE id = 1") == [("0611223344",)]
    assert ask(engine, RITA, "SELECT phone FROM accounts WHERE id = 1") == [("********44",)]
    assert ask(engine, RITA, "SELECT phone FROM accounts WHERE id = 5") == [("********12",)]


def test_sum_of_masked_values_shows_the_mask_unless_aggregates_are_allowed(engine: Engine) -> None:
    rows = ask(engine, ADA, "SELECT id, salary, score FROM accounts ORDER BY id")
    well_paid = [a for a in ACCOUNTS if a[5] > 50000]
    assert rows == [(a[0], a[5] - a[5] % 1000, None) for a in well_paid]
    assert ask(engine, ADA, "SELECT total_salary, total_score FROM accounts") == [(None, sum(a[6] for a in well_paid))]


# -- views ----------------------------------------------------------------------------------------------


def test_view_row_filter_and_masking(engine: Engine) -> None:
    na_invoices = {i for i, account, _ in INVOICES if account == 4}
    rows = ask(engine, VIC, "SELECT id, accounts_name FROM account_invoices ORDER BY id")
    assert [r[0] for r in rows] == sorted(i for i, _, _ in INVOICES if i not in na_invoices)
    assert {r[1] for r in rows} == {"REDACTED"}
    # The same caller reading the table directly is governed by the table's own policy only.
    assert ask(engine, VIC, "SELECT count(*) FROM invoices") == [(len(INVOICES),)]


def test_table_policies_hold_inside_views(engine: Engine) -> None:
    rows = ask(engine, RITA, "SELECT DISTINCT accounts_region FROM account_invoices")
    assert rows == [("EU",)]


# -- plans say what they applied ------------------------------------------------------------------------


def test_explain_lists_policies_without_values_or_the_mask_key(engine: Engine) -> None:
    text = engine.compile("SELECT email, count(*) FROM accounts GROUP BY 1", RON).explain()
    assert "accounts: rows limited by access_policy entry 3" in text
    assert "accounts.email: masked with hash" in text
    pads = [bytes(b ^ pad for b in SECRET.ljust(64, b"\0")).hex() for pad in (0x36, 0x5C)]
    assert not any(p in text for p in pads)
