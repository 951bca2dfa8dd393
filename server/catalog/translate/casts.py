"""Casts: PostgreSQL's type names to DuckDB's, and the reg* types' double life as OID and name.

A reg* value (``'sales'::regclass``, ``c.oid::regclass``) is an OID that prints
as a name. It stays an OID (DuckDB ``UINTEGER``) wherever it is compared,
joined or sorted, and becomes a name where PostgreSQL would print it: when cast
to text, and when it is a column of the result (see :mod:`.outputs`). String
literals are resolved now, against the caller's catalog only; an unknown name is
PostgreSQL's error. Array literals (``'{0}'``, ``'1 2'::int2vector``) become lists.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.catalog.schema import DUCKDB_TYPES, ZERO_BASED_TYPES
from server.catalog.translate.context import REG_META, REG_RESULTS, Context
from server.catalog.translate.names import sqlglot_type, type_name
from server.catalog.translate.tables import list_column_types
from server.catalog.translate.vectors import META as VECTORS
from server.catalog.translate.vectors import is_vector
from server.errors import (
    FeatureNotSupported,
    InvalidTextRepresentation,
    UndefinedFunction,
    UndefinedObject,
    UndefinedTable,
)
from server.sql.pg_types import is_postgres_type

REG_TYPES = frozenset(
    {"regclass", "regtype", "regproc", "regprocedure", "regnamespace", "regrole", "regoper", "regoperator",
     "regconfig", "regdictionary", "regcollation", "regtypearray"}
)  # fmt: skip
TEXT_TYPES = frozenset({"text", "varchar", "name", "bpchar", "char", "character", "character varying", "string"})
OID_TYPES = frozenset({"oid", "xid", "cid", "xid8"})

# PostgreSQL types (by internal name) a cast may name, beyond the catalog column types.
_CAST_TYPES: dict[str, str] = {
    **DUCKDB_TYPES,
    "int": "INTEGER",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "bigint": "BIGINT",
    "real": "FLOAT",
    "double precision": "DOUBLE",
    "boolean": "BOOLEAN",
    "decimal": "DOUBLE",
    "date": "DATE",
    "time": "TIME",
    "timetz": "TIMETZ",
    "timestamp": "TIMESTAMP",
    "json": "JSON",
    "jsonb": "JSON",
    "uuid": "UUID",
    "regtype": "UINTEGER",
    "unknown": "VARCHAR",
    "int2vector": "SMALLINT[]",
    "oidvector": "UINTEGER[]",
    "cstring": "VARCHAR",
}


def pg_cast_type(to: exp.Expr) -> tuple[str, bool]:
    """(internal type name, is array) of a cast's target."""
    if isinstance(to, exp.DataType) and to.this == exp.DataType.Type.ARRAY and to.expressions:
        return type_name(to.expressions[0]), True
    name = type_name(to)
    if name.startswith("_"):
        return name[1:], True
    return name, False


def duckdb_type(to: exp.Expr, name: str, array: bool) -> exp.DataType:
    """The DuckDB type for a PostgreSQL cast target; numeric(p,s) and varchar(n) keep their parameters."""
    if name in REG_TYPES or name in OID_TYPES:
        base = "UINTEGER"
    elif name == "numeric" and isinstance(to, exp.DataType) and to.expressions and not array:
        return exp.DataType.build(f"DECIMAL({', '.join(e.sql() for e in to.expressions)})")
    elif name in TEXT_TYPES:
        base = "VARCHAR"
    else:
        base = _CAST_TYPES.get(name) or ""
        if not base:
            if not is_postgres_type(name):
                raise UndefinedObject(f'type "{name}" does not exist')
            raise FeatureNotSupported(f'casts to type "{name}" are not supported in catalog queries')
    return exp.DataType.build(base + ("[]" if array else ""), dialect="duckdb")


def _cast(node: exp.Expr, to: exp.DataType) -> exp.Expr:
    return exp.Cast(this=node, to=to)


