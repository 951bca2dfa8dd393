"""Every bypass attempt of ``corpus.py``, as every demo user, over the wire, Flight SQL and the CLI's path.

Channels:

* ``wire``: psycopg 3 against the real ``quiver serve`` of ``tests/integration/conftest.py``
  (one connection per user for the module; a lost connection is a failure and is replaced);
* ``flight``: the ADBC Flight SQL driver against the same server's Arrow Flight port (every
  statement prepared, parameters bound by DoPut); errors are read from the status message
  (SQLSTATE, DETAIL and HINT lines), all the driver shows its users;
* ``cli_path``: in process, exactly what ``quiver query`` does (``build_app``, the users
  file's caller on the sql channel, ``StatementService(engine).query(sql, ...)``, ``read_all``),
  with one app for the module over its own copy of the demo database;
* ``cli_process``: a sample run through ``python -m server.cli query`` itself, whose output
  must be the in-process answer.

The oracle is generic (:class:`Oracle`, :func:`judge`): the forbidden values are computed
from the raw DuckDB file, not written per attempt. For ``analyst`` and ``eu_analyst`` no raw
customer name, email or phone (nor its reverse, MD5 or SHA-256) may appear in any cell,
column name or error; masked columns must hold masked values only; for ``eu_analyst`` the
id, region and country columns hold EU rows only, the members it may not see (the gross
amounts and what is derived from them, :data:`EU_HIDDEN`) appear nowhere (but in an error
that echoes what the user typed), a statement naming them behaves as one naming a column
that does not exist, and no answer holds a gross amount it may not learn (the EU total, an
order's, a customer's, a status's or a channel's; to the cent, in cents or as text:
:class:`GrossValues`); ``guest`` is refused every query
over a relation with 42501 and its catalog never mentions what it may not see. Every user:
no internal error (XX000), no lost connection, and a failed statement leaves the session
usable. A few attempts add expected answers computed with DuckDB over the raw tables.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from string import Template
from typing import Any

import adbc_driver_flightsql.dbapi as flightsql
import adbc_driver_manager
import duckdb
import psycopg
import pytest
import sqlglot
import sqlglot.expressions as exp
from psycopg import sql as pgsql
from psycopg.pq import TransactionStatus

from server.app import App, build_app
from server.config import Settings
from server.errors import QuiverError
from server.policy.masks import key_pads
from server.policy.users import UserStore
from server.semantic.store import ModelStore
from server.sql.session_info import SessionInfo
from server.statement import StatementService
from tests.integration.conftest import DEMO_PASSWORDS, ROOT, QuiverServer
from tests.integration.governance.corpus import (
    ADMIN,
    ANALYST,
    ANY,
    APAC_ITEM,
    APAC_ORDER,
    ATTEMPTS,
    EU,
    EU_ORDER,
    GUEST,
    NA_CUSTOMER,
    NA_EMAIL,
    NA_NAME,
    NA_PHONE,
    USERS,
    Attempt,
)

pytestmark = pytest.mark.integration

SECRET = "bypass-corpus-mask-secret"  # the in-process app's hash key: its hashes can be recomputed here
MASKED = (ANALYST, EU)
RELATIONS = ("customers", "orders", "order_items", "products", "sales", "customer_360")
GUEST_HIDDEN_RELATIONS = ("customers", "orders", "sales", "customer_360")
# What eu_analyst may not see, written from the policy's intent rather than read from the server: the gross
# amounts, what is derived from them (net_revenue = gross - refunded, average_order_value over it), and the
# line and list prices that add up to an order's gross (item_revenue is derived from those).
EU_HIDDEN = (
    "orders.gross_amount",
    "orders.gross_revenue",
    "orders.net_revenue",
    "orders.average_order_value",
    "order_items.unit_price",
    "order_items.discount",
    "order_items.item_revenue",
    "products.unit_price",
    "products.average_list_price",
)
EU_HIDDEN_MEMBERS = tuple(dict.fromkeys(name.split(".")[1] for name in EU_HIDDEN))
HIDDEN_TWINS = tuple((name, name[:-1] + chr(ord(name[-1]) + 1)) for name in EU_HIDDEN_MEMBERS)
ID_COLUMNS = frozenset({"order_id", "customer_id", "order_item_id", "product_id"})
CENT = Decimal("0.005")
KEY_PAD_RUN = re.compile(r"[0-9a-f]{128}")
HEX64 = re.compile(r"[0-9a-f]{64}")
PREFIX = 6  # forbidden values are found by their first characters (all are at least this long)
SERVER_CHANNELS = ("wire", "flight")  # the shared test server: its mask key is not the oracle's

# The CLI run as a subprocess: a sample of the corpus (about 8 attempts x 4 users).
CLI_SAMPLE = (
    "like_email_prefix",
    "filter_email_equals",
    "hidden_select",
    "case_cast_name_for_other_regions",
    "count_items",
    "sales_customer_members",
    "columns_email",
    "catalog_gross_columns",
    "columns_regex_hidden_sum",
)


# -- outcomes -------------------------------------------------------------------------------------------


@dataclass
class ResultSet:
    columns: list[str] | None  # None: no column names (COPY ... TO STDOUT)
    rows: list[tuple[Any, ...]]


@dataclass
class Outcome:
    ok: bool
    sets: list[ResultSet] = field(default_factory=list)
    sqlstate: str | None = None
    message: str = ""
    detail: str = ""
    hint: str = ""
    lost: bool = False  # the connection was lost (wire)
    alive: bool = True  # after a failure, the same session still answered SELECT 1
    internal: str = ""  # an exception that is not a QuiverError (the CLI would print a traceback)
    notices: list[str] = field(default_factory=list)  # NoticeResponse texts the statement earned (wire)

    @property
    def last(self) -> ResultSet | None:
        with_columns = [s for s in self.sets if s.columns is not None or s.rows]
        return with_columns[-1] if with_columns else None

    def error_text(self) -> str:
        return "\n".join(part for part in (self.message, self.detail, self.hint) if part)

    def describe(self) -> str:
        if self.ok:
            shown = [f"{s.columns} {len(s.rows)} rows {s.rows[:3]!r}"[:600] for s in self.sets]
            return "OK " + " | ".join(shown)
        return f"ERROR {self.sqlstate}: {self.error_text()!r} {self.internal}".strip()


def literal_sql(attempt: Attempt, sql: str) -> str:
    """The statement with its parameters as literals (the CLI has no parameters: bound client-side)."""
    if attempt.params is None:
        return sql
    return sql % tuple(pgsql.Literal(p).as_string(None) for p in attempt.params)


# -- the wire channel ------------------------------------------------------------------------------------


class WireSessions:
    """One psycopg connection per user for the whole module, replaced only when it breaks."""

    def __init__(self, server: QuiverServer) -> None:
        self.server = server
        self.conns: dict[str, psycopg.Connection] = {}
        self.notices: list[str] = []  # notices received since the last clear(), whichever user's

    def get(self, user: str) -> psycopg.Connection:
        conn = self.conns.get(user)
        if conn is None or conn.closed or conn.broken:
            conn = psycopg.connect(self.server.dsn(user), autocommit=True, connect_timeout=20)
            conn.add_notice_handler(lambda diagnostic: self.notices.append(diagnostic.message_primary or ""))
            conn.execute("SET statement_timeout = '60s'")
            self.conns[user] = conn
        return conn

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


def _wire_sets(cur: psycopg.Cursor[Any]) -> list[ResultSet]:
    sets = []
    while True:
        if cur.description is not None:
            sets.append(ResultSet([d.name for d in cur.description], [tuple(r) for r in cur.fetchall()]))
        else:
            sets.append(ResultSet(None, []))
        if not cur.nextset():
            return sets


def run_wire(sessions: WireSessions, user: str, attempt: Attempt, sql: str) -> Outcome:
    conn = sessions.get(user)
    sessions.notices.clear()
    try:
        if attempt.protocol == "simple":
            cur: psycopg.Cursor[Any] = psycopg.ClientCursor(conn)
            cur.execute(sql)
            outcome = Outcome(True, _wire_sets(cur))
        elif attempt.protocol == "copy":
            with conn.cursor().copy(sql) as copy:
                data = b"".join(bytes(chunk) for chunk in copy)
            lines = data.decode("utf-8", "replace").splitlines()
            outcome = Outcome(True, [ResultSet(None, [tuple(line.split("\t")) for line in lines])])
        else:
            cur = conn.cursor()
            if attempt.params is not None:
                cur.execute(sql, attempt.params, prepare=True)
            else:
                cur.execute(sql)
            outcome = Outcome(True, _wire_sets(cur))
    except psycopg.Error as exc:
        diag = exc.diag
        outcome = Outcome(
            False,
            sqlstate=exc.sqlstate,
            message=diag.message_primary or str(exc),
            detail=diag.message_detail or "",
            hint=diag.message_hint or "",
            lost=conn.closed or conn.broken,
        )
    outcome.notices = list(sessions.notices)  # before the clean-up statements below
    if outcome.lost:
        outcome.alive = False
        sessions.get(user)  # a fresh connection for the next attempt
        return outcome
    try:
        if conn.info.transaction_status == TransactionStatus.INERROR:
            conn.execute("ROLLBACK")  # an error inside an explicit BEGIN leaves the block aborted, as in PostgreSQL
        if attempt.protocol == "simple":
            conn.execute("RESET ALL")  # SET search_path and friends stay within the attempt
            conn.execute("SET statement_timeout = '60s'")
        if not outcome.ok:
            outcome.alive = conn.execute("SELECT 1").fetchall() == [(1,)]
    except psycopg.Error:
        outcome.alive = False
        outcome.lost = conn.closed or conn.broken
    return outcome


# -- the Flight SQL channel (ADBC) ------------------------------------------------------------------------


class FlightSessions:
    """One ADBC Flight SQL connection per user for the whole module (Flight SQL calls carry no session state)."""

    def __init__(self, server: QuiverServer) -> None:
        self.server = server
        self.conns: dict[str, Any] = {}

    def get(self, user: str) -> Any:
        if user not in self.conns:
            self.conns[user] = flightsql.connect(
                self.server.flight_location,
                db_kwargs={"username": user, "password": DEMO_PASSWORDS[user]},
                autocommit=True,
            )
        return self.conns[user]

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


# "UNKNOWN: [FlightSQL] <message> (SQLSTATE 42703)\nHINT:  .... Detail: Failed (Unknown; Prepare)"
_ADBC_ERROR = re.compile(r"^\w+: \[FlightSQL\] (?P<message>.*?) \(SQLSTATE (?P<state>[0-9A-Z]{5})\)(?P<more>.*)$", re.S)
_ADBC_SUFFIX = re.compile(r"\. Detail: [^\n]*\(\w+; \w+\)$")


def flight_outcome_of(error: adbc_driver_manager.Error) -> Outcome:
    """The SQLSTATE, message, DETAIL and HINT the driver's error text carries."""
    text = _ADBC_SUFFIX.sub("", str(error))
    match = _ADBC_ERROR.match(text)
    if match is None:
        return Outcome(False, sqlstate="XX000", message=text, internal="no SQLSTATE in the Flight error")
    parts = {"DETAIL": "", "HINT": ""}
    for line in match["more"].split("\n")[1:]:
        label, _, value = line.partition(":  ")
        if label in parts:
            parts[label] = value
    return Outcome(False, sqlstate=match["state"], message=match["message"], detail=parts["DETAIL"],
                   hint=parts["HINT"])  # fmt: skip


