"""The session's temporary views in its catalog: rows of pg_class, pg_attribute and pg_namespace.

The stored catalog is shared by every session of a caller, so a session's own relations
are added where a statement reads those tables: the stored table becomes the stored rows
``UNION ALL`` the session's rows, each value cast to the column's type. PostgreSQL puts
temporary relations in a schema of the session's own (``pg_temp_N``, which
``pg_my_temp_schema()`` names once the session has one); so does Quiver.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import sqlglot.expressions as exp

from server.catalog.content import OWNER_OID
from server.catalog.providers import pg_attribute, pg_class
from server.catalog.providers.base import Provider
from server.catalog.translate.context import Context
from server.catalog.typeinfo import storage
from server.sql.pg_types import BY_OID
from server.sql.session_info import TempRelationInfo

TEMP_NAMESPACE_OID = 4_099_999_999
TEMP_NAMESPACE = "pg_temp_3"


def _class_rows(relations: Sequence[TempRelationInfo]) -> Iterable[tuple[object, ...]]:
    for relation in relations:
        row = list(pg_class._row(relation.oid, relation.name, TEMP_NAMESPACE_OID, relation.kind, len(relation.columns)))
        row[15] = "t"  # relpersistence: temporary
        yield tuple(row)


def _attribute_rows(relations: Sequence[TempRelationInfo]) -> Iterable[tuple[object, ...]]:
    for relation in relations:
        for attnum, (name, type_oid, modifier) in enumerate(relation.columns, start=1):
            element = BY_OID.get(type_oid)
            array = element is None
            base = element if element is not None else next(t for t in BY_OID.values() if t.array_oid == type_oid)
            s = storage(base, array)
            yield pg_attribute._row(
                relation.oid, name, type_oid, attnum, length=s.length, by_value=s.by_value, align=s.align,
                kind=s.storage, not_null=False, collation=s.collation, dims=1 if array else 0, modifier=modifier,
            )  # fmt: skip


def _namespace_rows(relations: Sequence[TempRelationInfo]) -> Iterable[tuple[object, ...]]:
    yield (TEMP_NAMESPACE_OID, TEMP_NAMESPACE, OWNER_OID, None)


_ROWS: dict[str, Callable[[Sequence[TempRelationInfo]], Iterable[tuple[object, ...]]]] = {
    "pg_class": _class_rows,
    "pg_attribute": _attribute_rows,
    "pg_namespace": _namespace_rows,
}


def my_temp_schema(ctx: Context) -> int:
    """``pg_my_temp_schema()``: 0 until the session has a temporary relation, as in PostgreSQL."""
    return TEMP_NAMESPACE_OID if ctx.session.temp_relations else 0


def _literal(value: object, duckdb_type: str) -> exp.Expr:
    if value is None:
        literal: exp.Expr = exp.Null()
    elif isinstance(value, bool):
        literal = exp.Boolean(this=value)
    elif isinstance(value, int | float):
        literal = exp.Literal.number(value)
    else:
        literal = exp.Literal.string(str(value))
    return exp.Cast(this=literal, to=exp.DataType.build(duckdb_type, dialect="duckdb"))


def with_temp_rows(provider: Provider, node: exp.Expr, ctx: Context) -> exp.Expr:
    """``node`` (a reference to ``provider``'s rows) with the session's temporary relations added."""
    relations = ctx.session.temp_relations
    make = _ROWS.get(provider.name) if provider.schema == "pg_catalog" else None
    if not relations or make is None or not isinstance(node, exp.Table):
        return node
    alias = node.args.get("alias")
    inner = node.copy()
    inner.set("alias", None)
    query: exp.Query = exp.select("*").from_(inner)
    for row in make(relations):
        values = [
            exp.alias_(_literal(value, column.duckdb_type), column.name, quoted=True)
            for value, column in zip(row, provider.columns, strict=True)
        ]
        query = exp.union(query, exp.select(*values), distinct=False)
    derived = exp.Subquery(this=query, alias=alias)
    derived.meta.update(node.meta)
    return derived
