"""Function calls: PostgreSQL's catalog functions to our macros, constants, or an error.

Every function a catalog query calls is one of: a macro in schema ``qf``
(``format_type``, ``pg_get_indexdef``...), a macro given the session's values
(``pg_table_is_visible`` gets the search path), a constant answer (privileges
are always granted on what the caller can see; nothing is ever in recovery), a
built-in that DuckDB computes as PostgreSQL does, or unknown: 42883, as
PostgreSQL says, never a DuckDB function by accident.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import cast

import sqlglot.expressions as exp

from server.catalog.providers import PROVIDERS
from server.catalog.translate.context import PG_TYPE_META, REG_META, REG_RESULTS, Context
from server.catalog.translate.session import session_settings
from server.catalog.translate.temporary import my_temp_schema
from server.errors import InvalidParameterValue, UndefinedFunction
from server.sql.lexical_settings import check_set_config
from server.sql.postgres_meaning.types import GENERATED

# PostgreSQL name -> our macro (same arguments).
MACROS: dict[str, str] = {
    name: name
    for name in (
        "format_type", "pg_get_expr", "pg_get_indexdef", "pg_get_constraintdef", "pg_get_viewdef",
        "pg_get_function_result", "pg_get_function_arguments", "obj_description", "col_description",
        "pg_encoding_to_char", "pg_char_to_encoding", "quote_ident", "quote_literal", "quote_nullable", "parse_ident",
        "current_setting", "array_lower", "array_upper", "array_length", "cardinality", "pg_size_pretty",
        "_pg_char_max_length", "_pg_char_octet_length", "_pg_numeric_precision", "_pg_numeric_precision_radix",
        "_pg_numeric_scale", "_pg_datetime_precision",
    )
} | {
    "pg_get_function_identity_arguments": "pg_get_function_arguments",
    "to_regclass": "regclass_in",
    "to_regtype": "regtype_in",
    "to_regproc": "regproc_in",
    "to_regprocedure": "regproc_in",
    "to_regnamespace": "regnamespace_in",
    "pg_indexam_has_property": "pg_indexam_has_property",
    "pg_index_has_property": "pg_index_has_property",
    "pg_index_column_has_property": "pg_index_column_has_property",
}  # fmt: skip

# Functions whose result PostgreSQL types as ``name`` (clients see OID 19, text on the wire).
NAME_RESULTS = frozenset({"pg_encoding_to_char"})

TRUE_FUNCTIONS = frozenset(
    {"has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege",
     "has_any_column_privilege", "has_function_privilege", "has_sequence_privilege", "has_tablespace_privilege",
     "has_type_privilege", "has_language_privilege", "has_foreign_data_wrapper_privilege",
     "has_server_privilege", "has_parameter_privilege", "pg_has_role", "pg_collation_is_visible",
     "pg_opclass_is_visible", "pg_opfamily_is_visible", "pg_operator_is_visible", "pg_conversion_is_visible",
     "pg_ts_config_is_visible", "pg_ts_dict_is_visible", "pg_ts_parser_is_visible", "pg_ts_template_is_visible",
     "pg_statistics_obj_is_visible"}
)  # fmt: skip
FALSE_FUNCTIONS = frozenset(
    {
        "pg_is_in_recovery",
        "pg_jit_available",
        "pg_relation_is_publishable",
        "pg_is_other_temp_schema",
        "pg_is_wal_replay_paused",
    }
)
NULL_TEXT_FUNCTIONS = frozenset(
    {"pg_get_partkeydef", "pg_get_serial_sequence", "pg_get_triggerdef", "pg_get_ruledef",
     "pg_get_statisticsobjdef_columns", "pg_get_statisticsobjdef", "pg_get_function_sqlbody",
     "shobj_description", "pg_get_publication_tables", "inet_server_addr", "inet_client_addr",
     "pg_get_functiondef", "pg_describe_object", "current_query"}
)  # fmt: skip
NULL_INTEGER_FUNCTIONS = frozenset({"inet_server_port", "inet_client_port", "txid_current_if_assigned"})
ZERO_FUNCTIONS = frozenset(
    {"pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size", "pg_database_size",
     "pg_tablespace_size", "pg_column_size", "pg_stat_get_numscans", "pg_stat_get_tuples_returned",
     "pg_stat_get_tuples_fetched", "pg_stat_get_live_tuples", "pg_stat_get_dead_tuples",
     "pg_stat_get_blocks_fetched", "pg_stat_get_blocks_hit"}
)  # fmt: skip
VISIBILITY_FUNCTIONS = frozenset({"pg_table_is_visible", "pg_type_is_visible", "pg_function_is_visible"})
NOW_FUNCTIONS = frozenset({"now", "clock_timestamp", "statement_timestamp", "transaction_timestamp"})
TRANSACTION_ID = 1000

# Functions DuckDB computes the way PostgreSQL does (beyond those sqlglot parses into typed nodes).
PASSTHROUGH = frozenset(
    {"octet_length", "to_hex", "md5", "reverse", "repeat", "ascii", "chr", "pi", "mod", "power", "sqrt", "exp",
     "ln", "log", "sign", "trunc", "div", "array_position", "array_prepend", "strpos", "lpad", "rpad",
     "list_contains", "len", "array_to_string", "generate_series", "unnest", "string_agg", "array_agg", "left",
     "right", "initcap", "translate", "bit_length", "char_length", "character_length", "regexp_replace",
     "split_part", "concat_ws", "format_type", "typeof", "struct_extract", "json_object", "to_char_placeholder",
     "get_current_timestamp", "row", "nullif", "coalesce", "greatest", "least", "lower", "upper", "length", "btrim",
     "ltrim", "rtrim", "replace", "substr", "position", "abs", "round", "floor", "ceil", "ceiling", "random"}
)  # fmt: skip

# Typed sqlglot functions that must never reach DuckDB from a catalog query.
FORBIDDEN_TYPED = ("Read", "Load", "Attach", "Install", "Export", "Import", "Copy", "Glob", "File")


def qf(name: str, *args: exp.Expr) -> exp.Expr:
    """A call of one of our macros, schema-qualified so DuckDB's built-ins never answer."""
    return exp.Dot(this=exp.to_identifier("qf"), expression=exp.Anonymous(this=name, expressions=list(args)))