def qmark_sql(attempt: Attempt, sql: str) -> str:
    """psycopg's ``%s`` placeholders (and ``%%``) as the ``?`` placeholders of Flight SQL."""
    return sql.replace("%s", "?").replace("%%", "%") if attempt.params is not None else sql


def run_flight(sessions: FlightSessions, user: str, attempt: Attempt, sql: str) -> Outcome:
    conn = sessions.get(user)
    try:
        with conn.cursor() as cur:
            cur.execute(qmark_sql(attempt, sql), attempt.params)
            table = cur.fetch_arrow_table()
    except adbc_driver_manager.Error as exc:
        outcome = flight_outcome_of(exc)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                outcome.alive = cur.fetchall() == [(1,)]
        except adbc_driver_manager.Error:
            outcome.alive = False
        return outcome
    columns = [column.to_pylist() for column in table.columns]
    return Outcome(True, [ResultSet(list(table.column_names), [tuple(row) for row in zip(*columns, strict=True)])])


# -- the CLI's path, in process ---------------------------------------------------------------------------


@dataclass
class InProcess:
    app: App
    callers: Mapping[str, Any]

    def run(self, user: str, sql: str) -> Outcome:
        caller = self.callers[user]
        try:
            session = SessionInfo(user=caller.user, database=self.app.engine.database_name)
            table = StatementService(self.app.engine).query(sql, caller, session).read_all()
        except QuiverError as exc:
            return Outcome(
                False,
                sqlstate=str(exc.sqlstate),
                message=exc.message,
                detail=exc.detail or "",
                hint=exc.hint or "",
                alive=self.alive(user),
            )
        except Exception as exc:  # the CLI only handles QuiverError: anything else is a crash
            return Outcome(False, sqlstate="XX000", message=str(exc), internal=type(exc).__name__)
        columns = [column.to_pylist() for column in table.columns]
        rows = [tuple(column[i] for column in columns) for i in range(table.num_rows)]
        return Outcome(True, [ResultSet(list(table.column_names), rows)])

    def alive(self, user: str) -> bool:
        session = SessionInfo(user=user, database=self.app.engine.database_name)
        table = StatementService(self.app.engine).query("SELECT 1", self.callers[user], session).read_all()
        return table.to_pylist() == [{"?column?": 1}]


