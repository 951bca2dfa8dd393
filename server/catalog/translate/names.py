"""Result column names as PostgreSQL chooses them (its FigureColname rules).

Clients read columns by name: asyncpg's records, JDBC's ``getString("nspname")``,
pandas' frames. PostgreSQL names an unaliased expression after its column
(``c.relname`` -> ``relname``), its function (``pg_catalog.format_type(...)`` ->
``format_type``), its cast's operand or type (``'x'::text`` -> ``text``), or
``?column?``; unquoted aliases fold to lower case. Names are computed on the
statement as written, before any rewrite, and applied to the result afterwards.
"""

from __future__ import annotations

import sqlglot.expressions as exp

UNKNOWN = "?column?"
NAMEDATALEN = 63

# sqlglot node types PostgreSQL names by a keyword of their own.
_KEYWORD_NAMES: dict[type[exp.Expression], str] = {
    exp.Case: "case",
    exp.If: "case",
    exp.Coalesce: "coalesce",
    exp.Nullif: "nullif",
    exp.Greatest: "greatest",
    exp.Least: "least",
    exp.Exists: "exists",
    exp.Array: "array",
    exp.CurrentDate: "current_date",
    exp.CurrentTime: "current_time",
    exp.CurrentTimestamp: "now",
    exp.CurrentUser: "current_user",
    exp.CurrentSchema: "current_schema",
    exp.CurrentSchemas: "current_schemas",
    exp.Extract: "extract",
    exp.Substring: "substring",
    exp.Trim: "btrim",
    exp.GroupConcat: "string_agg",
    exp.ArrayAgg: "array_agg",
    exp.Count: "count",
    exp.Sum: "sum",
    exp.Min: "min",
    exp.Max: "max",
    exp.Avg: "avg",
    exp.LogicalAnd: "bool_and",
    exp.LogicalOr: "bool_or",
    exp.RowNumber: "row_number",
    exp.Explode: "unnest",
    exp.Unnest: "unnest",
    exp.ExplodingGenerateSeries: "generate_series",
    exp.GenerateSeries: "generate_series",
    exp.ArrayToString: "array_to_string",
    exp.ArraySize: "array_length",
    exp.StrPosition: "position",
    exp.Lower: "lower",
    exp.Upper: "upper",
    exp.Length: "length",
    exp.Replace: "replace",
    exp.Concat: "concat",
    exp.Round: "round",
}

# Types named by PostgreSQL's internal names when a cast names the column.
_TYPE_NAMES: dict[exp.DataType.Type, str] = {
    exp.DataType.Type.INT: "int4",
    exp.DataType.Type.BIGINT: "int8",
    exp.DataType.Type.SMALLINT: "int2",
    exp.DataType.Type.BOOLEAN: "bool",
    exp.DataType.Type.FLOAT: "float4",
    exp.DataType.Type.DOUBLE: "float8",
    exp.DataType.Type.DECIMAL: "numeric",
    exp.DataType.Type.VARCHAR: "varchar",
    exp.DataType.Type.CHAR: "bpchar",
    exp.DataType.Type.TEXT: "text",
    exp.DataType.Type.NAME: "name",
    exp.DataType.Type.DATE: "date",
    exp.DataType.Type.TIMESTAMP: "timestamp",
    exp.DataType.Type.TIMESTAMPTZ: "timestamptz",
    exp.DataType.Type.JSON: "json",
    exp.DataType.Type.JSONB: "jsonb",
    exp.DataType.Type.INTERVAL: "interval",
}


def identifier_name(identifier: exp.Expression | str | None) -> str | None:
    """An identifier as PostgreSQL stores it: unquoted names fold to lower case."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return identifier.lower()
    if isinstance(identifier, exp.Identifier):
        return identifier.this if identifier.quoted else identifier.this.lower()
    return identifier.name.lower() or None


def type_name(to: exp.Expression) -> str:
    """PostgreSQL's name for a cast's target type (the last part of a qualified name)."""
    if isinstance(to, exp.DataType):
        if to.this == exp.DataType.Type.USERDEFINED:
            kind = to.args.get("kind")
            if isinstance(kind, exp.Dot):
                return identifier_name(kind.expression) or UNKNOWN
            return identifier_name(kind) or UNKNOWN
        if to.this == exp.DataType.Type.ARRAY:
            return "_" + type_name(to.expressions[0]) if to.expressions else "anyarray"
        return _TYPE_NAMES.get(to.this, to.this.value.lower())  # type: ignore[arg-type]
    if isinstance(to, exp.ObjectIdentifier):
        return to.name.lower()
    return to.name.lower() or UNKNOWN


def _strength_name(node: exp.Expression) -> str | None:
    """The name an expression gives its column, or None when it has none (PostgreSQL's strength 0)."""
    if isinstance(node, exp.Alias):
        return identifier_name(node.args.get("alias"))
    if isinstance(node, exp.Column):
        return identifier_name(node.this) if not isinstance(node.this, exp.Star) else None
    if isinstance(node, exp.Paren):
        return _strength_name(node.this)
    if isinstance(node, exp.Collate):
        return _strength_name(node.this)
    if isinstance(node, exp.Cast | exp.TryCast):
        return _strength_name(node.this) or type_name(node.to)
    if isinstance(node, exp.Bracket):
        return _strength_name(node.this)
    if isinstance(node, exp.Dot):
        if isinstance(node.this, exp.Identifier) and isinstance(node.expression, exp.Func):
            return _strength_name(node.expression)  # pg_catalog.func(...)
        return identifier_name(node.expression)  # (record).field
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select) and node.this.expressions:
        return _strength_name(node.this.expressions[0])
    if isinstance(node, exp.Window):
        return _strength_name(node.this)
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    for kind, name in _KEYWORD_NAMES.items():
        if isinstance(node, kind):
            return name
    if isinstance(node, exp.Func) and not isinstance(node, exp.Binary | exp.Connector):
        return node.sql_name().lower()
    return None


def output_name(node: exp.Expression) -> str:
    return (_strength_name(node) or UNKNOWN)[:NAMEDATALEN]


def output_names(select: exp.Expression) -> list[str | None]:
    """Names of a SELECT's result columns, None where a star expands (its names come from the tables)."""
    names: list[str | None] = []
    for projection in select.expressions:
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            names.append(None)
        else:
            names.append(output_name(projection))
    return names


def leftmost_select(tree: exp.Expression) -> exp.Select | None:
    """The SELECT whose projections name a statement's columns (the first branch of a set operation)."""
    node: exp.Expression | None = tree
    while node is not None:
        if isinstance(node, exp.Select):
            return node
        if isinstance(node, exp.SetOperation):
            node = node.this
        elif isinstance(node, exp.Subquery | exp.Paren):
            node = node.this
        else:
            return None
    return None
