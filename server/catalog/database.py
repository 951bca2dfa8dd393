"""The in-memory DuckDB that answers catalog SQL: tables and macros created on first use, then locked.

Tables live in schemas of our own (``pgc`` for pg_catalog, ``pgi`` for
information_schema, ``qstore`` for session-dependent rows) because DuckDB has a
built-in ``pg_catalog`` schema of its own views; the translator rewrites every
table reference to these names, so no query can reach DuckDB's built-ins.
External access is disabled and the configuration locked before any query runs:
nothing a query says can read a file, a Python variable, load an extension or
change a setting.

A table or macro is created the first time a query needs it (the translated SQL
names it): creating all of them up front costs about 100 ms of DuckDB DDL, while
a client's catalog queries touch a handful. Loading is idempotent and guarded by
a lock; each thread queries through its own cursor.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Sequence

import duckdb
import pyarrow as pa

from server.catalog.content import CatalogContent
from server.catalog.data.keywords import keyword_rows
from server.catalog.data.procs import PROCS
from server.catalog.macros import MACROS
from server.catalog.providers.base import SESSION_PARAMETERS, Provider, arrow_type
from server.catalog.typeinfo import type_names
from server.sql.pg_types import ALIASES, BY_OID

STORAGE_SCHEMA = {"pg_catalog": "pgc", "information_schema": "pgi"}
SESSION_STORE = "qstore"
SESSION_MACROS = "qs"
FUNCTIONS = "qf"
SCHEMAS = (*STORAGE_SCHEMA.values(), SESSION_STORE, SESSION_MACROS, FUNCTIONS)

_CONFIG: dict[str, str | int | float | bool] = {
    "threads": 1,
    "memory_limit": "512MB",
    "max_temp_directory_size": "0GiB",
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    # Return freed memory to the system in the background: without it a failed memory bomb
    # (string_agg past the limit) left the process 260 MiB larger for good.
    "allocator_background_threads": True,
}
_REFERENCE = re.compile(r"\b(pgc|pgi|qstore|qs|qf)\.\"?(\w+)")
_MACRO_NAME = re.compile(r"CREATE MACRO (\w+\.\w+)\(")


def stored_table(provider: Provider) -> str:
    """Where a provider's rows are stored (qualified DuckDB name)."""
    if provider.session_sql is not None:
        return f"{SESSION_STORE}.{provider.name}"
    return f"{STORAGE_SCHEMA[provider.schema]}.{provider.name}"


def _split_macros() -> dict[str, str]:
    """Each ``CREATE MACRO`` statement of :mod:`.macros`, by qualified name."""
    found: dict[str, str] = {}
    for block in MACROS:
        for raw in re.split(r";\s*\n", block):
            statement = raw.strip().rstrip(";")
            match = _MACRO_NAME.search(statement)
            if match:
                found[match.group(1)] = statement
    return found


_MACRO_SQL = _split_macros()


def _arrow(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[object]]) -> pa.Table:
    arrays = [pa.array([row[i] for row in rows], type=arrow_type(t)) for i, (_, t) in enumerate(columns)]
    return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])


