"""Where a parsed statement is answered: the one routing decision, made for every channel alike.

Before this module the decision was taken twice (once to run, once to describe),
so a statement could be described by one path and run by another.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum

import sqlglot.expressions as exp

from server.execution.constants import constant_result
from server.execution.scratch import referenced_tables


class Route(StrEnum):
    """What answers a statement."""

    SESSION = "session"  # a session command (SET, BEGIN, FETCH...): the session answers it, no query runs
    CONSTANT = "constant"  # a SELECT of literals: answered without any engine
    CATALOG = "catalog"  # names no model relation: pg_catalog, information_schema, session functions
    TEMPORARY = "temporary"  # reads only the session's temporary tables
    SEMANTIC = "semantic"  # names a relation of the model: compiled, governed, run on the source


def names_relation(tree: exp.Expr, relations: Collection[str]) -> bool:
    """True when ``tree`` reads a model relation (unqualified or in ``public``, not shadowed by a CTE)."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if table.name in relations and table.name not in ctes and (not table.db or table.db == "public"):
            return True
    return False


def reads_only(tree: exp.Expr, tables: Collection[str]) -> bool:
    """True when every table ``tree`` reads is one of ``tables`` (and it reads at least one)."""
    if not tables:
        return False
    read = referenced_tables(tree)
    return bool(read) and read <= set(tables)


def route(tree: exp.Expr, relations: Collection[str], temp_tables: Mapping[str, object] | None = None) -> Route:
    """The route of a parsed query statement.

    ``relations`` are the model's relation names, ``temp_tables`` the session's
    temporary tables. A statement naming a model relation is semantic even when it
    also reads the catalog (the compiler then refuses what it cannot govern); one
    naming neither is the catalog's, which also answers session functions.
    """
    if constant_result(tree) is not None:
        return Route.CONSTANT
    if temp_tables and reads_only(tree, temp_tables):
        return Route.TEMPORARY  # a temporary table shadows a relation of the same name
    if names_relation(tree, relations):
        return Route.SEMANTIC
    return Route.CATALOG
