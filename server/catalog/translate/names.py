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
_KEYWORD_NAMES: dict[type[exp.Expr], str] = {
    exp.If: "case",
    exp.TimeToStr: "to_char",
    exp.StrToTime: "to_timestamp",
    exp.StrToDate: "to_date",
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
    exp.CurrentVersion: "version",
    exp.Extract: "extract",
    exp.Substring: "substring",
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

# Types named by PostgreSQL's internal names when a cast names the column (by sqlglot type name).
_TYPE_NAMES: dict[str, str] = {
    "INT": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "BOOLEAN": "bool",
    "FLOAT": "float4",
    "DOUBLE": "float8",
    "DECIMAL": "numeric",
    "VARCHAR": "varchar",
    "CHAR": "bpchar",
    "TEXT": "text",
    "NAME": "name",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPTZ": "timestamptz",
    "JSON": "json",
    "JSONB": "jsonb",
    "INTERVAL": "interval",
    "UINT": "oid",
    "VARBINARY": "bytea",
    "BINARY": "bytea",
    "BLOB": "bytea",
}


def sqlglot_type(to: exp.DataType) -> str:
    """The sqlglot type name of a DataType (its enum value, or the text some parsers leave)."""
    kind = to.this
    return str(getattr(kind, "name", kind)).upper()


def identifier_name(identifier: exp.Expr | str | None) -> str | None:
    """An identifier as PostgreSQL stores it: unquoted names fold to lower case."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return identifier.lower()
    if isinstance(identifier, exp.Identifier):
        return identifier.name if identifier.quoted else identifier.name.lower()
    return identifier.name.lower() or None


def type_name(to: exp.Expr) -> str:
    """PostgreSQL's name for a cast's target type (the last part of a qualified name)."""
    if isinstance(to, exp.DataType):
        name = sqlglot_type(to)
        if name == "USERDEFINED":
            kind = to.args.get("kind")
            if isinstance(kind, exp.Dot):
                return identifier_name(kind.expression) or UNKNOWN
            return identifier_name(kind) or UNKNOWN
        if name == "ARRAY":
            return "_" + type_name(to.expressions[0]) if to.expressions else "anyarray"
        return _TYPE_NAMES.get(name, name.lower())
    if isinstance(to, exp.ObjectIdentifier):
        return to.name.lower()
    return to.name.lower() or UNKNOWN


def _cast_label(to: exp.Expr) -> str:
    """The column name a cast gives: an array type is labelled by its element (``x::text[]`` is "text").

    The parser spells ``::regtype[]`` as ``_regtype``, so those are labelled by the element too.
    """
    name = type_name(to)
    if isinstance(to, exp.DataType) and sqlglot_type(to) == "ARRAY" and to.expressions:
        return type_name(to.expressions[0])
    return name[1:] if name.startswith("_reg") else name


def _named(node: exp.Expr) -> tuple[str | None, int]:
    """(name, strength) an expression gives its column: 2 for a real name, 1 for a fallback, 0 for none."""
    if isinstance(node, exp.Alias):
        return identifier_name(node.args.get("alias")), 2
    if isinstance(node, exp.Column):
        return (None, 0) if isinstance(node.this, exp.Star) else (identifier_name(node.this), 2)
    if isinstance(node, exp.Paren | exp.Collate | exp.Bracket | exp.Window):
        return _named(node.this)
    if isinstance(node, exp.Cast | exp.TryCast):
        name, strength = _named(node.this)
        return (name, strength) if strength > 1 else (_cast_label(node.to), 1)
    if isinstance(node, exp.Interval):
        return "interval", 1  # interval '1 day' is named like the cast it is
    if isinstance(node, exp.Case):
        default = node.args.get("default")
        name, strength = _named(default) if default is not None else (None, 0)
        return (name, strength) if strength > 1 else ("case", 1)
    if isinstance(node, exp.Trim):
        position = str(node.args.get("position") or "").upper()
        return {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(position, "btrim"), 2
    if isinstance(node, exp.Dot):
        if isinstance(node.this, exp.Identifier) and isinstance(node.expression, exp.Func):
            return _named(node.expression)  # pg_catalog.func(...)
        return identifier_name(node.expression), 2  # (record).field
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select) and node.this.expressions:
        return _named(node.this.expressions[0])
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower(), 2
    for kind, name in _KEYWORD_NAMES.items():
        if isinstance(node, kind):
            return name, 2
    if isinstance(node, exp.Func) and not isinstance(node, exp.Binary | exp.Connector):
        return node.sql_name().lower(), 2
    return None, 0


def output_name(node: exp.Expr) -> str:
    return (_named(node)[0] or UNKNOWN)[:NAMEDATALEN]


def output_names(select: exp.Expr) -> list[str | None]:
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


def output_sources(select: exp.Expr) -> list[str | None]:
    """For each result column, the catalog column it projects unchanged (``c.relkind AS "Type"``), if any.

    A star is ``"*"``: its columns are the tables' own. The wire layer learns from these
    which result columns have PostgreSQL's ``name`` and ``"char"`` types.
    """
    sources: list[str | None] = []
    for projection in select.expressions:
        target = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(target, exp.Star) or (isinstance(target, exp.Column) and isinstance(target.this, exp.Star)):
            sources.append("*")
        elif isinstance(target, exp.Column):
            sources.append(target.name.lower())
        elif isinstance(target, exp.Case):
            sources.append(_case_source(target))
        elif isinstance(target, exp.Subquery):
            sources.append(_scalar_source(target))
        else:
            sources.append(None)
    return sources


def _scalar_source(subquery: exp.Subquery) -> str | None:
    """``(SELECT c.collname FROM ...)`` has the type of the one column it projects."""
    inner = subquery.this
    if isinstance(inner, exp.Select) and len(inner.expressions) == 1:
        found = output_sources(inner)[0]
        return None if found == "*" else found
    return None


def _case_source(case: exp.Case) -> str | None:
    """``CASE ... THEN 'a' ELSE t.typtype END`` has its column's type (string literals adapt to it)."""
    results = [branch.args.get("true") for branch in case.args.get("ifs") or []] + [case.args.get("default")]
    names = {r.name.lower() for r in results if isinstance(r, exp.Column)}
    others = [r for r in results if r is not None and not isinstance(r, exp.Column)]
    if len(names) == 1 and all(isinstance(r, exp.Literal) and r.is_string for r in others):
        return names.pop()
    return None


def leftmost_select(tree: exp.Expr) -> exp.Select | None:
    """The SELECT whose projections name a statement's columns (the first branch of a set operation)."""
    node: exp.Expr | None = tree
    while node is not None:
        if isinstance(node, exp.Select):
            return node
        if isinstance(node, exp.SetOperation | exp.Subquery | exp.Paren):
            node = node.this
        else:
            return None
    return None
