"""Target engines as data: everything Quiver knows about writing SQL for one engine.

A :class:`Target` holds the sqlglot dialect, the functions the engine runs by
name, how it writes masks (its date bucket and its hashing primitives) and an
ordered tuple of small rewrites. Adding an engine is adding an entry to
:data:`TARGETS`, not an ``if`` in the renderer (the sqlglot way): nothing outside
this registry asks which engine it is.

Rendering never produces SQL the engine cannot run. A function the engine does
not have, a mask it cannot express, or a construct sqlglot cannot write in its
dialect (sqlglot is asked to raise, ``ErrorLevel.RAISE``, instead of warning) is
refused at compile time with 0A000 naming the construct and the target.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sqlglot.expressions as exp
from sqlglot.errors import ErrorLevel, UnsupportedError

from server.errors import FeatureNotSupported
from server.render.masks import (
    BIGQUERY_HASHING,
    DUCKDB_HASHING,
    MASK_RENDERINGS,
    POSTGRES_HASHING,
    SNOWFLAKE_HASHING,
    SPARK_HASHING,
    TRINO_HASHING,
    DateBucket,
    Hashing,
    MaskRendering,
    bigquery_bucket,
    date_trunc,
    postgres_bucket,
    time_bucket,
)
from server.semantic.policies import MaskFunction
from server.sql.functions import (
    BIGQUERY_FUNCTIONS,
    POSTGRES_FUNCTIONS,
    SNOWFLAKE_FUNCTIONS,
    SPARK_FUNCTIONS,
    TRINO_FUNCTIONS,
)
from server.sql.neutral import mask_function, mask_options, mask_value

Rewrite = Callable[[exp.Expr], exp.Expr]

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


def quote_reserved(tree: exp.Expr) -> exp.Expr:
    """Quote identifiers that are reserved words, so `order` stays a column in every engine."""
    for identifier in tree.find_all(exp.Identifier):
        if not identifier.quoted and identifier.name.lower() in RESERVED:
            identifier.set("quoted", True)
    return tree


def exact_count_distinct(tree: exp.Expr) -> exp.Expr:
    """For engines without approximate distinct counts: count exactly (slower, never wrong)."""

    def visit(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.ApproxDistinct):
            return exp.Count(this=exp.Distinct(expressions=[node.this]))
        return node

    return tree.transform(visit, copy=False)


@dataclass(frozen=True)
class Target:
    """One engine Quiver can generate SQL for.

    ``functions`` are the names the engine runs with Quiver's meaning (a part of
    :data:`server.sql.functions.ALLOWED`), or None for the engine whose meaning
    Quiver's SQL has (DuckDB): there every function the engine has means what the
    model says, callers are held to ``ALLOWED`` by the compiler (42883), and a
    model's own DuckDB function (``iff``, ``md5_number``) keeps working; ``masks`` every mask function it can
    express, written with its ``bucket_date`` and ``hashing``; ``rewrites`` run in
    order on the finished tree, just before sqlglot writes it in ``dialect``.
    """

    name: str
    dialect: str
    functions: frozenset[str] | None
    bucket_date: DateBucket
    hashing: Hashing
    masks: Mapping[MaskFunction, MaskRendering] = field(default_factory=lambda: MASK_RENDERINGS)
    rewrites: tuple[Rewrite, ...] = (quote_reserved,)
    description: str = ""

    def render(self, tree: exp.Expr, pretty: bool = True) -> str:
        """SQL text for ``tree``, which is rewritten in place: pass a tree built for this call.

        Raises :class:`FeatureNotSupported` (0A000) for anything this engine cannot run.
        """
        tree = self.render_masks(tree, self.check_functions(tree))
        for rewrite in self.rewrites:
            tree = rewrite(tree)
        try:
            return tree.sql(dialect=self.dialect, pretty=pretty, copy=False, unsupported_level=ErrorLevel.RAISE)
        except UnsupportedError as error:
            raise FeatureNotSupported(
                f"{_first_line(error)} (target {self.name})",
                hint=f"This statement cannot be written for {self.description or self.name}.",
            ) from None

    def check_functions(self, tree: exp.Expr) -> list[tuple[exp.Anonymous, str]]:
        """Refuse a function called by name that this engine lacks (sqlglot writes the typed ones).

        Returns the mask calls met on the way, outermost first (one walk serves both).
        """
        masks: list[tuple[exp.Anonymous, str]] = []
        for node in tree.find_all(exp.Anonymous):
            function = mask_function(node)
            if function is not None:
                masks.append((node, function))
                continue
            name = str(node.this)
            if self.functions is not None and name.lower() not in self.functions:
                raise FeatureNotSupported(
                    f"function {name}() is not supported by target {self.name}",
                    hint=f"{self.description or self.name} has no function {name}() with the same meaning.",
                )
        return masks

    def render_masks(self, tree: exp.Expr, masks: list[tuple[exp.Anonymous, str]]) -> exp.Expr:
        """Replace each neutral mask call of ``tree`` (found by :meth:`check_functions`) by this engine's SQL.

        Innermost first, so a rendering that copies its value copies a rendered one.
        """
        for node, function in reversed(masks):
            rendering = self.masks.get(MaskFunction(function))
            if rendering is None:
                raise FeatureNotSupported(f"mask {function} is not supported by target {self.name}")
            rendered = rendering(mask_value(node), mask_options(node), self)
            if node is tree:
                return rendered
            node.replace(rendered)
        return tree


def _first_line(error: UnsupportedError) -> str:
    """sqlglot's first complaint (it names the construct), without its trailing full stop."""
    return str(error).strip().splitlines()[0].rstrip(".")


TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        Target(
            "duckdb",
            "duckdb",
            None,
            time_bucket,
            DUCKDB_HASHING,
            description="DuckDB, embedded (the default engine)",
        ),
        Target(
            "postgres",
            "postgres",
            POSTGRES_FUNCTIONS,
            postgres_bucket,
            POSTGRES_HASHING,
            rewrites=(quote_reserved, exact_count_distinct),
            description="PostgreSQL 12 and later",
        ),
        Target("trino", "trino", TRINO_FUNCTIONS, date_trunc, TRINO_HASHING, description="Trino / Presto"),
        Target("spark", "spark", SPARK_FUNCTIONS, date_trunc, SPARK_HASHING, description="Spark SQL 3"),
        Target("snowflake", "snowflake", SNOWFLAKE_FUNCTIONS, date_trunc, SNOWFLAKE_HASHING, description="Snowflake"),
        Target(
            "bigquery", "bigquery", BIGQUERY_FUNCTIONS, bigquery_bucket, BIGQUERY_HASHING, description="Google BigQuery"
        ),
    )
}


def target(name: str) -> Target:
    """The registered target called ``name`` (0A000 naming the known ones otherwise)."""
    found = TARGETS.get(name.lower())
    if found is None:
        raise FeatureNotSupported(f'unknown SQL target "{name}"', hint="Targets: " + ", ".join(sorted(TARGETS)) + ".")
    return found
