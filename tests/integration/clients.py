"""Helpers shared by the client tests: where to connect, how to run each client, the expected answers.

Every client test connects to an :class:`Endpoint`: the ``quiver serve`` under test, or (in
``test_client_plumbing.py``) a real PostgreSQL loaded with the same raw data, which proves the
client side of each test (drivers installed, the JDBC program, the node script) independently of
the server. Expected answers are computed with DuckDB directly over the raw demo tables.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from tests.conftest import require
from tests.integration.conftest import QuiverServer
from tests.support.postgres import PostgresServer

HERE = Path(__file__).resolve().parent
JDBC_SOURCE = HERE / "jdbc" / "QuiverJdbcCheck.java"
PGJDBC_JAR = Path("/usr/share/java/postgresql.jar")
NODE_DIR = HERE / "node"
ODBC_DRIVER_CANDIDATES = (
    Path("/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so"),
    Path("/usr/lib/aarch64-linux-gnu/odbc/psqlodbcw.so"),
    Path("/usr/lib/odbc/psqlodbcw.so"),
)
CLIENT_TIMEOUT = 180  # seconds for one client process: generous, a hang still ends the test
INSTALL_HINT = "run .ci/install-system-deps"

# The relations of the demo data product, by kind (semantic_models/orders).
TABLES = ("customers", "order_items", "orders", "products")
VIEWS = ("customer_360", "sales")


@dataclass(frozen=True)
class Endpoint:
    """One server and one user: the same connection expressed in each client's own syntax."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def quiver(cls, server: QuiverServer, user: str = "admin") -> Endpoint:
        return cls(server.host, server.port, user, server.passwords[user], server.dbname)

    @classmethod
    def postgres(cls, server: PostgresServer) -> Endpoint:
        return cls(server.host, server.port, server.user, server.password, server.database)

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user={self.user} password={self.password} dbname={self.dbname}"

    def url(self, scheme: str = "postgresql") -> str:
        return f"{scheme}://{self.user}:{self.password}@{self.host}:{self.port}/{self.dbname}"

    @property
    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://{self.host}:{self.port}/{self.dbname}"

    def odbc(self, driver: Path, **extra: str) -> str:
        """A DSN-less psqlODBC connection string naming the driver's shared object."""
        parts = {
            "Driver": f"{{{driver}}}",
            "Server": self.host,
            "Port": str(self.port),
            "Database": self.dbname,
            "Uid": self.user,
            "Pwd": self.password,
            **extra,
        }
        return ";".join(f"{key}={value}" for key, value in parts.items())

    @property
    def node_config(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "database": self.dbname,
        }

    def env(self) -> dict[str, str]:
        """The environment for a libpq program (psql): password and no user or system configuration."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(PGPASSWORD=self.password, PGCONNECT_TIMEOUT="20", PSQLRC="/dev/null", PAGER="cat", TZ="UTC")
        return env


# -- psql ------------------------------------------------------------------------------------------


def psql_binary() -> str:
    found = shutil.which("psql")
    require(found is not None, f"psql is not installed ({INSTALL_HINT})")
    assert found is not None
    return found


def run_psql(endpoint: Endpoint, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run psql (one connection) with ``args``; the caller inspects stdout, stderr and the exit code."""
    command = [
        psql_binary(),
        "-X",
        "-h",
        endpoint.host,
        "-p",
        str(endpoint.port),
        "-U",
        endpoint.user,
        "-d",
        endpoint.dbname,
        "-w",
        "-P",
        "pager=off",
        *args,
    ]
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        env=endpoint.env(),
        timeout=CLIENT_TIMEOUT,
        check=False,
    )


def unaligned_rows(output: str, separator: str = "|") -> list[list[str]]:
    """Rows of ``psql -A -t`` output."""
    return [line.split(separator) for line in output.splitlines() if line]


# -- pgJDBC ----------------------------------------------------------------------------------------


@functools.cache
def _compile_jdbc_check() -> Path:
    classes = Path(tempfile.mkdtemp(prefix="quiver-jdbc-"))
    subprocess.run(
        ["javac", "-d", str(classes), "-cp", str(PGJDBC_JAR), str(JDBC_SOURCE)],
        check=True,
        capture_output=True,
        timeout=CLIENT_TIMEOUT,
    )
    return classes


def jdbc_classes() -> Path:
    """The compiled QuiverJdbcCheck (javac against Debian's pgJDBC jar), built once per session."""
    require(shutil.which("javac") is not None and shutil.which("java") is not None, f"no JDK ({INSTALL_HINT})")
    require(PGJDBC_JAR.exists(), f"{PGJDBC_JAR} is missing (libpostgresql-jdbc-java; {INSTALL_HINT})")
    return _compile_jdbc_check()


def run_jdbc(endpoint: Endpoint, *options: str) -> dict[str, Any]:
    """Run QuiverJdbcCheck with ``options`` (``--schema public`` ...) and return its JSON."""
    classes = jdbc_classes()
    command = [
        "java",
        "-Xmx512m",
        "-Duser.timezone=UTC",
        "-cp",
        f"{classes}{os.pathsep}{PGJDBC_JAR}",
        "QuiverJdbcCheck",
        endpoint.jdbc_url,
        endpoint.user,
        endpoint.password,
        *options,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CLIENT_TIMEOUT, check=False)
    assert done.returncode == 0, f"QuiverJdbcCheck failed ({done.returncode}):\n{done.stderr[-4000:]}"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- node pg ---------------------------------------------------------------------------------------


