"""Table references: PostgreSQL catalog names to our stored tables, and nothing else.

``pg_catalog.pg_class``, bare ``pg_class`` (pg_catalog is always searched first)
and ``information_schema.tables`` become our tables; a session-dependent table
becomes a call of its table macro with the session's values; an always-empty
table becomes an inline empty relation with its columns. Every other name is
PostgreSQL's ``relation "..." does not exist`` (42P01), which is how DuckDB's own
catalogs, files and the data product's source tables stay out of reach. Set-
returning functions in FROM (generate_series, unnest, _pg_expandarray,
pg_get_keywords) are rewritten here too.
"""

from __future__ import annotations

from functools import cache

import sqlglot.expressions as exp

from server.catalog.database import FUNCTIONS, SESSION_MACROS, STORAGE_SCHEMA
from server.catalog.providers import BY_SCHEMA, PROVIDERS, Provider
from server.catalog.translate.context import Context
from server.catalog.translate.functions import qf
from server.catalog.translate.names import identifier_name
from server.catalog.translate.session import session_arguments
from server.catalog.translate.temporary import with_temp_rows
from server.errors import FeatureNotSupported, UndefinedTable

PROVIDER_META = "quiver_provider"


@cache
def list_column_types() -> dict[str, str]:
    """Element DuckDB type of every list-valued catalog column, by column name."""
    types: dict[str, str] = {}
    for provider in PROVIDERS:
        for column in provider.columns:
            if column.duckdb_type.endswith("[]"):
                types.setdefault(column.name, column.duckdb_type[:-2])
    return types


@cache
def _empty_relation(provider: Provider) -> exp.Select:
    projections = [
        exp.alias_(
            exp.Cast(this=exp.Null(), to=exp.DataType.build(c.duckdb_type, dialect="duckdb")), c.name, quoted=True
        )
        for c in provider.columns
    ]
    return exp.select(*projections).where(exp.false())


def _alias(table: exp.Table, default: str) -> exp.TableAlias:
    alias = table.args.get("alias")
    if isinstance(alias, exp.TableAlias) and alias.this is not None:
        return alias.copy()
    columns = alias.columns if isinstance(alias, exp.TableAlias) else []
    return exp.TableAlias(this=exp.to_identifier(default), columns=[c.copy() for c in columns])


def provider_reference(provider: Provider, table: exp.Table, ctx: Context) -> exp.Expr:
    """What a query reads for ``provider`` (a stored table, a session macro call or an empty relation)."""
    alias = _alias(table, provider.name)
    if provider.always_empty:
        empty = exp.Subquery(this=_empty_relation(provider).copy(), alias=alias)
        empty.meta[PROVIDER_META] = provider
        return empty
    if provider.session_sql is not None:
        call = exp.Anonymous(this=provider.name, expressions=session_arguments(ctx))
        node = exp.Table(this=call, db=exp.to_identifier(SESSION_MACROS), alias=alias)
    else:
        schema = STORAGE_SCHEMA[provider.schema]
        node = exp.Table(this=exp.to_identifier(provider.name), db=exp.to_identifier(schema), alias=alias)
    node.meta[PROVIDER_META] = provider
    return with_temp_rows(provider, node, ctx)