def _helper_tables(content: CatalogContent) -> dict[str, Callable[[], pa.Table]]:
    """Lookup tables the macros read: type spellings, definitions, keywords, function signatures."""
    relations = content.relations

    def names() -> list[tuple[int, str, str]]:
        return type_names() + [(r.type_oid, r.name, r.name) for r in relations]

    def lookup() -> pa.Table:
        rows = [(name.lower(), oid) for oid, typname, sqlname in names() for name in {typname, sqlname}]
        by_name = {typname: oid for oid, typname, _ in names()}
        rows += [(alias, by_name[target]) for alias, target in ALIASES.items() if target in by_name]
        return _arrow([("name", "VARCHAR"), ("oid", "UINTEGER")], rows)

    def signatures() -> pa.Table:
        spelled = {oid: sqlname for oid, _, sqlname in names()}
        rows = []
        for oid, name, _, _, retset, _, rettype, argtypes, _, _ in PROCS:
            args = ", ".join(spelled.get(t) or (BY_OID[t].name if t in BY_OID else str(t)) for t in argtypes)
            result = ("SETOF " if retset else "") + (spelled.get(rettype) or str(rettype))
            rows.append((oid, result, args, f"{name}({args})"))
        columns = [("oid", "UINTEGER"), ("result", "VARCHAR"), ("arguments", "VARCHAR"), ("signature", "VARCHAR")]
        return _arrow(columns, rows)

    return {
        f"{FUNCTIONS}.keywords": lambda: _arrow(
            [("word", "VARCHAR"), ("catcode", "VARCHAR"), ("barelabel", "BOOLEAN"), ("catdesc", "VARCHAR"),
             ("baredesc", "VARCHAR")],
            keyword_rows(),
        ),
        f"{FUNCTIONS}.type_names": lambda: _arrow(
            [("oid", "UINTEGER"), ("typname", "VARCHAR"), ("sqlname", "VARCHAR")], names()
        ),
        f"{FUNCTIONS}.type_lookup": lookup,
        f"{FUNCTIONS}.index_defs": lambda: _arrow(
            [("oid", "UINTEGER"), ("def", "VARCHAR"), ("keys", "VARCHAR[]")],
            [(r.index_oid, r.index_definition, list(r.primary_key)) for r in relations if r.has_primary_key],
        ),
        f"{FUNCTIONS}.constraint_defs": lambda: _arrow(
            [("oid", "UINTEGER"), ("def", "VARCHAR")],
            [(r.constraint_oid, r.constraint_definition) for r in relations if r.has_primary_key],
        ),
        f"{FUNCTIONS}.view_defs": lambda: _arrow(
            [("oid", "UINTEGER"), ("def", "VARCHAR")], [(r.oid, r.view_definition) for r in relations if r.kind == "v"]
        ),
        f"{FUNCTIONS}.proc_signatures": signatures,
    }  # fmt: skip


class CatalogDatabase:
    """One locked in-memory DuckDB holding one catalog's tables, filled on demand."""

    def __init__(self, content: CatalogContent, providers: Sequence[Provider]) -> None:
        self._con = duckdb.connect(":memory:", config=dict(_CONFIG))
        self._con.execute(" ".join(f"CREATE SCHEMA {schema};" for schema in SCHEMAS))
        self._con.execute("SET TimeZone = 'UTC'")
        self._con.execute("SET enable_external_access = false")
        self._con.execute("SET lock_configuration = true")
        self._tables: dict[str, Callable[[], pa.Table]] = _helper_tables(content)
        self._macros: dict[str, str] = dict(_MACRO_SQL)
        parameters = ", ".join(SESSION_PARAMETERS)
        for provider in providers:
            if provider.always_empty:
                continue
            self._tables[stored_table(provider)] = functools.partial(provider.arrow, content)
            if provider.session_sql is not None:
                body = provider.session_sql.format(stored=stored_table(provider))
                self._macros[f"{SESSION_MACROS}.{provider.name}"] = (
                    f"CREATE MACRO {SESSION_MACROS}.{provider.name}({parameters}) AS TABLE {body}"
                )
        self._ready: set[str] = set()
        self._lock = threading.Lock()
        self._local = threading.local()

    def references(self, sql: str) -> frozenset[str]:
        """Our tables and macros that ``sql`` names."""
        return frozenset(f"{schema}.{name.lower()}" for schema, name in _REFERENCE.findall(sql))

    def ensure(self, names: frozenset[str]) -> None:
        """Create (once) every table and macro in ``names`` and everything they depend on."""
        if names <= self._ready:
            return
        with self._lock:
            for name in sorted(names):
                self._create(name, ())

    def _create(self, name: str, chain: tuple[str, ...]) -> None:
        if name in self._ready or name in chain:
            return
        if name in self._tables:
            self._con.from_arrow(self._tables[name]()).create(name)
        elif name in self._macros:
            sql = self._macros[name]
            for dependency in sorted(self.references(re.split(r"\bAS\b", sql, maxsplit=1)[1])):
                self._create(dependency, (*chain, name))
            self._con.execute(sql)
        else:
            return  # not ours (a column alias that looks qualified): DuckDB will say what is wrong
        self._ready.add(name)

    def new_cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own for one query, so cancelling it interrupts nothing else."""
        return self._con.cursor()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's connection to the catalog database."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self._con.cursor()
        return cursor
