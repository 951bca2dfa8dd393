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

from server.catalog.translate.casts import REG_META, reg_output
from server.catalog.translate.context import Context
from server.catalog.translate.tables import PROVIDER_META

REGPROC_COLUMNS = frozenset(
    {"typinput", "typoutput", "typreceive", "typsend", "typmodin", "typmodout", "typanalyze", "typsubscript",
     "amhandler", "prosupport", "rngcanonical", "rngsubdiff", "aggfnoid", "aggtransfn", "aggfinalfn",
     "oprcode", "oprrest", "oprjoin"}
)  # fmt: skip


def _branches(tree: exp.Expression) -> list[exp.Select]:
    node = tree
    while isinstance(node, exp.Subquery | exp.Paren):
        node = node.this
    if isinstance(node, exp.Select):
        return [node]
    if isinstance(node, exp.SetOperation):
        return _branches(node.this) + _branches(node.expression)
    return []


def _reg_aliases(tree: exp.Expression) -> dict[str, str]:
    """Aliases that name reg* values anywhere in the statement (``basetype::regtype AS bt``)."""
    found: dict[str, str] = {}
    for alias in tree.find_all(exp.Alias):
        kind = alias.this.meta.get(REG_META) if alias.this is not None else None
        if kind and alias.alias:
            found[alias.alias.lower()] = kind
    return found


def _convert(expression: exp.Expression, ctx: Context, aliases: dict[str, str]) -> exp.Expression | None:
    kind = expression.meta.get(REG_META)
    if kind:
        return reg_output(expression, kind, ctx)
    if isinstance(expression, exp.Column):
        name = expression.name.lower()
        if name in REGPROC_COLUMNS:
            return reg_output(expression, "regproc", ctx)
        if name in aliases:
            return reg_output(expression, aliases[name], ctx)
    return None


def _expand_star(select: exp.Select) -> None:
    """``SELECT *`` over provider tables only, when one of them has regproc columns."""
    if len(select.expressions) != 1 or not isinstance(select.expressions[0], exp.Star):
        return
    sources = [select.args["from_"].this] if select.args.get("from_") else []
    for join in select.args.get("joins") or []:
        if join.args.get("using") or join.args.get("method"):
            return
        sources.append(join.this)
    providers = [s.meta.get(PROVIDER_META) for s in sources]
    if not providers or any(p is None for p in providers):
        return
    if not any(c.name in REGPROC_COLUMNS for p in providers for c in p.columns):
        return
    columns = []
    for source, provider in zip(sources, providers, strict=True):
        for column in provider.columns:
            columns.append(exp.column(column.name, table=source.alias_or_name, quoted=True))
    select.set("expressions", columns)


def outputs(tree: exp.Expression, ctx: Context) -> exp.Expression:
    aliases = _reg_aliases(tree)
    for select in _branches(tree):
        _expand_star(select)
        for projection in select.expressions:
            target = projection.this if isinstance(projection, exp.Alias) else projection
            replacement = _convert(target, ctx, aliases)
            if replacement is None:
                continue
            if isinstance(projection, exp.Alias):
                projection.set("this", replacement)
            else:
                projection.replace(exp.alias_(replacement, target.alias_or_name or "?column?", quoted=True))
    return tree