def _text_list(values: tuple[str, ...]) -> exp.Expr:
    array = exp.Array(expressions=[exp.Literal.string(v) for v in values])
    return exp.Cast(this=array, to=exp.DataType.build("VARCHAR[]", dialect="duckdb"))


def _typed_null(duckdb_type: str) -> exp.Expr:
    return exp.Cast(this=exp.Null(), to=exp.DataType.build(duckdb_type, dialect="duckdb"))


def _is_ours(node: exp.Expr) -> bool:
    """A call we generated: a ``qf.`` macro, a session table macro in FROM, or a PostgreSQL-meaning rule's call."""
    if node.meta.get(GENERATED):
        return True
    parent = node.parent
    if isinstance(parent, exp.Table):
        return True
    return isinstance(parent, exp.Dot) and isinstance(parent.this, exp.Identifier) and parent.this.name == "qf"


def _row_name(node: exp.Expr) -> str | None:
    """The relation a whole-row argument names: ``a.*`` or ``a`` (``_pg_truetypid(a.*, t.*)``)."""
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Star) and node.table:
        return node.table
    if isinstance(node, exp.Column) and not node.table:
        return node.name
    return None


def _true_type(name: str, attribute: exp.Expr, pg_type: exp.Expr) -> exp.Expr | None:
    """information_schema's ``_pg_truetypid(pg_attribute, pg_type)`` / ``_pg_truetypmod``: a domain's base type
    (and its typmod), else the column's own, written out over the two rows' columns (Excel, Google Sheets)."""
    a, t = _row_name(attribute), _row_name(pg_type)
    if a is None or t is None:
        return None
    own, base = ("atttypid", "typbasetype") if name == "_pg_truetypid" else ("atttypmod", "typtypmod")
    is_domain = exp.EQ(this=exp.column("typtype", table=t), expression=exp.Literal.string("d"))
    return exp.Case(ifs=[exp.If(this=is_domain, true=exp.column(base, table=t))], default=exp.column(own, table=a))