def _qf(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Dot(this=exp.to_identifier("qf"), expression=exp.Anonymous(this=name, expressions=list(args)))


def _oid_literal(oid: int) -> exp.Expr:
    return _cast(exp.Literal.number(oid), exp.DataType.build("UINTEGER", dialect="duckdb"))


def _split_name(text: str) -> tuple[str | None, str]:
    """``public."Orders"`` -> ("public", "Orders"); unquoted parts fold to lower case."""
    parts: list[str] = []
    current, quoted, i = "", False, 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            if quoted and i + 1 < len(text) and text[i + 1] == '"':
                current += '"'
                i += 1
            else:
                quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch if quoted else ch.lower()
        i += 1
    parts.append(current)
    parts = [p.strip() if p == p.strip() else p for p in parts]
    return (parts[-2] if len(parts) > 1 else None), parts[-1]


def resolve_reg_literal(kind: str, text: str, ctx: Context) -> int:
    """The OID a reg* literal names, or PostgreSQL's error for an unknown name."""
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    if stripped == "-":
        return 0
    schema, name = _split_name(stripped)
    found: int | None
    if kind == "regclass":
        found = ctx.class_oid(schema, name)
        if found is None:
            raise UndefinedTable(f'relation "{stripped}" does not exist')
        return found
    if kind in ("regtype", "regtypearray"):
        key = type_key(stripped)
        found = ctx.names.types.get(key)
        if found is None and key.endswith("[]"):
            element = ctx.names.types.get(key[:-2])
            found = ctx.names.types.get("_" + key[:-2]) if element is not None else None
        if found is None:
            raise UndefinedObject(f'type "{stripped}" does not exist')
        return found
    if kind in ("regproc", "regprocedure"):
        found = ctx.names.procs.get(name.split("(")[0])
        if found is None:
            raise UndefinedFunction(f'function "{stripped}" does not exist')
        return found
    if kind == "regnamespace":
        found = ctx.namespace_oid(name)
        if found is None:
            raise UndefinedObject(f'schema "{stripped}" does not exist')
        return found
    if kind == "regrole":
        found = ctx.names.roles.get(name)
        if found is None and name == ctx.user:
            found = ctx.user_oid
        if found is None:
            raise UndefinedObject(f'role "{stripped}" does not exist')
        return found
    raise FeatureNotSupported(f"type {kind} is not supported in catalog queries")


_TYPE_SPELLINGS = {
    "float": "float8", "int": "int4", "character": "bpchar", "char": "bpchar", "dec": "numeric", "decimal": "numeric",
    "time without time zone": "time", "timestamp without time zone": "timestamp",
}  # fmt: skip


def type_key(text: str) -> str:
    """A type name as written (``varchar(10)``, ``pg_catalog.int4[]``, ``float(24)``) as a key of the type names.

    The type modifier does not change the type (``varchar(10)`` is ``character varying``), except
    that ``float(p)`` is ``real`` up to 24 binary digits, as in PostgreSQL.
    """
    key = " ".join(text.lower().removeprefix("pg_catalog.").split())
    array = key.endswith("[]")
    key = key.removesuffix("[]").strip()
    base, _, modifier = key.partition("(")
    base = base.strip()
    if base == "float" and modifier.rstrip(") ").strip().isdigit():
        base = "float4" if int(modifier.rstrip(") ").strip()) <= 24 else "float8"
    rest = modifier.partition(")")[2].strip()  # ``timestamp(3) with time zone``
    if rest:
        base = f"{base} {rest}"
    base = _TYPE_SPELLINGS.get(base, base)
    return base + ("[]" if array else "")


def _session_args(kind: str, ctx: Context) -> list[exp.Expr]:
    if kind == "regrole":
        return [exp.Literal.string(ctx.user), exp.Literal.number(ctx.user_oid)]
    return []


# The names of a list of reg* OIDs, in order (DuckDB lambdas cannot hold the subquery a name lookup is).
_ELEMENT_NAMES: exp.Expr = exp.maybe_parse(
    "(SELECT list(quiver_name ORDER BY quiver_index)"
    " FROM unnest(quiver_list) WITH ORDINALITY AS quiver_elements(quiver_element, quiver_index))",
    dialect="duckdb",
)


def reg_output(node: exp.Expr, kind: str, ctx: Context) -> exp.Expr:
    """The name a reg* OID prints as."""
    if kind.endswith("[]"):  # '{int4,text}'::regtype[]: each element prints as a name, in order
        names = reg_output(exp.column("quiver_element"), kind[:-2], ctx)
        listed: exp.Expr = _ELEMENT_NAMES.copy()
        for column in list(listed.find_all(exp.Column)):
            if column.name == "quiver_name":
                column.replace(names)
            elif column.name == "quiver_list":
                column.replace(node)
        return listed
    out = {"regtypearray": "regtype", "regoper": "regproc", "regoperator": "regproc"}.get(kind, kind)
    if out not in ("regclass", "regtype", "regproc", "regprocedure", "regnamespace", "regrole"):
        return _cast(node, exp.DataType.build("VARCHAR"))
    return _qf(f"{out}_out", node, *_session_args(out, ctx))


def _oid_expression(node: exp.Expr) -> bool:
    """Whether an expression is already an OID (an OID column, a number, an OID cast)."""
    inner = node
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if inner.meta.get(REG_META):
        return True
    if isinstance(inner, exp.Literal) and not inner.is_string:
        return True
    if isinstance(inner, exp.Cast) and sqlglot_type(inner.to) == "UINT":
        return True
    if isinstance(inner, exp.Column):
        name = inner.name.lower()
        return name == "oid" or name.endswith("oid") or name.endswith("relid") or name in _OID_COLUMNS
    return False


_OID_COLUMNS = frozenset(
    {"attrelid", "atttypid", "relnamespace", "reltype", "relowner", "typnamespace", "typelem", "typarray",
     "typbasetype", "typrelid", "indexrelid", "indrelid", "conrelid", "confrelid", "conindid", "contypid",
     "objoid", "classoid", "pronamespace", "prorettype", "adrelid", "inhrelid", "inhparent", "ev_class",
     "stxrelid", "polrelid", "tgrelid", "enumtypid", "rngtypid", "rngsubtype", "seqrelid", "partrelid",
     "datdba", "nspowner", "extnamespace", "collnamespace", "opcintype", "usesysid", "datid", "roleid"}
)  # fmt: skip


def _string_literal(node: exp.Expr) -> str | None:
    if isinstance(node, exp.Literal) and node.is_string:
        return node.name
    return None


def array_items(text: str) -> list[str | None]:
    """The elements of ``'{a,"b c",NULL}'`` (NULL for an unquoted NULL)."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise InvalidTextRepresentation(f'malformed array literal: "{text}"')
    inner = body[1:-1].strip()
    items = [item.strip() for item in inner.split(",")] if inner else []
    return [None if item.upper() == "NULL" else item.strip('"') for item in items]


def array_literal(text: str, element: exp.DataType, vector: bool = False) -> exp.Expr:
    """``'{1,2}'`` (or ``'1 2'`` for vectors) as a typed DuckDB list."""
    body = text.strip()
    if vector:
        items: list[str | None] = list(body.split())
    else:
        if not (body.startswith("{") and body.endswith("}")):
            raise InvalidTextRepresentation(f'malformed array literal: "{text}"')
        items = array_items(body)
    values = [exp.Null() if item is None or item.upper() == "NULL" else _cast(exp.Literal.string(item), element)
              for item in items]  # fmt: skip
    array = exp.Array(expressions=values)
    return _cast(array, exp.DataType.build(element.sql(dialect="duckdb") + "[]", dialect="duckdb"))


def _rewrite(cast: exp.Cast, ctx: Context, vectors: frozenset[str]) -> exp.Expr:
    name, array = pg_cast_type(cast.to)
    inner = cast.this
    text = _string_literal(inner)
    if name in REG_TYPES and array and text is not None:
        items = array_items(text)
        oids = [exp.Null() if item is None else _oid_literal(resolve_reg_literal(name, item, ctx)) for item in items]
        result = _cast(exp.Array(expressions=oids), exp.DataType.build("UINTEGER[]", dialect="duckdb"))
        result.meta[REG_META] = name + "[]"
        return result
    if name in REG_TYPES and not array:
        if text is not None:
            result = _oid_literal(resolve_reg_literal(name, text, ctx))
        elif isinstance(inner, exp.Null) or _oid_expression(inner):
            result = _cast(inner, exp.DataType.build("UINTEGER", dialect="duckdb"))
        else:
            function = {"regtypearray": "regtype", "regprocedure": "regproc"}.get(name, name)
            if function not in ("regclass", "regtype", "regproc", "regnamespace", "regrole"):
                raise FeatureNotSupported(f"casts to {name} are not supported in catalog queries")
            result = _qf(f"{function}_in", inner, *_session_args(function, ctx))
        result.meta[REG_META] = name
        return result
    if name in TEXT_TYPES and array and str(inner.meta.get(REG_META, "")).endswith("[]"):
        return reg_output(inner, inner.meta[REG_META], ctx)  # '{int4}'::regtype[]::text[] is {integer}
    if name in TEXT_TYPES and not array:
        kind = inner.meta.get(REG_META) or _reg_function_result(inner)
        if kind:
            return reg_output(inner, kind, ctx)
        if is_vector(inner, vectors):
            return exp.Anonymous(this="array_to_string", expressions=[inner, exp.Literal.string(" ")])
        return _cast(inner, exp.DataType.build("VARCHAR"))
    target = duckdb_type(cast.to, name, array)
    if text is not None and (array or name in ZERO_BASED_TYPES):
        element = exp.DataType.build(target.sql(dialect="duckdb").removesuffix("[]"), dialect="duckdb")
        return array_literal(text, element, vector=name in ZERO_BASED_TYPES)
    if name == "numeric" and not array and target.sql(dialect="duckdb") == "DOUBLE":
        return _cast(inner, _numeric_type(inner))
    return _cast(inner, target)


def _numeric_type(value: exp.Expr) -> exp.DataType:
    """An unconstrained numeric: exact for a literal (its own digits), else DECIMAL(38, 10)."""
    text = value.this if isinstance(value, exp.Literal) else None
    if text is not None:
        digits = text.strip().lstrip("+-")
        if digits.replace(".", "", 1).isdigit():
            whole, _, fraction = digits.partition(".")
            scale = len(fraction)
            precision = min(38, max(1, len(whole.lstrip("0")) + scale))
            if precision >= scale:
                return exp.DataType.build(f"DECIMAL({max(precision, scale, 1)}, {scale})", dialect="duckdb")
    return exp.DataType.build("DECIMAL(38, 10)", dialect="duckdb")


def casts(tree: exp.Expr, ctx: Context) -> exp.Expr:
    vectors = tree.meta.get(VECTORS, frozenset())
    # Innermost first, so ``x::regclass::text`` sees the regclass value it casts.
    for cast in reversed(list(tree.find_all(exp.Cast, exp.TryCast))):
        replacement = _rewrite(cast, ctx, vectors)
        if replacement is not cast:
            if cast is tree:
                return replacement
            cast.replace(replacement)
    return tree


def array_comparisons(tree: exp.Expr, ctx: Context) -> exp.Expr:
    """``pol.polroles = '{0}'``: a string literal compared with an array column becomes a list."""
    types = list_column_types()
    for node in list(tree.find_all(exp.EQ, exp.NEQ)):
        for column, literal in ((node.this, node.expression), (node.expression, node.this)):
            text = _string_literal(literal)
            if text is None or not isinstance(column, exp.Column):
                continue
            element = types.get(column.name.lower())
            if element is not None and text.strip().startswith("{"):
                literal.replace(array_literal(text, exp.DataType.build(element, dialect="duckdb")))
    return tree


def _reg_function_result(node: exp.Expr) -> str | None:
    """The reg* type a ``to_reg*`` call returns (not yet rewritten: functions run after casts), else None."""
    if isinstance(node, exp.Anonymous):
        return REG_RESULTS.get(str(node.this).lower())
    return None
