"""Target engines as data: a sqlglot dialect plus an ordered tuple of small rewrites.

Adding an engine is adding an entry to :data:`TARGETS`, not an ``if`` in the
renderer (the sqlglot way). Each rewrite is a pure function from tree to tree,
applied in order after the plan is rendered and before SQL text is generated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlglot.expressions as exp

from server.errors import FeatureNotSupported

Rewrite = Callable[[exp.Expression], exp.Expression]

# PostgreSQL's reserved key words (SQL Key Words appendix, "reserved" in the PostgreSQL
# column): an identifier spelled like one must be quoted in every target.
# fmt: off
RESERVED = frozenset((
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary",
    "both", "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
    "except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having",
    "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading",
    "left", "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset",
    "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning",
    "right", "select", "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample",
    "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
    "where", "window", "with",
))
# fmt: on


def quote_reserved(tree: exp.Expression) -> exp.Expression:
    """Quote identifiers that are reserved words, so `order` stays a column in every engine."""
    for identifier in tree.find_all(exp.Identifier):
        if not identifier.quoted and identifier.name.lower() in RESERVED:
            identifier.set("quoted", True)
    return tree


def exact_count_distinct(tree: exp.Expression) -> exp.Expression:
    """For engines without approximate distinct counts: count exactly (slower, never wrong)."""

    def visit(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.ApproxDistinct):
            return exp.Count(this=exp.Distinct(expressions=[node.this]))
        return node

    return tree.transform(visit, copy=False)


@dataclass(frozen=True)
class Target:
    """One engine Quiver can generate SQL for."""

    name: str
    dialect: str
    rewrites: tuple[Rewrite, ...] = (quote_reserved,)
    description: str = ""

    def render(self, tree: exp.Expression, pretty: bool = True) -> str:
        """SQL text for ``tree``, which is rewritten in place: pass a tree built for this call."""
        for rewrite in self.rewrites:
            tree = rewrite(tree)
        return tree.sql(dialect=self.dialect, pretty=pretty, copy=False)


TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        Target("duckdb", "duckdb", description="DuckDB, embedded (the default engine)"),
        Target("postgres", "postgres", (quote_reserved, exact_count_distinct), "PostgreSQL 12 and later"),
        Target("trino", "trino", description="Trino / Presto"),
        Target("spark", "spark", description="Spark SQL 3"),
        Target("snowflake", "snowflake", description="Snowflake"),
        Target("bigquery", "bigquery", description="Google BigQuery"),
    )
}


def target(name: str) -> Target:
    found = TARGETS.get(name.lower())
    if found is None:
        raise FeatureNotSupported(f'unknown SQL target "{name}"', hint="Targets: " + ", ".join(sorted(TARGETS)) + ".")
    return found