def _function_table(table: exp.Table, ctx: Context) -> exp.Expr:
    function = table.this
    name = (
        "generate_series"
        if isinstance(function, exp.ExplodingGenerateSeries | exp.GenerateSeries)
        else str(function.this).lower()
        if isinstance(function, exp.Anonymous)
        else function.sql_name().lower()
    )
    args = list(function.expressions) if isinstance(function, exp.Anonymous) else []
    if isinstance(function, exp.Explode | exp.Unnest):
        values = [function.this] if isinstance(function, exp.Explode) else list(function.expressions)
        unnest = exp.Unnest(expressions=values, alias=_alias(table, "unnest"))
        return unnest
    if name == "generate_series":
        table.set("db", None)
        table.set("catalog", None)
        _name_single_column(table, "generate_series")
        return _integer_series(table, function)
    if name in ("generate_subscripts", "generate_subscripts_range") and args:
        if name == "generate_subscripts":
            lower, upper = exp.Literal.number(1), exp.Anonymous(this="len", expressions=[args[0]])
        else:
            lower, upper = args[0], args[1]
        series = exp.Table(this=exp.Anonymous(this="generate_series", expressions=[lower, upper]))
        series.set("alias", _alias(table, "generate_subscripts"))
        _name_single_column(series, "generate_subscripts")
        return series
    if name == "_pg_expandarray" and args:
        expanded = exp.alias_(exp.Explode(this=qf("_pg_expandarray", args[0])), "s")
        fields = [
            exp.alias_(exp.Anonymous(this="struct_extract", expressions=[exp.column("s"), exp.Literal.string(f)]), f)
            for f in ("x", "n")
        ]
        inner = exp.select(expanded).subquery("e")
        return exp.Subquery(this=exp.select(*fields).from_(inner), alias=_alias(table, "_pg_expandarray"))
    if name == "pg_get_keywords":
        keywords = exp.Table(this=exp.to_identifier("keywords"), db=exp.to_identifier(FUNCTIONS))
        keywords.set("alias", _alias(table, "pg_get_keywords"))
        return keywords
    if name == "pg_show_all_settings":
        return provider_reference(BY_SCHEMA["pg_catalog"]["pg_settings"], table, ctx)
    if name in ("pg_options_to_table", "pg_listening_channels", "pg_get_publication_tables"):
        columns = {"pg_options_to_table": ("option_name", "option_value")}.get(name, (name,))
        empty = exp.select(
            *(exp.alias_(exp.Cast(this=exp.Null(), to=exp.DataType.build("VARCHAR")), c) for c in columns)
        )
        return exp.Subquery(this=empty.where(exp.false()), alias=_alias(table, name))
    if isinstance(function, exp.Func):
        # A scalar function in FROM is a one-row relation whose column is named after the alias.
        alias = _alias(table, name)
        column = alias.columns[0].name if alias.columns else alias.name
        scalar = exp.Subquery(this=exp.select(exp.alias_(function.copy(), column, quoted=True)), alias=alias)
        return scalar
    raise UndefinedTable(f'relation "{table.sql(dialect="postgres")}" does not exist')


def _integer_series(table: exp.Table, function: exp.Expr) -> exp.Expr:
    """generate_series over integers: int4 in PostgreSQL, BIGINT in DuckDB, so cast its column."""
    args = [function.args.get(k) for k in ("start", "end", "step")] if not isinstance(function, exp.Anonymous) else []
    args = [a for a in (args or list(getattr(function, "expressions", []))) if a is not None]
    if any((isinstance(a, exp.Literal) and a.is_string) or isinstance(a, exp.Cast | exp.Interval) for a in args):
        return table
    alias = table.args["alias"]
    column = alias.columns[0].name
    inner = exp.Table(
        this=function.copy(), alias=exp.TableAlias(this=exp.to_identifier("s"), columns=[exp.to_identifier("v")])
    )
    select = exp.select(
        exp.alias_(exp.Cast(this=exp.column("v", "s"), to=exp.DataType.build("INT")), column, quoted=True)
    )
    series = exp.Subquery(this=select.from_(inner), alias=alias.copy())
    if table.args.get("joins"):
        series.set("joins", table.args["joins"])
    return series


def _name_single_column(table: exp.Table, default: str) -> None:
    """PostgreSQL names a scalar function's column after the table alias: ``generate_series(1, 3) s``."""
    alias = table.args.get("alias")
    if alias is None:
        table.set("alias", exp.TableAlias(this=exp.to_identifier(default), columns=[exp.to_identifier(default)]))
    elif not alias.columns and alias.this is not None:
        alias.set("columns", [alias.this.copy()])