def _anonymous(node: exp.Anonymous, ctx: Context) -> exp.Expr | None:
    name = str(node.this).lower()
    args = list(node.expressions)
    if name in ("_pg_truetypid", "_pg_truetypmod") and len(args) == 2:
        found = _true_type(name, args[0], args[1])
        if found is not None:
            return found
    if name == "current_setting" and args:
        return qf("current_setting", args[0], session_settings(ctx))
    if name in MACROS:
        call = qf(MACROS[name], *args)
        if name in REG_RESULTS:  # an OID that prints as a name: to_regtype('int4') is "integer"
            call.meta[REG_META] = REG_RESULTS[name]
        elif name in NAME_RESULTS:
            call.meta[PG_TYPE_META] = "name"
        return call
    if name in VISIBILITY_FUNCTIONS:
        return qf(name, *args[:1], _text_list(ctx.search_path))
    if name == "pg_get_userbyid":
        call = qf(name, *args[:1], exp.Literal.string(ctx.user), exp.Literal.number(ctx.user_oid))
        call.meta[PG_TYPE_META] = "name"  # PostgreSQL's pg_get_userbyid returns name
        return call
    if name == "to_regrole":
        call = qf("regrole_in", *args[:1], exp.Literal.string(ctx.user), exp.Literal.number(ctx.user_oid))
        call.meta[REG_META] = "regrole"
        return call
    if name in TRUE_FUNCTIONS:
        return exp.true()
    if name in FALSE_FUNCTIONS:
        return exp.false()
    if name in NULL_TEXT_FUNCTIONS:
        return _typed_null("VARCHAR")
    if name in NULL_INTEGER_FUNCTIONS:
        return _typed_null("BIGINT")
    if name in ZERO_FUNCTIONS:
        return exp.Cast(this=exp.Literal.number(0), to=exp.DataType.build("BIGINT"))
    if name in ("txid_current", "pg_current_xact_id"):
        return exp.Cast(this=exp.Literal.number(TRANSACTION_ID), to=exp.DataType.build("BIGINT"))
    if name == "pg_trigger_depth":
        return exp.Literal.number(0)
    if name == "pg_my_temp_schema":
        oid = exp.Literal.number(my_temp_schema(ctx))
        return exp.Cast(this=oid, to=exp.DataType.build("UINTEGER", dialect="duckdb"))
    if name == "pg_tablespace_location":
        return exp.Literal.string("")
    if name in ("pg_postmaster_start_time", "pg_conf_load_time"):
        stamp = exp.Literal.string(ctx.started_at.isoformat())
        return exp.Cast(this=stamp, to=exp.DataType.build("TIMESTAMPTZ", dialect="duckdb"))
    if name in NOW_FUNCTIONS:
        return exp.Anonymous(this="get_current_timestamp", expressions=[])
    if name == "set_config" and len(args) >= 2:
        check_set_config(args)  # standard_conforming_strings may not be turned off this way either (0A000)
        return exp.Cast(this=args[1], to=exp.DataType.build("VARCHAR"))
    if name == "pg_typeof" and args:
        return qf("pg_typeof_name", exp.Anonymous(this="typeof", expressions=args[:1]))
    if name in ("json_build_object", "jsonb_build_object"):
        return exp.Anonymous(this="json_object", expressions=args)
    if name == "generate_subscripts" and args:
        upper = exp.Anonymous(this="len", expressions=[args[0]])
        return _series(exp.Literal.number(1), upper)
    if name == "generate_subscripts_range" and len(args) == 2:
        return _series(args[0], args[1])
    if name == "_pg_expandarray" and args:
        return exp.Explode(this=qf("_pg_expandarray", args[0]))
    if name == "format" and args and isinstance(args[0], exp.Literal) and args[0].is_string:
        return format_call(args[0].this, args[1:])
    if name == "age" and len(args) == 1 and _is_xid(args[0]):
        age = exp.Sub(this=exp.Literal.number(TRANSACTION_ID), expression=exp.Cast(this=args[0], to=_BIGINT))
        return exp.Cast(this=exp.paren(age, copy=False), to=exp.DataType.build("INT"))
    if name in PASSTHROUGH:
        return None
    raise UndefinedFunction(
        f"function {name}() does not exist",
        hint="Catalog queries can call PostgreSQL's catalog functions and common built-ins only.",
    )


_BIGINT = exp.DataType.build("BIGINT")


@cache
def _xid_columns() -> frozenset[str]:
    return frozenset({"xmin", "xmax"} | {c.name for p in PROVIDERS for c in p.columns if c.pg_type in ("xid", "_xid")})


