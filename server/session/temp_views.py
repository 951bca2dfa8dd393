"""A session's temporary views: CREATE TEMP VIEW, DROP VIEW, and reading one as the query it names.

A temporary view keeps SQL, never rows: a statement that reads it reads the view's
query in its place (a derived table with the view's name), so the reader's policies
apply when it runs, exactly as if the reader had written the query out. Ibis creates
one for every ad-hoc query to learn its columns, then drops it; the columns found when
the view is created are what the session's catalog shows (pg_class, pg_attribute).
Views and temporary tables share one namespace, as in PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
import sqlglot.expressions as exp

from server.errors import DuplicateObject, ReadOnlyTransaction, SqlState, UndefinedTable, WrongObjectType
from server.sql.pg_types import wire_type
from server.sql.session_info import TempRelationInfo

# Temporary relations get OIDs from a range the catalog's own OIDs never reach.
FIRST_TEMP_OID = 4_100_000_000
TEMP_SCHEMA = "pg_temp"


@dataclass(frozen=True)
class TempView:
    name: str
    sql: str  # the query, with the views it read already written out
    schema: pa.Schema  # its result columns when it was created, under the view's column names
    oid: int


def expand(tree: exp.Expr, views: Mapping[str, TempView], parse: Callable[[str], exp.Expr]) -> exp.Expr:
    """``tree`` with each reference to a view replaced by the view's query (a copy when anything changes)."""
    if not views:
        return tree
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = [
        table
        for table in tree.find_all(exp.Table)
        if isinstance(table.this, exp.Identifier)
        and table.name in views
        and table.name not in ctes
        and not table.args.get("catalog")
        and (not table.db or table.db.lower() == TEMP_SCHEMA)
    ]
    if not found:
        return tree
    tree = tree.copy()
    for table in list(tree.find_all(exp.Table)):
        if not any(table == original for original in found):
            continue
        view = views[table.name]
        alias = table.args.get("alias")
        columns = [exp.to_identifier(name) for name in view.schema.names]
        if isinstance(alias, exp.TableAlias) and alias.columns:
            columns = [c.copy() for c in alias.columns]
        name = alias.this.copy() if isinstance(alias, exp.TableAlias) and alias.this else exp.to_identifier(view.name)
        derived = exp.Subquery(this=parse(view.sql).copy(), alias=exp.TableAlias(this=name, columns=columns))
        if table is tree:
            return derived
        table.replace(derived)
    return tree


def relation_info(view: TempView) -> TempRelationInfo:
    """What the session's catalog shows of ``view``: its OID and its columns' PostgreSQL types."""
    columns = []
    for field in view.schema:
        wire = wire_type(field.type, field.metadata)
        columns.append((field.name, wire.oid, wire.modifier))
    return TempRelationInfo(view.name, view.oid, "v", tuple(columns))


def check_new(views: Mapping[str, TempView], tables: Collection[str], name: str, *, replace: bool) -> None:
    """42P07 for a name the session already uses (OR REPLACE may replace a view, never a table)."""
    if name in tables or (name in views and not replace):
        raise DuplicateObject(f'relation "{name}" already exists', SqlState.DUPLICATE_TABLE)


def new_view(
    views: MutableMapping[str, TempView], name: str, sql: str, schema: pa.Schema, columns: Sequence[str]
) -> TempView:
    """Keep the view ``name``; its column list, when given, renames the query's first columns."""
    names = list(schema.names)
    names[: len(columns)] = list(columns)
    schema = pa.schema([field.with_name(n) for field, n in zip(schema, names, strict=True)])
    used = {view.oid for view in views.values()}
    oid = next(o for o in range(FIRST_TEMP_OID, FIRST_TEMP_OID + len(used) + 2) if o not in used)
    view = TempView(name, sql, schema, oid)
    views[name] = view
    return view


def check_not_view(views: Mapping[str, TempView], names: Sequence[str]) -> None:
    """DROP TABLE of a temporary view: 42809, as PostgreSQL answers."""
    for name in names:
        if name in views:
            raise WrongObjectType(f'"{name}" is not a table', hint="Use DROP VIEW to remove a view.")


def drop(
    views: MutableMapping[str, TempView],
    names: Sequence[str],
    *,
    if_exists: bool,
    tables: Collection[str],
    governed: Collection[str],
) -> None:
    """DROP VIEW: the session's views go; a governed relation is read-only (25006); a table is 42809."""
    for name in names:
        if name not in views and name in tables:
            raise WrongObjectType(f'"{name}" is not a view', hint="Use DROP TABLE to remove a table.")
        if name not in views and name in governed:
            raise ReadOnlyTransaction("cannot execute DROP VIEW in a read-only transaction")
        if name not in views and not if_exists:
            raise UndefinedTable(f'view "{name}" does not exist')
    for name in names:
        views.pop(name, None)
