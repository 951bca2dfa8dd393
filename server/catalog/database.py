"""The in-memory DuckDB that answers catalog SQL: one table per provider, macros, then locked.

Tables live in schemas of our own (``pgc`` for pg_catalog, ``pgi`` for
information_schema, ``qstore`` for session-dependent rows) because DuckDB has a
built-in ``pg_catalog`` schema of its own views; the translator rewrites every
table reference to these names, so no query can reach DuckDB's built-ins. After
loading, external access is disabled and the configuration locked, so nothing a
query says can read a file, load an extension or change a setting.
"""

from __future__ import annotations

from collections.abc import Sequence

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

_CONFIG = {
    "threads": 2,
    "memory_limit": "512MB",
    "max_temp_directory_size": "0GiB",
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}


def stored_table(provider: Provider) -> str:
    """Where a provider's rows are stored (qualified DuckDB name)."""
    if provider.session_sql is not None:
        return f"{SESSION_STORE}.{provider.name}"
    return f"{STORAGE_SCHEMA[provider.schema]}.{provider.name}"


def session_macro(provider: Provider) -> str:
    return f"{SESSION_MACROS}.{provider.name}"


def _ddl(name: str, columns: Sequence[tuple[str, str]]) -> str:
    body = ", ".join(f'"{column}" {duckdb_type}' for column, duckdb_type in columns)
    return f"CREATE TABLE {name} ({body});"


def _load(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Insert an Arrow table; DuckDB finds ``rows`` by its replacement scan of this frame (the fastest path)."""
    if table.num_rows == 0:
        return
    rows = table  # noqa: F841 (read by DuckDB's replacement scan)
    con.execute(f"INSERT INTO {name} SELECT * FROM rows")


def _helper_tables(content: CatalogContent) -> dict[str, tuple[list[tuple[str, str]], list[tuple[object, ...]]]]:
    """Lookup tables the macros read: type spellings, definitions, keywords, function signatures."""
    names = type_names() + [(r.type_oid, r.name, r.name) for r in content.relations]
    lookup = [(name.lower(), oid) for oid, typname, sqlname in names for name in {typname, sqlname}]
    by_name = {typname: oid for oid, typname, _ in names}
    lookup += [(alias, by_name[target]) for alias, target in ALIASES.items() if target in by_name]
    sql_by_oid = {oid: sqlname for oid, _, sqlname in names}

    def spelled(oid: int) -> str:
        return sql_by_oid.get(oid) or (BY_OID[oid].name if oid in BY_OID else str(oid))

    signatures = []
    for oid, name, _, _, retset, _, rettype, argtypes, _, _ in PROCS:
        arguments = ", ".join(spelled(t) for t in argtypes)
        signatures.append((oid, ("SETOF " if retset else "") + spelled(rettype), arguments, f"{name}({arguments})"))
    relations = content.relations
    return {
        "keywords": (
            [("word", "VARCHAR"), ("catcode", "VARCHAR"), ("barelabel", "BOOLEAN"), ("catdesc", "VARCHAR"),
             ("baredesc", "VARCHAR")],
            keyword_rows(),
        ),
        "type_names": ([("oid", "UINTEGER"), ("typname", "VARCHAR"), ("sqlname", "VARCHAR")], names),
        "type_lookup": ([("name", "VARCHAR"), ("oid", "UINTEGER")], lookup),
        "index_defs": (
            [("oid", "UINTEGER"), ("def", "VARCHAR"), ("keys", "VARCHAR[]")],
            [(r.index_oid, r.index_definition, list(r.primary_key)) for r in relations if r.has_primary_key],
        ),
        "constraint_defs": (
            [("oid", "UINTEGER"), ("def", "VARCHAR")],
            [(r.constraint_oid, r.constraint_definition) for r in relations if r.has_primary_key],
        ),
        "view_defs": (
            [("oid", "UINTEGER"), ("def", "VARCHAR")],
            [(r.oid, r.view_definition) for r in relations if r.kind == "v"],
        ),
        "proc_signatures": (
            [("oid", "UINTEGER"), ("result", "VARCHAR"), ("arguments", "VARCHAR"), ("signature", "VARCHAR")],
            signatures,
        ),
    }  # fmt: skip


def _arrow(columns: Sequence[tuple[str, str]], rows: Sequence[tuple[object, ...]]) -> pa.Table:
    arrays = [pa.array([row[i] for row in rows], type=arrow_type(t)) for i, (_, t) in enumerate(columns)]
    return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])


def build_database(content: CatalogContent, providers: Sequence[Provider]) -> duckdb.DuckDBPyConnection:
    """Create, fill and lock the catalog database for ``content``."""
    con = duckdb.connect(":memory:", config=dict(_CONFIG))
    statements = [f"CREATE SCHEMA {s};" for s in (*STORAGE_SCHEMA.values(), SESSION_STORE, SESSION_MACROS, FUNCTIONS)]
    helpers = _helper_tables(content)
    for name, (columns, _) in helpers.items():
        statements.append(_ddl(f"{FUNCTIONS}.{name}", columns))
    stored = [p for p in providers if not p.always_empty]
    for provider in stored:
        statements.append(_ddl(stored_table(provider), [(c.name, c.duckdb_type) for c in provider.columns]))
    con.execute("\n".join(statements))
    for name, (columns, rows) in helpers.items():
        _load(con, f"{FUNCTIONS}.{name}", _arrow(columns, rows))
    for provider in stored:
        _load(con, stored_table(provider), provider.arrow(content))
    macros = list(MACROS)
    parameters = ", ".join(SESSION_PARAMETERS)
    for provider in stored:
        if provider.session_sql is not None:
            body = provider.session_sql.format(stored=stored_table(provider))
            macros.append(f"CREATE MACRO {session_macro(provider)}({parameters}) AS TABLE {body};")
    con.execute("\n".join(macros))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con