# -- the oracle -------------------------------------------------------------------------------------------


def partial_mask(value: str | None, length: int = 4) -> str | None:
    """The demo's phone mask, written from its documentation: keep the last 4 characters, star the rest."""
    if value is None:
        return None
    if len(value) > length:
        return "*" * (len(value) - length) + value[-length:]
    return "*" * len(value)


MASKED_PHONE_SQL = (
    "CASE WHEN length(phone) > 4 THEN repeat('*', length(phone) - 4) || right(phone, 4) "
    "ELSE repeat('*', length(phone)) END"
)


class Needles:
    """Case-insensitive substring search for many forbidden strings at once (indexed by prefix)."""

    def __init__(self, values: Iterable[str]) -> None:
        self.index: dict[str, set[str]] = {}
        for value in values:
            lowered = value.lower()
            if len(lowered) >= PREFIX:
                self.index.setdefault(lowered[:PREFIX], set()).add(lowered)

    def find(self, text: str, allowed: frozenset[str] = frozenset()) -> set[str]:
        text = text.lower()
        index = self.index
        found: set[str] = set()
        for i in range(len(text) - PREFIX + 1):
            bucket = index.get(text[i : i + PREFIX])
            if bucket:
                found.update(v for v in bucket if v not in allowed and text.startswith(v, i))
        return found

    def supplied(self, text: str) -> frozenset[str]:
        """Forbidden strings the statement itself contains (an echo of them is not a leak)."""
        return frozenset(self.find(text))


def _words(names: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_])(?:{alternatives})(?![A-Za-z0-9_])", re.IGNORECASE)


class Oracle:
    """What each user may not observe, computed from the raw DuckDB file and the model's text."""

    def __init__(self, raw: duckdb.DuckDBPyConnection, secret: str) -> None:
        con = raw.cursor()
        self.con = con
        customers = con.execute("SELECT customer_id, name, email, phone, region, country FROM raw.customers").fetchall()
        eu = [c for c in customers if c[4] == "EU"]
        self.eu_ids = {
            "customer_id": {c[0] for c in eu},
            "order_id": {
                r[0]
                for r in con.execute(
                    "SELECT o.order_id FROM raw.orders o JOIN raw.customers c USING (customer_id) WHERE c.region = 'EU'"
                ).fetchall()
            },
            "order_item_id": {
                r[0]
                for r in con.execute(
                    "SELECT i.order_item_id FROM raw.order_items i JOIN raw.orders o USING (order_id) "
                    "JOIN raw.customers c USING (customer_id) WHERE c.region = 'EU'"
                ).fetchall()
            },
        }
        self.eu_countries = {c[5] for c in eu}
        self.other_countries = {c[5] for c in customers} - self.eu_countries
        self.product_names = {r[0] for r in con.execute("SELECT name FROM raw.products").fetchall()}
        # Raw personal data: the values, reversed, and their unkeyed digests (a dictionary attack away).
        raw_values = [v for c in customers for v in c[1:4] if v is not None and len(v) >= PREFIX]
        derived = [
            form
            for v in raw_values
            for form in (v, v[::-1], hashlib.md5(v.encode()).hexdigest(), hashlib.sha256(v.encode()).hexdigest())
        ]
        self.data = Needles(derived)
        self.secret = secret.encode()
        self.pads = key_pads(self.secret)
        self.hashes = {
            ANALYST: {self.hmac(c[2]) for c in customers},
            EU: {self.hmac(c[2]) for c in eu},
        }
        self.phones = {ANALYST: {partial_mask(c[3]) for c in customers}, EU: {partial_mask(c[3]) for c in eu}}
        # Names and descriptions users may not see, from the model's text.
        manifest = ModelStore(ROOT / "semantic_models" / "orders").manifest
        visible = {m for name in ("order_items", "products") for m in manifest.relations[name].members}
        hidden_members = {
            m for name in GUEST_HIDDEN_RELATIONS for m in manifest.relations[name].members if m not in visible
        }
        self.guest_words = _words([*GUEST_HIDDEN_RELATIONS, *hidden_members])
        descriptions = [manifest.relations[name].description for name in GUEST_HIDDEN_RELATIONS]
        for name in GUEST_HIDDEN_RELATIONS:
            for member_name, member in manifest.relations[name].members.items():
                if member_name in hidden_members and member.member.description:
                    descriptions.append(member.member.description)
        shared = {
            m.member.description
            for name in ("order_items", "products")
            for m in manifest.relations[name].members.values()
        }
        self.guest_texts = Needles(d for d in descriptions if d and d not in shared)
        self.eu_texts = Needles(
            member.description
            for table, name in (hidden.split(".") for hidden in EU_HIDDEN)
            if (member := manifest.tables[table].member(name)) is not None
        )
        self.eu_words = _words(EU_HIDDEN_MEMBERS)
        self.other_country_words = _words(self.other_countries)
        self.gross = GrossValues(con)
        self._views()

    def hmac(self, value: str) -> str:
        return hmac.new(self.secret, value.encode(), hashlib.sha256).hexdigest()

    def _views(self) -> None:
        con = self.con
        con.execute(
            "CREATE OR REPLACE TEMP VIEW c_masked AS SELECT customer_id, 'REDACTED' AS name, "
            f"{MASKED_PHONE_SQL} AS phone, country, region, segment, signup_date FROM raw.customers"
        )
        con.execute("CREATE OR REPLACE TEMP VIEW c_eu AS SELECT * FROM c_masked WHERE region = 'EU'")
        con.execute(
            "CREATE OR REPLACE TEMP VIEW o_eu AS SELECT o.* FROM raw.orders o WHERE EXISTS "
            "(SELECT 1 FROM raw.customers c WHERE c.customer_id = o.customer_id AND c.region = 'EU')"
        )
        con.execute(
            "CREATE OR REPLACE TEMP VIEW i_eu AS SELECT i.* FROM raw.order_items i "
            "WHERE i.order_id IN (SELECT order_id FROM o_eu)"
        )

    PLACEHOLDERS: Mapping[str, Mapping[str, str]] = {
        ADMIN: {"C": "raw.customers", "O": "raw.orders", "I": "raw.order_items"},
        ANALYST: {"C": "c_masked", "O": "raw.orders", "I": "raw.order_items"},
        EU: {"C": "c_eu", "O": "o_eu", "I": "i_eu"},
        GUEST: {"C": "(SELECT * FROM c_masked WHERE false)", "O": "raw.orders", "I": "raw.order_items"},
    }

    def rows(self, user: str, template: str) -> list[tuple[Any, ...]]:
        if not template:
            return []
        query = Template(template).substitute(self.PLACEHOLDERS[user])
        return [tuple(r) for r in self.con.execute(query).fetchall()]