def run_node(endpoint: Endpoint, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run ``queries`` ({"text", "values"}) with node ``pg`` on one connection; one result per query."""
    node = shutil.which("node")
    require(node is not None, f"node is not installed ({INSTALL_HINT})")
    require((NODE_DIR / "node_modules" / "pg").is_dir(), f"node pg is not installed ({INSTALL_HINT})")
    assert node is not None
    spec = json.dumps({"connection": endpoint.node_config, "queries": queries})
    done = subprocess.run(
        [node, str(NODE_DIR / "query.js"), spec],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
        env={**os.environ, "TZ": "UTC"},
        check=False,
    )
    assert done.returncode == 0, f"node pg failed ({done.returncode}):\n{done.stderr[-4000:]}"
    results: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])["results"]
    return results


# -- psqlODBC --------------------------------------------------------------------------------------


def odbc_driver() -> Path:
    found = next((path for path in ODBC_DRIVER_CANDIDATES if path.exists()), None)
    require(found is not None, f"psqlODBC is not installed (odbc-postgresql; {INSTALL_HINT})")
    assert found is not None
    return found


# -- expected answers, computed with DuckDB over the raw tables ------------------------------------

O = "raw.orders"  # noqa: E741
C = "raw.customers"
I = "raw.order_items"  # noqa: E741
P = "raw.products"
OC = f"{O} o LEFT JOIN {C} c ON o.customer_id = c.customer_id"
NET = "o.gross_amount - o.refunded_amount"

# The semantic question most tests ask, and the same question over the raw tables.
SALES_BY_REGION = "SELECT customer_region, net_revenue, order_count FROM sales ORDER BY 1"
SALES_BY_REGION_REFERENCE = f"SELECT c.region, SUM({NET}), COUNT(*) FROM {OC} GROUP BY 1 ORDER BY 1"

# Every order line once for each channel: 44,892 x 3 = 134,676 rows at scale 1 (a cursor workload).
# The CROSS JOIN runs as post-processing SQL over two semantic reads.
LINES_BY_CHANNEL = (
    "SELECT i.order_item_id, i.quantity, o.channel FROM order_items i CROSS JOIN (SELECT channel FROM orders) o"
)
# The same rows in plain PostgreSQL (for the reference server, which holds the raw tables).
LINES_BY_CHANNEL_POSTGRES = (
    "SELECT i.order_item_id, i.quantity, o.channel FROM order_items i "
    "CROSS JOIN (SELECT DISTINCT channel FROM orders) o"
)


def rows(raw: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in raw.execute(sql, list(params)).fetchall()]


def sales_by_region(raw: duckdb.DuckDBPyConnection) -> list[tuple[str, Decimal, int]]:
    return [(str(r), Decimal(n), int(c)) for r, n, c in rows(raw, SALES_BY_REGION_REFERENCE)]


def as_text(value: object) -> str:
    """A value as PostgreSQL's text output writes it (what psql, JDBC getString and COPY show)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


@dataclass(frozen=True)
class CursorTotals:
    rows: int
    sum_item_id: int
    sum_quantity: int
    per_channel: dict[str, int]


def lines_by_channel_totals(raw: duckdb.DuckDBPyConnection) -> CursorTotals:
    [(count, sum_id, sum_qty)] = rows(
        raw,
        f"SELECT COUNT(*), SUM(i.order_item_id), SUM(i.quantity) "
        f"FROM {I} i CROSS JOIN (SELECT DISTINCT channel FROM {O}) o",
    )
    per_channel = dict(rows(raw, f"SELECT channel, (SELECT COUNT(*) FROM {I}) FROM {O} GROUP BY channel"))
    return CursorTotals(int(count), int(sum_id), int(sum_qty), {str(k): int(v) for k, v in per_channel.items()})


@functools.cache
def descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """Each public relation's description and its columns' descriptions, from the demo model."""
    from server.config import DEMO_MODELS
    from server.semantic.store import ModelStore

    manifest = ModelStore(DEMO_MODELS).manifest
    return {
        name: (relation.description, {m.name: m.description for m in relation.public_members()})
        for name, relation in manifest.relations.items()
        if relation.public
    }


def comment_mismatches(shown: dict[str, str | None], relation: str) -> dict[str, tuple[str | None, str]]:
    """Columns whose catalog comment does not begin with the model's description of the member.

    The server may append a note of its own (Quiver adds ``[measure: sum]`` or ``[segment]``).
    """
    expected = descriptions()[relation][1]
    wrong: dict[str, tuple[str | None, str]] = {
        name: (comment, expected.get(name, "<not a column>"))
        for name, comment in shown.items()
        if name not in expected or not (comment or "").startswith(expected[name])
    }
    wrong.update({name: (None, text) for name, text in expected.items() if name not in shown})
    return wrong


def columns_of(relation: str) -> list[str]:
    """The public columns of a relation, in model order."""
    return list(descriptions()[relation][1])
