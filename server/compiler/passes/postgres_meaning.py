"""PostgreSQL's meaning of the client's operators (``order_count / 7`` truncates) on semantic statements.

The rules live in :mod:`server.sql.postgres_meaning`, shared with the catalog
route; this pass gives them what only the compiler knows: the types of the
semantic members a column names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import sqlglot.expressions as exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import traverse_scope

from server.compiler.passes.state import Compilation, Context, MemberTypes
from server.semantic.model import Measure, Relation
from server.semantic.spec import MeasureType
from server.sql.postgres_meaning import postgres_meaning
from server.sql.postgres_meaning.types import SqlType

# Measures whose values are certainly integers (PostgreSQL's bigint); a sum or a number may be either.
_INTEGER_MEASURES = {MeasureType.COUNT, MeasureType.COUNT_DISTINCT}


def postgres_operators(state: Compilation, ctx: Context) -> Compilation:
    """Rewrite PostgreSQL operators whose DuckDB meaning differs, typed by the members columns name.

    Why: a client writes PostgreSQL; ``order_count / 7`` is an integer in PostgreSQL and
    a double in DuckDB. Runs before any
    semantic SELECT is planned (the single-select fast path included), while member
    names are still visible: a column is typed when it is qualified by, or is in a
    scope with only, one model relation. Guarantees: only expressions whose operand
    types are certain change.
    """
    types: dict[int, SqlType] | None = None

    def column_type(column: exp.Column) -> SqlType | None:
        # Scopes are built only when a rule asks (the hot path divides nothing), and once,
        # on the tree as it was before any rule rewrote it.
        nonlocal types
        if types is None:
            types = _column_types(original, ctx.relations, ctx.member_types)
        return types.get(id(column))

    original = state.tree
    return replace(state, tree=postgres_meaning(state.tree, column_type))


def _column_types(
    tree: exp.Expr, relations: Mapping[str, Relation], member_types: MemberTypes | None
) -> dict[int, SqlType]:
    """The certain type of each column (by node identity) that names a member of a model relation.

    A member's type is the one the catalog reports for it (``member_types``), so a column
    divides as a client that read the catalog expects (``numeric`` exactly, ``int8``
    truncating); without it, only count measures are known (integers).
    """
    known: dict[int, SqlType] = {}
    reported: dict[str, Mapping[str, str]] = {}
    try:
        scopes = traverse_scope(tree)
    except SqlglotError:
        return known  # a tree sqlglot cannot scope: no type is known, later passes report what is wrong
    for scope in scopes:
        for column in scope.columns:
            sources = list(scope.sources.values())
            source = scope.sources.get(column.table) if column.table else sources[0] if len(sources) == 1 else None
            if not isinstance(source, exp.Table) or source.catalog or source.db not in ("", "public"):
                continue
            relation = relations.get(source.name)
            member = relation.members.get(column.name) if relation is not None else None
            if member is None:
                continue
            if member_types is not None and source.name not in reported:
                reported[source.name] = member_types(source.name)
            kind = _kind(reported.get(source.name, {}).get(member.name))
            if kind is None and isinstance(member.member, Measure) and member.member.type in _INTEGER_MEASURES:
                kind = SqlType.INTEGER
            if kind is not None:
                known[id(column)] = kind
    return known


def _kind(type_name: str | None) -> SqlType | None:
    """The arithmetic kind of a PostgreSQL type name as the catalog reports it, else None."""
    if type_name is None:
        return None
    base = type_name.split("(", 1)[0]
    return _KINDS.get(base)


_KINDS = {
    "numeric": SqlType.NUMERIC,
    "int2": SqlType.INTEGER,
    "int4": SqlType.INTEGER,
    "int8": SqlType.INTEGER,
    "float4": SqlType.FLOAT,
    "float8": SqlType.FLOAT,
}