def _cell_text(value: Any) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _hashable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | Decimal | bytes | date | datetime):
        return value
    return repr(value)  # lists, structs, maps


def _norm(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 6)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _norm_rows(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(_norm(v) for v in row) for row in rows]


def _sort_key(value: Any) -> tuple[int, Any]:
    return (1, "") if value is None else (0, value)


# -- which statements read data ---------------------------------------------------------------------------

_FROM_RELATION = re.compile(rf"\b(?:from|join)\s+(?:public\.)?(?:{'|'.join(RELATIONS)})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Shape:
    names_data: bool  # some statement reads a relation of the data product
    single_query: bool  # the text is one query (SELECT, set operation) that reads a relation


def shape(sql: str) -> Shape:
    try:
        statements = [s for s in sqlglot.parse(sql, read="postgres") if s is not None]
    except sqlglot.errors.SqlglotError:
        return Shape(bool(_FROM_RELATION.search(sql)), False)

    def reads(tree: exp.Expression) -> bool:
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        return any(
            t.name in RELATIONS and t.name not in ctes and t.db in ("", "public") for t in tree.find_all(exp.Table)
        )

    names = any(reads(s) for s in statements)
    single = len(statements) == 1 and isinstance(statements[0], exp.Query) and reads(statements[0])
    return Shape(names, single)


# -- the judge ------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)

    def check(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)


class GrossValues:
    """The gross amounts eu_analyst may not learn, and where each may not appear.

    Only values the caller cannot already see are forbidden: a fully returned order's
    refund is its gross amount, and eu_analyst sees refunds, so such an order (a status
    or a customer whose gross equals its refunds) is not counted.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        eu = "FROM raw.orders o JOIN raw.customers c USING (customer_id) WHERE c.region = 'EU'"

        def protected(sql: str) -> dict[Any, Decimal]:
            return {key: g for key, g, r in con.execute(sql).fetchall() if g != r}

        self.orders = protected(f"SELECT o.order_id, o.gross_amount, o.refunded_amount {eu}")
        self.customers = protected(f"SELECT o.customer_id, sum(o.gross_amount), sum(o.refunded_amount) {eu} GROUP BY 1")
        # Totals by a value that may label a row: status, channel, the region itself.
        self.labels: dict[str, Decimal] = {}
        for column in ("o.status", "o.channel", "c.region"):
            self.labels.update(
                protected(f"SELECT {column}, sum(o.gross_amount), sum(o.refunded_amount) {eu} GROUP BY 1")
            )
        totals = con.execute("SELECT sum(gross_amount) FROM raw.orders").fetchone()
        assert totals is not None
        self.totals = {self.labels["EU"], totals[0]}

    @staticmethod
    def number(value: Any) -> Decimal | None:
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int | float | Decimal):
            return Decimal(str(value))
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*", value):
            return Decimal(value.strip())  # COPY and text casts
        return None

    @staticmethod
    def shows(value: Decimal, gross: Decimal) -> bool:
        """``value`` is ``gross``, to the cent, or ``gross`` in cents."""
        return abs(value - gross) < CENT or abs(value - gross * 100) < CENT

    def problems(self, outcome: Outcome) -> list[str]:
        v = Verdict()
        for s in outcome.sets:
            names = [c.lower() for c in s.columns] if s.columns else []
            for row in s.rows:
                keyed = dict(zip(names, row, strict=False))
                numbers = [
                    n for i, cell in enumerate(row)
                    if (i >= len(names) or names[i] not in ID_COLUMNS) and (n := self.number(cell)) is not None
                ]  # fmt: skip
                if not numbers:
                    continue
                found = [t for t in self.totals if any(self.shows(n, t) for n in numbers)]
                v.check(not found, f"a gross total is visible: {found[:1]}")
                order = keyed.get("order_id")
                if order in self.orders:
                    v.check(not any(self.shows(n, self.orders[order]) for n in numbers), f"order {order}'s gross")
                customer = keyed.get("customer_id")
                if customer in self.customers:
                    g = self.customers[customer]
                    v.check(not any(self.shows(n, g) for n in numbers), f"customer {customer}'s gross")
                for label in (c for c in row if isinstance(c, str) and c in self.labels):
                    g = self.labels[label]
                    v.check(not any(self.shows(n, g) for n in numbers), f"the gross of {label} orders")
        return sorted(set(v.problems))


def judge(
    oracle: Oracle,
    attempt: Attempt,
    user: str,
    sql: str,
    outcome: Outcome,
    *,
    channel: str,
    rerun: Callable[[str], Outcome] | None = None,
) -> list[str]:
    """Every rule the outcome breaks (empty: the attempt observed nothing it should not)."""
    v = Verdict()
    form = shape(sql)
    lowered_sql = (sql + " " + " ".join(map(str, attempt.params or ()))).lower()

    # Everyone: a clean answer or a clean error, and a usable session after an error.
    v.check(not outcome.lost, "the connection was lost")
    v.check(outcome.sqlstate != "XX000", f"internal error: {outcome.internal} {outcome.error_text()}")
    v.check(outcome.ok or outcome.alive, "after the error the session no longer answers SELECT 1")
    if outcome.ok:
        v.check(bool(outcome.sets), "no result at all")

    cells = "\x00".join(_cell_text(c) for s in outcome.sets for row in s.rows for c in row)
    names = " ".join(c for s in outcome.sets for c in (s.columns or []))
    errors = outcome.error_text()
    notices = "\x00".join(outcome.notices)  # judged as strictly as results: a notice echoes nothing typed
    everything = "\x00".join((cells, names, errors, notices))

    # The hash mask's key never leaves the server.
    v.check(not KEY_PAD_RUN.search(everything), "a 128-hex-digit run (an HMAC key pad) is visible")
    if channel not in SERVER_CHANNELS:
        for secret in (*oracle.pads, SECRET):
            v.check(secret not in everything, "the mask key is visible")

    # Required outcomes of this attempt (statements only the wire session runs: there only).
    applies = channel == "wire" or (attempt.protocol == "extended" and not attempt.session)
    required = attempt.fail.get(user) if applies else None
    if required is not None:
        v.check(not outcome.ok and outcome.sqlstate == required, f"must fail with {required}")
    expected = attempt.expect.get(user, attempt.expect.get(ANY) if user != GUEST else None)
    if expected is not None and required is None and applies:
        v.check(outcome.ok, "must succeed (an expected answer is given)")
        last = outcome.last
        if outcome.ok and last is not None:
            want = _norm_rows(oracle.rows(user, expected))
            got = _norm_rows(last.rows)
            same = got == want if attempt.ordered else Counter(got) == Counter(want)
            v.check(same, f"answer differs from DuckDB over the raw tables: got {got[:8]!r}, want {want[:8]!r}")
    if attempt.sorted_by and user != GUEST and applies:
        v.check(outcome.ok, f"must succeed (ordered by {attempt.sorted_by})")
        last = outcome.last
        if outcome.ok and last is not None and last.columns:
            column = last.columns.index(attempt.sorted_by)
            shown = [row[column] for row in last.rows]
            v.check(shown == sorted(shown, key=_sort_key), f"rows are not ordered by {attempt.sorted_by} as shown")
    differ = attempt.differ.get(user)
    if differ is not None and outcome.ok and outcome.last is not None:
        raw_rows = _norm_rows(oracle.rows(user, differ))
        width = len(raw_rows[0]) if raw_rows else 0
        got = [row[:width] for row in _norm_rows(outcome.last.rows)]
        v.check(got != raw_rows, "the answer follows the raw (unmasked or hidden) values")

    if user in MASKED and form.names_data:
        v.problems.extend(column_problems(oracle, user, outcome, channel))
    if user == EU and form.names_data:
        v.problems.extend(region_problems(oracle, outcome))
        v.problems.extend(oracle.gross.problems(outcome))
    if user == GUEST:
        if form.single_query:
            v.check(not outcome.ok and outcome.sqlstate == "42501", "a query over a relation must fail with 42501")
        elif form.names_data:
            v.check(not outcome.ok, "a statement over a relation must fail")
    v.problems.extend(text_problems(oracle, user, lowered_sql, "\x00".join((cells, names, notices)), errors))

    # A name the user may not see must behave exactly as a name that does not exist.
    replacements = twin_replacements(attempt, user)
    if rerun is not None and replacements:
        twin_sql = attempt.sql
        for old, new in replacements:
            twin_sql = twin_sql.replace(old, new)
        other = rerun(twin_sql)
        v.check(same_behaviour(outcome, other, replacements), f"differs from its twin {twin_sql!r}: {other.describe()}")
    return v.problems


def text_problems(oracle: Oracle, user: str, lowered_sql: str, shown: str, errors: str) -> list[str]:
    """Forbidden text in what a user reads: result cells and column names (``shown``), error texts.

    What the statement itself contains may come back in an error (PostgreSQL echoes
    identifiers: ``column "gross_amount" does not exist``), never in a result.
    """
    v = Verdict()
    typed = set(re.findall(r"\w+", lowered_sql))
    everything = shown + "\x00" + errors
    if user in (*MASKED, GUEST):
        leaked = oracle.data.find(everything, oracle.data.supplied(lowered_sql))
        v.check(not leaked, f"raw personal data is visible: {sorted(leaked)[:5]}")
    if user == EU:
        named = {m.group(0).lower() for m in oracle.eu_words.finditer(shown)}
        named |= {m.group(0).lower() for m in oracle.eu_words.finditer(errors)} - typed
        v.check(not named, f"hidden members are named: {sorted(named)}")
        texts = oracle.eu_texts.find(everything)
        v.check(not texts, f"descriptions of hidden members are visible: {sorted(texts)}")
        countries = {m.group(0) for m in oracle.other_country_words.finditer(everything)}
        countries = {c for c in countries if c.lower() not in lowered_sql}
        v.check(not countries, f"countries of hidden customers are visible: {sorted(countries)}")
    if user == GUEST:
        named = {m.group(0).lower() for m in oracle.guest_words.finditer(shown)}
        named |= {m.group(0).lower() for m in oracle.guest_words.finditer(errors)} - typed
        v.check(not named, f"names the guest may not see are visible: {sorted(named)[:8]}")
        texts = oracle.guest_texts.find(everything)
        v.check(not texts, f"descriptions the guest may not see are visible: {sorted(texts)[:3]}")
    return v.problems


def column_problems(oracle: Oracle, user: str, outcome: Outcome, channel: str) -> list[str]:
    """Columns that show a masked member hold masked values only (and, for eu_analyst, EU customers' only)."""
    v = Verdict()
    for s in outcome.sets:
        for index, column in enumerate(s.columns or []):
            values = {_hashable(row[index]) for row in s.rows} - {None}
            key = column.lower()
            if key in ("email", "customer_email"):
                bad = {x for x in values if not (isinstance(x, str) and HEX64.fullmatch(x))}
                if channel not in SERVER_CHANNELS:
                    bad |= {x for x in values if x not in oracle.hashes[user]}
                v.check(
                    not bad, f"column {column} shows values that are not the keyed hash: {sorted(map(str, bad))[:3]}"
                )
            elif key in ("phone", "customer_phone"):
                bad = {x for x in values if x not in oracle.phones[user]}
                v.check(
                    not bad, f"column {column} shows values that are not masked phones: {sorted(map(str, bad))[:3]}"
                )
            elif key in ("name", "customer_name"):
                allowed = {"REDACTED"} | (oracle.product_names if key == "name" else set())
                bad = values - allowed
                v.check(not bad, f"column {column} shows values other than REDACTED: {sorted(map(str, bad))[:3]}")
    return v.problems


def region_problems(oracle: Oracle, outcome: Outcome) -> list[str]:
    """eu_analyst: id, region and country columns hold rows of EU customers only."""
    v = Verdict()
    for s in outcome.sets:
        for index, column in enumerate(s.columns or []):
            values = {_hashable(row[index]) for row in s.rows} - {None}
            key = column.lower()
            if key in oracle.eu_ids:
                bad = values - oracle.eu_ids[key]
                v.check(not bad, f"column {column} shows rows of other regions: {sorted(map(str, bad))[:5]}")
            elif key in ("region", "customer_region"):
                v.check(values <= {"EU"}, f"column {column} shows other regions: {sorted(map(str, values))}")
            elif key in ("country", "customer_country"):
                bad = values - oracle.eu_countries
                v.check(not bad, f"column {column} shows countries of other regions: {sorted(map(str, bad))}")
    return v.problems


def twin_replacements(attempt: Attempt, user: str) -> list[tuple[str, str]]:
    """How to turn the names ``user`` may not see in this attempt into names that do not exist."""
    replacements = list(attempt.twin) if user in attempt.twin_users else []
    if user == EU:
        replacements.extend((old, new) for old, new in HIDDEN_TWINS if old in attempt.sql)
    return replacements


def same_behaviour(outcome: Outcome, other: Outcome, replacements: list[tuple[str, str]]) -> bool:
    """Same rows, or the same error but for the names (a twin's error names the twin's name)."""
    if outcome.ok != other.ok:
        return False
    if outcome.ok:
        return [(s.columns, _norm_rows(s.rows)) for s in outcome.sets] == [
            (s.columns, _norm_rows(s.rows)) for s in other.sets
        ]
    texts = [other.message, other.detail, other.hint]
    for old, new in replacements:
        texts = [t.replace(new, old) for t in texts]
    # A request id is drawn at random for each failure, so it tells nothing about the names.
    mine = [_REQUEST_ID.sub("(request id)", t) if t else t for t in (outcome.message, outcome.detail)]
    theirs = [_REQUEST_ID.sub("(request id)", t) if t else t for t in texts[:2]]
    return (outcome.sqlstate, *mine) == (other.sqlstate, *theirs)


_REQUEST_ID = re.compile(r"\(request id [0-9a-f]+\)")


def report(attempt: Attempt, user: str, channel: str, sql: str, outcome: Outcome, problems: list[str]) -> str:
    lines = [f"{attempt.id} ({attempt.kind}) as {user} over {channel}", f"  SQL: {sql}", f"  got: {outcome.describe()}"]
    lines.extend(f"  - {p}" for p in problems)
    return "\n".join(lines)


# -- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oracle(raw: duckdb.DuckDBPyConnection) -> Oracle:
    return Oracle(raw, SECRET)


@pytest.fixture(scope="module")
def wire(quiver_server: QuiverServer) -> Iterator[WireSessions]:
    sessions = WireSessions(quiver_server)
    yield sessions
    sessions.close()


@pytest.fixture(scope="module")
def flight_sessions(quiver_server: QuiverServer) -> Iterator[FlightSessions]:
    sessions = FlightSessions(quiver_server)
    yield sessions
    sessions.close()


@pytest.fixture(scope="module")
def cli_database(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bypass") / "orders.duckdb"
    shutil.copyfile(demo_db, path)
    return path


@pytest.fixture(scope="module")
def inprocess(cli_database: Path) -> Iterator[InProcess]:
    settings = Settings.from_env(database=cli_database, audit_log="off", mask_secret=SECRET, statement_timeout=60.0)
    app = build_app(settings, quiet=True)
    users = UserStore.load(settings.users_file)
    callers = {}
    for name in USERS:
        user = users.get(name)
        assert user is not None, f"demo user {name} missing from {settings.users_file}"
        callers[name] = user.caller("sql")
    yield InProcess(app, callers)
    app.close()


def _cli(database: Path, user: str, sql: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "server.cli", "query", "--user", user, "--database", str(database)]
    env = {**os.environ, "QUIVER_MASK_SECRET": SECRET, "QUIVER_AUDIT_LOG": "off"}
    return subprocess.run(
        [*command, "--format", "json", sql], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def cli_runs(cli_database: Path) -> Mapping[tuple[str, str], subprocess.CompletedProcess[str]]:
    """The sample, each attempt as each user, run through ``python -m server.cli query`` (a few at a time)."""
    by_id = {a.id: a for a in ATTEMPTS}
    jobs = [(attempt_id, user) for attempt_id in CLI_SAMPLE for user in USERS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            job: pool.submit(_cli, cli_database, job[1], literal_sql(by_id[job[0]], by_id[job[0]].sql)) for job in jobs
        }
        return {job: future.result() for job, future in futures.items()}


# -- the tests --------------------------------------------------------------------------------------------

CASES = [pytest.param(attempt, user, id=f"{attempt.id}-{user}") for attempt in ATTEMPTS for user in USERS]


@pytest.mark.parametrize(("attempt", "user"), CASES)
def test_wire(attempt: Attempt, user: str, wire: WireSessions, oracle: Oracle) -> None:
    outcome = run_wire(wire, user, attempt, attempt.sql)
    sql = literal_sql(attempt, attempt.sql)
    problems = judge(
        oracle, attempt, user, sql, outcome, channel="wire", rerun=lambda s: run_wire(wire, user, attempt, s)
    )
    assert not problems, report(attempt, user, "wire", attempt.sql, outcome, problems)


@pytest.mark.parametrize(("attempt", "user"), CASES)
def test_flight(attempt: Attempt, user: str, flight_sessions: FlightSessions, oracle: Oracle) -> None:
    outcome = run_flight(flight_sessions, user, attempt, attempt.sql)
    problems = judge(
        oracle,
        attempt,
        user,
        literal_sql(attempt, attempt.sql),
        outcome,
        channel="flight",
        rerun=lambda s: run_flight(flight_sessions, user, attempt, s),
    )
    assert not problems, report(attempt, user, "flight", attempt.sql, outcome, problems)


@pytest.mark.parametrize(("attempt", "user"), CASES)
def test_cli_path(attempt: Attempt, user: str, inprocess: InProcess, oracle: Oracle) -> None:
    sql = literal_sql(attempt, attempt.sql)
    outcome = inprocess.run(user, sql)
    problems = judge(
        oracle,
        attempt,
        user,
        sql,
        outcome,
        channel="cli_path",
        rerun=lambda s: inprocess.run(user, literal_sql(attempt, s)),
    )
    assert not problems, report(attempt, user, "cli_path", sql, outcome, problems)


@pytest.mark.parametrize(("attempt_id", "user"), [pytest.param(a, u, id=f"{a}-{u}") for a in CLI_SAMPLE for u in USERS])
def test_cli_process(
    attempt_id: str,
    user: str,
    cli_runs: Mapping[tuple[str, str], subprocess.CompletedProcess[str]],
    inprocess: InProcess,
    oracle: Oracle,
) -> None:
    """``quiver query`` itself prints exactly the in-process answer, which the oracle judges."""
    attempt = next(a for a in ATTEMPTS if a.id == attempt_id)
    sql = literal_sql(attempt, attempt.sql)
    run = cli_runs[(attempt_id, user)]
    assert "Traceback" not in run.stderr, run.stderr
    expected = inprocess.run(user, sql)
    if expected.ok:
        assert run.returncode == 0, run.stderr
        printed = json.loads(run.stdout)
        last = expected.last
        assert last is not None and last.columns is not None
        # The CLI prints rows as JSON objects (str() for what JSON lacks), so build the same from the in-process rows.
        want = json.loads(json.dumps([dict(zip(last.columns, row, strict=True)) for row in last.rows], default=str))
        assert printed == want
    else:
        assert run.returncode == 1
        described = "\n".join(
            line
            for line in (
                f"ERROR:  {expected.message}",
                f"DETAIL:  {expected.detail}" if expected.detail else "",
                f"HINT:  {expected.hint}" if expected.hint else "",
            )
            if line
        )
        assert run.stderr.strip() == described
    # What it printed is that answer: judge it like any other, and its text once more as printed.
    problems = judge(
        oracle,
        attempt,
        user,
        sql,
        expected,
        channel="cli_process",
        rerun=lambda s: inprocess.run(user, literal_sql(attempt, s)),
    )
    problems += text_problems(oracle, user, sql.lower(), run.stdout, run.stderr)
    if user == GUEST and shape(sql).single_query and "permission denied" not in run.stderr:
        problems.append("the guest's query was not refused")
    assert not problems, report(attempt, user, "cli_process", sql, expected, problems)


# -- the corpus and the oracle themselves ---------------------------------------------------------------

REQUIRED_KINDS = {
    "filter",
    "join",
    "group_by",
    "order_by",
    "aggregate",
    "like",
    "case",
    "subquery",
    "cte",
    "set_op",
    "window",
    "cast",
    "star",
    "catalog",
    "error_message",
    "prepared",
    "multi_statement",
    "comment",
    "quoted",
    "schema",
    "table_function",
    "command",
    "setting",
    "function",
    "view",
    "row_count",
    "hidden_member",
    "derived_member",
    "error_oracle",
}


def test_corpus_covers_the_attack_kinds() -> None:
    ids = [a.id for a in ATTEMPTS]
    assert len(ids) == len(set(ids))
    assert len(ATTEMPTS) >= 110
    assert {a.kind for a in ATTEMPTS} >= REQUIRED_KINDS
    assert {a.protocol for a in ATTEMPTS} == {"extended", "simple", "copy"}
    assert sum(1 for a in ATTEMPTS if a.params is not None) >= 8
    for sample in CLI_SAMPLE:
        assert sample in ids


def test_probes_of_raw_values_have_expected_answers(oracle: Oracle) -> None:
    """An attempt that sends a raw value may see it echoed, so it must say what masked users get back."""
    for attempt in ATTEMPTS:
        text = literal_sql(attempt, attempt.sql)
        if oracle.data.supplied(text.lower()):
            for user in MASKED:
                constrained = (
                    user in attempt.expect,
                    ANY in attempt.expect,
                    user in attempt.fail,
                    user in attempt.differ,
                )
                assert any(constrained), attempt.id


def test_probes_are_what_the_corpus_says(oracle: Oracle) -> None:
    """The probe values of the corpus belong to rows eu_analyst may not see (deterministic demo data)."""
    row = oracle.con.execute(
        "SELECT name, email, phone, region FROM raw.customers WHERE customer_id = ?", [NA_CUSTOMER]
    ).fetchone()
    assert row == (NA_NAME, NA_EMAIL, NA_PHONE, "NA")
    assert APAC_ORDER not in oracle.eu_ids["order_id"]
    assert APAC_ITEM not in oracle.eu_ids["order_item_id"]
    assert EU_ORDER in oracle.gross.orders  # an EU order whose gross amount eu_analyst may not learn
    assert oracle.gross.labels["EU"] == Decimal("6694244.95")
    assert NA_CUSTOMER not in oracle.eu_ids["customer_id"]


def test_oracle_flags_leaks(oracle: Oracle) -> None:
    """The judge is not vacuous: planted leaks of every kind are reported."""
    select = next(a for a in ATTEMPTS if a.id == "subquery_derived_table")
    customer = oracle.con.execute(
        "SELECT customer_id, name, email, phone FROM raw.customers WHERE region <> 'EU' AND phone IS NOT NULL LIMIT 1"
    ).fetchone()
    assert customer is not None
    columns = ["customer_id", "name", "email", "phone"]
    sql = select.sql

    def problems(user: str, outcome: Outcome, attempt: Attempt = select) -> list[str]:
        return judge(oracle, attempt, user, sql, outcome, channel="cli_path")

    def rows(*row: Any) -> Outcome:
        return Outcome(True, [ResultSet(columns, [tuple(row)])])

    masked_hash = oracle.hmac(customer[2])
    assert not problems(ANALYST, rows(customer[0], "REDACTED", masked_hash, partial_mask(customer[3])))
    assert problems(ANALYST, rows(customer[0], customer[1], masked_hash, partial_mask(customer[3])))
    assert problems(ANALYST, rows(customer[0], "REDACTED", customer[2], partial_mask(customer[3])))
    assert problems(ANALYST, rows(customer[0], "REDACTED", hashlib.sha256(customer[2].encode()).hexdigest(), None))
    assert problems(ANALYST, rows(customer[0], "REDACTED", masked_hash, customer[3][::-1]))
    assert problems(EU, rows(customer[0], "REDACTED", None, None))  # a customer of another region
    assert problems(EU, Outcome(True, [ResultSet(["gross_revenue"], [(1,)])]))
    assert problems(EU, Outcome(False, sqlstate="42703", message="x", hint='Perhaps you meant "gross_amount".'))
    assert problems(ANALYST, Outcome(False, sqlstate="22000", message=f"could not convert '{customer[1]}'"))
    assert problems(ADMIN, Outcome(False, sqlstate="XX000", message="boom"))
    assert problems(ADMIN, Outcome(False, sqlstate="08006", message="gone", lost=True, alive=False))
    assert problems(GUEST, rows(None, None, None, None))  # a guest query over a relation that succeeds
    catalog = next(a for a in ATTEMPTS if a.id == "error_typo_relation_customers")
    hint = Outcome(False, sqlstate="42P01", message='relation "custmers" does not exist', hint='"customers"?')
    assert problems(GUEST, hint, catalog)
    listing = Outcome(True, [ResultSet(["relname"], [("sales",)])])
    assert problems(GUEST, listing, next(a for a in ATTEMPTS if a.id == "catalog_pg_class"))


def test_oracle_flags_recomputed_gross_values(oracle: Oracle) -> None:
    """Every shape a recomputed gross can take is reported for eu_analyst; values it may see are not."""
    attempt = next(a for a in ATTEMPTS if a.id == "derived_columns_regex")  # no required outcome
    gross = oracle.gross
    order, value = EU_ORDER, gross.orders[EU_ORDER]
    refunded = oracle.con.execute(
        "SELECT o.order_id, o.refunded_amount FROM raw.orders o JOIN raw.customers c USING (customer_id) "
        "WHERE c.region = 'EU' AND o.status = 'returned' AND o.refunded_amount > 0 LIMIT 1"
    ).fetchone()
    assert refunded is not None
    customer, customer_gross = next(iter(gross.customers.items()))

    def problems(columns: list[str], *rows: tuple[Any, ...]) -> list[str]:
        outcome = Outcome(True, [ResultSet(columns, list(rows))])
        return judge(oracle, attempt, EU, attempt.sql, outcome, channel="cli_path")

    assert problems(["g"], (Decimal("6694244.95"),))  # the number: net + refunds over the EU
    assert problems(["g"], (6694244.950000001,))  # as a float
    assert problems(["g"], ("6694244.95",))  # as text (COPY)
    assert problems(["order_id", "g"], (order, value))  # per order
    assert problems(["order_id", "cents"], (order, int(value * 100)))  # in cents
    assert problems(["id", "x"], (order, value)) == []  # the same number without its order is not flagged
    assert problems(["customer_id", "g"], (customer, customer_gross))  # per customer
    assert problems(["channel", "g"], ("web", gross.labels["web"]))  # per channel
    assert problems(["status", "g"], ("shipped", gross.labels["shipped"]))
    # What eu_analyst may see: a fully returned order's refund is its gross; the returned total likewise.
    assert problems(["order_id", "refunded_amount"], (refunded[0], refunded[1])) == []
    assert "returned" not in gross.labels
    eu_refunds = oracle.con.execute(
        "SELECT sum(refunded_amount) FROM raw.orders o JOIN raw.customers c USING (customer_id) WHERE region = 'EU'"
    ).fetchone()
    assert eu_refunds is not None
    assert problems(["refunded_revenue"], (eu_refunds[0],)) == []
    # admin and analyst may see gross amounts.
    admin = judge(oracle, attempt, ADMIN, attempt.sql, Outcome(True, [ResultSet(["g"], [(value,)])]), channel="x")
    assert admin == []


def test_eu_analyst_sees_exactly_what_the_oracle_expects(inprocess: InProcess) -> None:
    """The server's decisions (lineage included) match the oracle's list of what eu_analyst may not see."""
    relations = inprocess.app.engine.governance(inprocess.callers[EU]).relations()
    full = inprocess.app.engine.governance(inprocess.callers[ADMIN]).relations()
    missing = {
        f"{member.table}.{member.member.name}"
        for name, relation in full.items()
        for exposed, member in relation.members.items()
        if exposed not in relations[name].members
    }
    assert missing == set(EU_HIDDEN)


def test_masks_are_the_documented_functions(inprocess: InProcess, oracle: Oracle) -> None:
    """The in-process hash is HMAC-SHA-256 under the configured key (so the oracle's hash set is right)."""
    outcome = inprocess.run(ANALYST, "SELECT customer_id, email, phone FROM customers WHERE customer_id = 1")
    raw_row = oracle.con.execute("SELECT email, phone FROM raw.customers WHERE customer_id = 1").fetchone()
    assert outcome.ok and raw_row is not None
    assert outcome.sets[0].rows == [(1, oracle.hmac(raw_row[0]), partial_mask(raw_row[1]))]


def test_other_sessions_queries_are_not_visible(wire: WireSessions, oracle: Oracle) -> None:
    """An admin's statement text (with raw values in it) does not show in an analyst's pg_stat_activity."""
    admin = wire.get(ADMIN)
    probe = oracle.con.execute("SELECT email FROM raw.customers WHERE customer_id = 1").fetchone()
    assert probe is not None
    admin.execute(f"SELECT count(*) FROM customers WHERE email = '{probe[0]}'").fetchall()
    for user in (ANALYST, EU, GUEST):
        rows = wire.get(user).execute("SELECT usename, query FROM pg_catalog.pg_stat_activity").fetchall()
        text = " ".join(str(c) for row in rows for c in row)
        assert probe[0] not in text, (user, rows)