def _resolve(table: exp.Table, ctx: Context, ctes: set[str]) -> exp.Expr | None:
    if not isinstance(table.this, exp.Identifier):
        return _function_table(table, ctx)
    name = identifier_name(table.this) or ""
    schema = identifier_name(table.args.get("db"))
    catalog = identifier_name(table.args.get("catalog"))
    written = ".".join(p for p in (catalog, schema, name) if p)
    if catalog is not None and catalog != ctx.database.lower() and catalog != ctx.database:
        raise FeatureNotSupported(f'cross-database references are not implemented: "{written}"')
    if schema is None and name in ctes:
        return None
    if schema is None:
        for candidate in ctx.search_path:
            provider = ctx.providers.get(candidate, {}).get(name)
            if provider is not None:
                return provider_reference(provider, table, ctx)
    elif schema in ctx.providers:
        provider = ctx.providers[schema].get(name)
        if provider is not None:
            return provider_reference(provider, table, ctx)
    if name in ctx.names.relations and schema in (None, "public"):
        raise FeatureNotSupported(
            f'catalog queries cannot read the data product relation "{name}"',
            hint="Query the relation on its own, or read its description from pg_catalog.",
        )
    raise UndefinedTable(f'relation "{written}" does not exist')


def _carry_joins(table: exp.Table, replacement: exp.Expr) -> exp.Expr:
    """sqlglot keeps ``(a JOIN b)`` as joins on table ``a``: a replacement must keep them."""
    joins = table.args.get("joins")
    if not joins:
        return replacement
    if "joins" not in type(replacement).arg_types:
        raise FeatureNotSupported("a set-returning function cannot start a parenthesized join here")
    replacement.set("joins", joins)
    return replacement


def tables(tree: exp.Expr, ctx: Context) -> exp.Expr:
    ctes = {identifier_name(cte.args["alias"].this) or "" for cte in tree.find_all(exp.CTE) if cte.args.get("alias")}
    for table in list(tree.find_all(exp.Table)):
        replacement = _resolve(table, ctx, ctes)
        if replacement is not None and replacement is not table:
            table.replace(_carry_joins(table, replacement))
    for unnest in tree.find_all(exp.Unnest):
        alias = unnest.args.get("alias")
        if isinstance(alias, exp.TableAlias) and alias.this is not None and not alias.columns:
            alias.set("columns", [alias.this.copy()])
    _system_columns(tree)
    return tree


# System columns every PostgreSQL table has, other than tableoid: constant on a read-only catalog.
# xmin is FrozenTransactionId, so "changed since" checks (DataGrip's age(xmin)) see old rows.
SYSTEM_COLUMNS: dict[str, tuple[str, str]] = {
    "xmin": ("2", "UINTEGER"),
    "xmax": ("0", "UINTEGER"),
    "cmin": ("0", "UINTEGER"),
    "cmax": ("0", "UINTEGER"),
    "ctid": ("'(0,1)'", "VARCHAR"),
}


def _system_columns(tree: exp.Expr) -> None:
    """``tableoid`` (the OID of the row's table) and the other system columns of catalog tables."""
    for column in list(tree.find_all(exp.Column)):
        name = column.name.lower()
        if name != "tableoid" and name not in SYSTEM_COLUMNS:
            continue
        select = column.find_ancestor(exp.Select)
        if select is None:
            continue
        sources = [s for s in select.find_all(exp.Table, exp.Subquery) if s.meta.get(PROVIDER_META) is not None]
        if column.table:
            sources = [s for s in sources if s.alias_or_name.lower() == column.table.lower()]
        if len(sources) != 1 or name in sources[0].meta[PROVIDER_META].column_names:
            continue
        if name == "tableoid":
            value, kind = str(sources[0].meta[PROVIDER_META].oid), "UINTEGER"
        else:
            value, kind = SYSTEM_COLUMNS[name]
        literal = exp.Literal.string(value.strip("'")) if value.startswith("'") else exp.Literal.number(value)
        column.replace(exp.Cast(this=literal, to=exp.DataType.build(kind, dialect="duckdb")))


__all__ = ["PROVIDER_META", "list_column_types", "provider_reference", "tables"]