def _is_xid(node: exp.Expr) -> bool:
    """A transaction ID (``age(xid)``), as opposed to a timestamp (``age(timestamp)``)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        return node.name.lower() in _xid_columns()
    return isinstance(node, exp.Cast) and node.to.sql(dialect="duckdb") == "UINTEGER"


def _integer_series(args: list[exp.Expr]) -> bool:
    """generate_series over integers returns int4 in PostgreSQL (DuckDB: BIGINT); not over timestamps."""
    return not any((isinstance(a, exp.Literal) and a.is_string) or isinstance(a, exp.Cast | exp.Interval) for a in args)


def _series(lower: exp.Expr, upper: exp.Expr) -> exp.Expr:
    return exp.Explode(this=exp.Anonymous(this="generate_series", expressions=[lower, upper]))


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?([sIL%])")


def format_call(pattern: str, args: list[exp.Expr]) -> exp.Expr:
    """PostgreSQL's ``format('%I.%I', a, b)`` as a concatenation (``%s``, ``%I``, ``%L``, ``%%``, ``%n$s``)."""
    parts: list[exp.Expr] = []
    position, next_arg = 0, 0
    for match in _FORMAT_SPEC.finditer(pattern):
        if match.start() > position:
            parts.append(exp.Literal.string(pattern[position : match.start()]))
        position = match.end()
        kind = match.group(2)
        if kind == "%":
            parts.append(exp.Literal.string("%"))
            continue
        index = int(match.group(1)) - 1 if match.group(1) else next_arg
        next_arg = index + 1
        if index >= len(args):
            raise InvalidParameterValue("too few arguments for format()")
        value = exp.Cast(this=args[index], to=exp.DataType.build("VARCHAR"))
        if kind == "s":
            parts.append(exp.Coalesce(this=value, expressions=[exp.Literal.string("")]))
        elif kind == "I":
            parts.append(qf("quote_ident", value))
        else:
            parts.append(qf("quote_nullable", value))
    if position < len(pattern):
        parts.append(exp.Literal.string(pattern[position:]))
    if not parts:
        return exp.Literal.string("")
    result = parts[0]
    for part in parts[1:]:
        result = exp.DPipe(this=result, expression=part, safe=True)
    return result


def _typed(node: exp.Func, ctx: Context) -> exp.Expr | None:
    if isinstance(node, exp.Format):
        pattern = node.this
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise UndefinedFunction("format() with a computed format string is not supported in catalog queries")
        return format_call(pattern.this, list(node.expressions))
    if isinstance(node, exp.ArraySize):
        return qf("array_length", node.this, node.expression or exp.Literal.number(1))
    if isinstance(node, exp.Extract):
        unit = node.this.name.lower() if node.this is not None else ""
        scale = 6 if unit in ("epoch", "second", "seconds", "milliseconds", "microseconds", "julian") else 0
        return exp.Cast(this=node, to=exp.DataType.build(f"DECIMAL(38, {scale})", dialect="duckdb"))
    if isinstance(node, exp.ExplodingGenerateSeries | exp.GenerateSeries) and not isinstance(node.parent, exp.Cast):
        args = [a for a in (node.args.get("start"), node.args.get("end"), node.args.get("step")) if a is not None]
        if _integer_series(args) and not isinstance(node.parent, exp.Table):
            return exp.Cast(this=node, to=exp.DataType.build("INT"))
    if isinstance(node, exp.ArrayToString) and node.args.get("null") is not None:
        return qf("array_to_string", node.this, node.expression, node.args["null"])
    if isinstance(node, exp.CurrentTimestamp) and not node.this:
        return exp.Anonymous(this="get_current_timestamp", expressions=[])
    if type(node).__name__.startswith(FORBIDDEN_TYPED):
        raise UndefinedFunction(f"function {node.sql_name().lower()}() does not exist")
    return None


def functions(tree: exp.Expr, ctx: Context) -> exp.Expr:
    handlers: list[tuple[type[exp.Expr], Callable[..., exp.Expr | None]]] = [
        (exp.Anonymous, _anonymous),
        (exp.Func, _typed),
    ]
    # Innermost first: a call's arguments are rewritten before the call itself.
    for node in reversed(list(tree.find_all(exp.Func))):
        if _is_ours(node):
            continue
        for kind, handler in handlers:
            if isinstance(node, kind):
                # sqlglot types arg_key as optional; it is set whenever the node has a parent.
                parent, key, index = node.parent, cast(str, node.arg_key), node.index
                replacement = handler(node, ctx)
                if replacement is not None and parent is not None:
                    # Set on the recorded parent: a replacement may wrap ``node`` itself.
                    if index is None:
                        parent.set(key, replacement)
                    else:
                        parent.args[key][index] = replacement
                        replacement.parent, replacement.arg_key, replacement.index = parent, key, index
                elif replacement is not None:
                    tree = replacement
                break
    return tree
