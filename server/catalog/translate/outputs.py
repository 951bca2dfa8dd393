"""Result columns that PostgreSQL prints as names although they are OIDs.

A reg* value in the result (``SELECT c.oid::regclass``) and a regproc column
(``pg_type.typinput``, ``pg_am.amhandler``) print as names in PostgreSQL; we
store them as OIDs so joins work (Npgsql joins ``typreceive`` to ``pg_proc.oid``)
and convert them only where they leave the query: the projections of the
top-level SELECT (every branch of a UNION). ``SELECT *`` over such a table is
expanded so its regproc columns can be converted too.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.catalog.translate.casts import reg_output
from server.catalog.translate.context import OUTPUT_TYPES_META, PG_TYPE_META, REG_META, Context
from server.catalog.translate.tables import PROVIDER_META

REGPROC_COLUMNS = frozenset(
    {"typinput", "typoutput", "typreceive", "typsend", "typmodin", "typmodout", "typanalyze", "typsubscript",
     "amhandler", "prosupport", "rngcanonical", "rngsubdiff", "aggfnoid", "aggtransfn", "aggfinalfn",
     "oprcode", "oprrest", "oprjoin"}
)  # fmt: skip


def _branches(tree: exp.Expr) -> list[exp.Select]:
    node = tree
    while isinstance(node, exp.Subquery | exp.Paren):
        node = node.this
    if isinstance(node, exp.Select):
        return [node]
    if isinstance(node, exp.SetOperation):
        return _branches(node.this) + _branches(node.expression)
    return []


def _reg_aliases(tree: exp.Expr) -> dict[str, str]:
    """Aliases that name reg* values anywhere in the statement (``basetype::regtype AS bt``)."""
    found: dict[str, str] = {}
    for alias in tree.find_all(exp.Alias):
        kind = alias.this.meta.get(REG_META) if alias.this is not None else None
        if kind and alias.alias:
            found[alias.alias.lower()] = kind
    return found


# The reg* types a result column is described as (others print as names but are described as text).
_DESCRIBED = {"regclass": "regclass", "regtype": "regtype", "regtypearray": "regtype", "regproc": "regproc",
              "regprocedure": "regprocedure", "regnamespace": "regnamespace", "regrole": "regrole"}  # fmt: skip


def _described(kind: str) -> str | None:
    """The PostgreSQL type name a reg* result column is described as (``_regtype`` for an array)."""
    found = _DESCRIBED.get(kind.removesuffix("[]"))
    return None if found is None else ("_" + found if kind.endswith("[]") else found)


def _convert(
    expression: exp.Expr, ctx: Context, aliases: dict[str, str], explicit_only: bool = False
) -> tuple[exp.Expr, str | None] | None:
    """The name-printing form of a reg* result column, with the type it is described as."""
    kind = expression.meta.get(REG_META)
    if kind:
        return reg_output(expression, kind, ctx), _described(kind)
    if isinstance(expression, exp.Column):
        name = expression.name.lower()
        if name in REGPROC_COLUMNS:
            return reg_output(expression, "regproc", ctx), None
        if name in aliases:
            return reg_output(expression, aliases[name], ctx), _described(aliases[name])
    return None


def _has_regproc(provider: object) -> bool:
    return any(c.name in REGPROC_COLUMNS for c in getattr(provider, "columns", ()))


def _expand_star(select: exp.Select) -> None:
    """Stars over provider tables with regproc columns become column lists, so those columns can be converted.

    ``SELECT *`` is expanded when every source is a provider table; ``t.*`` (DBeaver's
    ``SELECT t.oid, t.*``) when ``t`` is one.
    """
    sources = [select.args["from_"].this] if select.args.get("from_") else []
    plain_joins = True
    for join in select.args.get("joins") or []:
        plain_joins = plain_joins and not (join.args.get("using") or join.args.get("method"))
        sources.append(join.this)
    providers = {s.alias_or_name.lower(): s.meta.get(PROVIDER_META) for s in sources}
    expanded: list[exp.Expr] = []
    for projection in select.expressions:
        if isinstance(projection, exp.Star) and plain_joins and sources:
            found = [(s.alias_or_name, s.meta.get(PROVIDER_META)) for s in sources]
            if all(p is not None for _, p in found) and any(_has_regproc(p) for _, p in found):
                for alias, provider in found:
                    expanded.extend(exp.column(c.name, table=alias, quoted=True) for c in provider.columns)
                continue
        if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star) and projection.table:
            provider = providers.get(projection.table.lower())
            if provider is not None and _has_regproc(provider):
                table = projection.table
                expanded.extend(exp.column(c.name, table=table, quoted=True) for c in provider.columns)
                continue
        expanded.append(projection)
    select.set("expressions", expanded)


def outputs(tree: exp.Expr, ctx: Context) -> exp.Expr:
    aliases = _reg_aliases(tree)
    for number, select in enumerate(_branches(tree)):
        _expand_star(select)
        projections = []
        types: list[str | None] = []
        for projection in select.expressions:
            target = projection.this if isinstance(projection, exp.Alias) else projection
            name = projection.alias_or_name or "?column?"
            converted = _convert(target, ctx, aliases)
            types.append(converted[1] if converted is not None else target.meta.get(PG_TYPE_META))
            replacement = converted[0] if converted is not None else None
            if replacement is None:
                projections.append(projection)
            elif isinstance(projection, exp.Alias):
                projection.set("this", replacement)
                projections.append(projection)
            else:
                projections.append(exp.alias_(replacement, name, quoted=True))
        select.set("expressions", projections)
        if number == 0 and any(types):  # the first branch names and types a UNION's columns
            tree.meta[OUTPUT_TYPES_META] = tuple(types)
    return tree
