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

from server.catalog.database import FUNCTIONS, SESSION_MACROS, STORAGE_SCHEMA, SESSION_STORE
from server.catalog.providers import PROVIDERS, Provider
from server.catalog.translate.context import Context
from server.catalog.translate.functions import qf
from server.catalog.translate.names import identifier_name
from server.errors import FeatureNotSupported, UndefinedFunction, UndefinedTable

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


def _session_arguments(ctx: Context) -> list[exp.Expression]:
    settings = dict(ctx.session.settings)
    settings["search_path"] = ", ".join(ctx.session.search_path)
    settings["application_name"] = ctx.session.application_name
    settings.setdefault("is_superuser", "off")
    structs = [
        exp.Struct(
            expressions=[
                exp.PropertyEQ(this=exp.to_identifier("name"), expression=exp.Literal.string(name)),
                exp.PropertyEQ(this=exp.to_identifier("setting"), expression=exp.Literal.string(str(value))),
            ]
        )
        for name, value in settings.items()
    ]
    return [
        exp.Literal.string(ctx.user),
        exp.Literal.number(ctx.user_oid),
        exp.Literal.string(ctx.session.application_name),
        exp.Literal.number(ctx.session.backend_pid),
        exp.Array(expressions=structs),
    ]


def provider_reference(provider: Provider, table: exp.Table, ctx: Context) -> exp.Expression:
    """What a query reads for ``provider`` (a stored table, a session macro call or an empty relation)."""
    alias = _alias(table, provider.name)
    if provider.always_empty:
        return exp.Subquery(this=_empty_relation(provider).copy(), alias=alias)
    if provider.session_sql is not None:
        call = exp.Anonymous(this=provider.name, expressions=_session_arguments(ctx))
        node = exp.Table(this=call, db=exp.to_identifier(SESSION_MACROS), alias=alias)
    else:
        schema = STORAGE_SCHEMA[provider.schema]
        node = exp.Table(this=exp.to_identifier(provider.name), db=exp.to_identifier(schema), alias=alias)
    node.meta[PROVIDER_META] = provider
    return node


def _function_table(table: exp.Table, ctx: Context) -> exp.Expression:
    function = table.this
    name = (
        "generate_series"
        if isinstance(function, exp.ExplodingGenerateSeries | exp.GenerateSeries)
        else str(function.this).lower()
        if isinstance(function, exp.Anonymous)
        else function.sql_name().lower()
    )
    args = list(function.expressions) if isinstance(function, exp.Anonymous) else []
    if name == "generate_series":
        table.set("db", None)
        table.set("catalog", None)
        _name_single_column(table, "generate_series")
        return table
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
        unnest = exp.alias_(exp.Explode(this=qf("_pg_expandarray", args[0])), "s")
        fields = [
            exp.alias_(exp.Anonymous(this="struct_extract", expressions=[exp.column("s"), exp.Literal.string(f)]), f)
            for f in ("x", "n")
        ]
        inner = exp.select(unnest).subquery("e")
        return exp.Subquery(this=exp.select(*fields).from_(inner), alias=_alias(table, "_pg_expandarray"))
    if name == "pg_get_keywords":
        keywords = exp.Table(this=exp.to_identifier("keywords"), db=exp.to_identifier(FUNCTIONS))
        keywords.set("alias", _alias(table, "pg_get_keywords"))
        return keywords
    if name == "pg_show_all_settings":
        from server.catalog.providers import BY_SCHEMA

        return provider_reference(BY_SCHEMA["pg_catalog"]["pg_settings"], table, ctx)
    if name in ("pg_options_to_table", "pg_listening_channels", "pg_get_publication_tables"):
        columns = {"pg_options_to_table": ("option_name", "option_value")}.get(name, (name,))
        empty = exp.select(
            *(exp.alias_(exp.Cast(this=exp.Null(), to=exp.DataType.build("VARCHAR")), c) for c in columns)
        )
        return exp.Subquery(this=empty.where(exp.false()), alias=_alias(table, name))
    raise UndefinedFunction(f"function {name}() does not exist")


def _name_single_column(table: exp.Table, default: str) -> None:
    """PostgreSQL names a scalar function's column after the table alias: ``generate_series(1, 3) s``."""
    alias = table.args.get("alias")
    if alias is None:
        table.set("alias", exp.TableAlias(this=exp.to_identifier(default), columns=[exp.to_identifier(default)]))
    elif not alias.columns and alias.this is not None:
        alias.set("columns", [alias.this.copy()])


def _resolve(table: exp.Table, ctx: Context, ctes: set[str]) -> exp.Expression | None:
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


def tables(tree: exp.Expression, ctx: Context) -> exp.Expression:
    ctes = {identifier_name(cte.args["alias"].this) or "" for cte in tree.find_all(exp.CTE) if cte.args.get("alias")}
    for table in list(tree.find_all(exp.Table)):
        replacement = _resolve(table, ctx, ctes)
        if replacement is not None and replacement is not table:
            table.replace(replacement)
    for unnest in tree.find_all(exp.Unnest):
        alias = unnest.args.get("alias")
        if isinstance(alias, exp.TableAlias) and alias.this is not None and not alias.columns:
            alias.set("columns", [alias.this.copy()])
    return tree


__all__ = ["PROVIDER_META", "SESSION_STORE", "list_column_types", "provider_reference", "tables"]
