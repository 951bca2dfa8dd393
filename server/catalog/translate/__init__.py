"""PostgreSQL catalog SQL to DuckDB SQL over our tables, on the sqlglot tree (never on text).

The rewrites run in a fixed order, each a small pure function of (tree, context)
in its own module, in the style of sqlglot's transforms:

1. result column names are taken from the statement as written;
2. session functions (``current_user``, ``version()``...) become literals;
3. parameters, qualifiers, collations, operators, ANY/ALL (:mod:`.normalize`), then PostgreSQL's
   meaning of arithmetic such as ``7/2`` (:mod:`.meaning`), typed by the casts as written;
4. zero-based vectors (:mod:`.vectors`), casts and array literals (:mod:`.casts`);
5. table references (:mod:`.tables`), then function calls (:mod:`.functions`);
6. OIDs that print as names in the result (:mod:`.outputs`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlglot.expressions as exp

from server.catalog.translate import casts, functions, meaning, normalize, outputs, tables, templates, vectors
from server.catalog.translate.context import OUTPUT_TYPES_META, Context, Names
from server.catalog.translate.names import leftmost_select, output_names, output_sources
from server.errors import FeatureNotSupported, ReadOnlyTransaction
from server.sql.session_info import substitute_session_functions

Rewrite = Callable[[exp.Expr, Context], exp.Expr]

REWRITES: tuple[Rewrite, ...] = (
    normalize.parameters_to_null,
    normalize.null_projections,
    normalize.strip_qualifiers,
    normalize.operators,
    meaning.postgres_operators,  # reads the casts as the client wrote them
    vectors.vectors,
    casts.array_comparisons,
    casts.casts,
    normalize.any_all,
    tables.tables,
    functions.functions,
    templates.templates,
    outputs.outputs,
)


@dataclass(frozen=True)
class Translation:
    sql: str
    names: tuple[str | None, ...]  # result column names; None where a star expands
    sources: tuple[str | None, ...] = ()  # the catalog column each result column projects ("*" for a star)
    types: tuple[str | None, ...] = ()  # the PostgreSQL type a result column is described as, where decided


def _check_statement(tree: exp.Expr) -> None:
    if isinstance(tree, exp.Values):
        return
    if isinstance(tree, exp.Query):
        if tree.find(exp.Into) is not None or tree.find(exp.Lock) is not None:
            raise ReadOnlyTransaction("cannot execute SELECT INTO or SELECT FOR UPDATE in a read-only transaction")
        return
    if isinstance(tree, exp.Insert | exp.Update | exp.Delete | exp.Merge | exp.Create | exp.Drop | exp.Alter):
        raise ReadOnlyTransaction("cannot execute this statement in a read-only transaction")
    raise FeatureNotSupported("only SELECT statements can read the catalog")


def translate(tree: exp.Expr, ctx: Context) -> Translation:
    """The DuckDB SQL answering ``tree`` and the names of its result columns."""
    _check_statement(tree)
    tree = tree.copy()
    first = leftmost_select(tree)
    names = tuple(output_names(first)) if first is not None else ()
    if isinstance(tree, exp.Values) and tree.expressions:  # VALUES names its columns column1, column2...
        names = tuple(f"column{i}" for i in range(1, len(tree.expressions[0].expressions) + 1))
    sources = tuple(output_sources(first)) if first is not None else ()
    tree = substitute_session_functions(tree, ctx.session, copy=False)
    for rewrite in REWRITES:
        tree = rewrite(tree, ctx)
    types = tuple(tree.meta.get(OUTPUT_TYPES_META, ()))
    return Translation(tree.sql(dialect="duckdb"), names, sources, types)


__all__ = ["Context", "Names", "Translation", "translate"]
