"""Flight SQL's metadata commands, answered from what the caller may see, with the specification's schemas.

The ADBC Flight SQL driver checks these schemas field by field (names, types,
nullability), so they are written out here exactly as FlightSql.proto declares
them. Relations are tables (``TABLE``) and views (``VIEW``) of one catalog (the
database name clients connect to) and one schema, ``public``, as on the
PostgreSQL wire protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from server.errors import ProgramLimitExceeded
from server.semantic.model import MemberKind, Relation, RelationKind

SCHEMA_NAME = "public"
MAX_PATTERN_BYTES = 1024
TABLE_TYPES = ("TABLE", "VIEW")

CATALOGS_SCHEMA = pa.schema([pa.field("catalog_name", pa.utf8(), nullable=False)])
DB_SCHEMAS_SCHEMA = pa.schema([pa.field("catalog_name", pa.utf8()), pa.field("db_schema_name", pa.utf8(), False)])
TABLES_SCHEMA = pa.schema(
    [
        pa.field("catalog_name", pa.utf8()),
        pa.field("db_schema_name", pa.utf8()),
        pa.field("table_name", pa.utf8(), False),
        pa.field("table_type", pa.utf8(), False),
    ]
)
TABLES_WITH_SCHEMA_SCHEMA = TABLES_SCHEMA.append(pa.field("table_schema", pa.binary(), False))
TABLE_TYPES_SCHEMA = pa.schema([pa.field("table_type", pa.utf8(), False)])
PRIMARY_KEYS_SCHEMA = pa.schema(
    [
        pa.field("catalog_name", pa.utf8()),
        pa.field("db_schema_name", pa.utf8()),
        pa.field("table_name", pa.utf8(), False),
        pa.field("column_name", pa.utf8(), False),
        pa.field("key_sequence", pa.int32(), False),
        pa.field("key_name", pa.utf8()),
    ]
)
KEYS_SCHEMA = pa.schema(
    [
        pa.field("pk_catalog_name", pa.utf8()),
        pa.field("pk_db_schema_name", pa.utf8()),
        pa.field("pk_table_name", pa.utf8(), False),
        pa.field("pk_column_name", pa.utf8(), False),
        pa.field("fk_catalog_name", pa.utf8()),
        pa.field("fk_db_schema_name", pa.utf8()),
        pa.field("fk_table_name", pa.utf8(), False),
        pa.field("fk_column_name", pa.utf8(), False),
        pa.field("key_sequence", pa.int32(), False),
        pa.field("fk_key_name", pa.utf8()),
        pa.field("pk_key_name", pa.utf8()),
        pa.field("update_rule", pa.uint8(), False),
        pa.field("delete_rule", pa.uint8(), False),
    ]
)
XDBC_TYPE_INFO_SCHEMA = pa.schema(
    [
        pa.field("type_name", pa.utf8(), False),
        pa.field("data_type", pa.int32(), False),
        pa.field("column_size", pa.int32()),
        pa.field("literal_prefix", pa.utf8()),
        pa.field("literal_suffix", pa.utf8()),
        pa.field("create_params", pa.list_(pa.field("item", pa.utf8(), False))),
        pa.field("nullable", pa.int32(), False),
        pa.field("case_sensitive", pa.bool_(), False),
        pa.field("searchable", pa.int32(), False),
        pa.field("unsigned_attribute", pa.bool_()),
        pa.field("fixed_prec_scale", pa.bool_(), False),
        pa.field("auto_increment", pa.bool_()),
        pa.field("local_type_name", pa.utf8()),
        pa.field("minimum_scale", pa.int32()),
        pa.field("maximum_scale", pa.int32()),
        pa.field("sql_data_type", pa.int32(), False),
        pa.field("datetime_subcode", pa.int32()),
        pa.field("num_prec_radix", pa.int32()),
        pa.field("interval_precision", pa.int32()),
    ]
)
SQL_INFO_VALUE = pa.dense_union(
    [
        pa.field("string_value", pa.utf8(), False),
        pa.field("bool_value", pa.bool_(), False),
        pa.field("bigint_value", pa.int64(), False),
        pa.field("int32_bitmask", pa.int32(), False),
        pa.field("string_list", pa.list_(pa.utf8()), False),
        pa.field("int32_to_int32_list_map", pa.map_(pa.int32(), pa.list_(pa.int32())), False),
    ]
)
SQL_INFO_SCHEMA = pa.schema([pa.field("info_name", pa.uint32(), False), pa.field("value", SQL_INFO_VALUE, False)])

# XDBC (ODBC/JDBC) type codes, from FlightSql.proto's XdbcDataType.
XDBC_VARCHAR, XDBC_BIGINT, XDBC_INTEGER, XDBC_DOUBLE, XDBC_DECIMAL = 12, -5, 4, 8, 3
XDBC_BIT, XDBC_DATE, XDBC_TIMESTAMP, XDBC_DATETIME, XDBC_VARBINARY = -7, 91, 93, 9, -3
SEARCHABLE_FULL = 3
NULLABLE = 1


def like(pattern: str | None) -> Callable[[str], bool]:
    """A SQL LIKE pattern (``%``, ``_``, ``\\`` escapes) as a predicate; None matches everything.

    Patterns come from clients (ListFlights criteria, GetTables filters), so they are
    capped at :data:`MAX_PATTERN_BYTES` (54000 beyond) and matched without a regular
    expression: a backtracking engine takes exponential time on ``%a%a%a...%b``, this
    matcher at most ``len(pattern) * len(value)`` steps.
    """
    if pattern is None:
        return lambda _: True
    size = len(pattern.encode("utf-8", "surrogatepass"))
    if size > MAX_PATTERN_BYTES:
        raise ProgramLimitExceeded(
            f"name pattern is too long ({size:,} bytes; at most {MAX_PATTERN_BYTES:,})",
            hint="Relation names are short: use a shorter LIKE pattern.",
        )
    segments = _like_segments(pattern)
    return lambda value: _like_matches(segments, value)


# A LIKE pattern as the runs of characters between its ``%``: each run a tuple of
# characters, None standing for ``_`` (any one character).
Segment = tuple[str | None, ...]


def _like_segments(pattern: str) -> list[Segment]:
    segments: list[Segment] = []
    current: list[str | None] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            current.append(pattern[i + 1])
            i += 2
            continue
        if char == "%":
            segments.append(tuple(current))
            current = []
        else:
            current.append(None if char == "_" else char)
        i += 1
    segments.append(tuple(current))
    return segments


def _fits(segment: Segment, value: str, start: int) -> bool:
    return all(c is None or c == value[start + k] for k, c in enumerate(segment))


def _like_matches(segments: list[Segment], value: str) -> bool:
    """Whether ``value`` matches: the first run anchored at the start, the last at the end, and
    each run between placed at its leftmost fit after the previous one (leftmost is never worse
    when every gap is a ``%``), so no choice is ever revisited."""
    if len(segments) == 1:
        (only,) = segments
        return len(only) == len(value) and _fits(only, value, 0)
    first, *middle, last = segments
    if len(first) + len(last) > len(value) or not _fits(first, value, 0):
        return False
    end = len(value) - len(last)
    if not _fits(last, value, end):
        return False
    position = len(first)
    for segment in middle:
        while position + len(segment) <= end and not _fits(segment, value, position):
            position += 1
        if position + len(segment) > end:
            return False
        position += len(segment)
    return True


def catalogs(database: str) -> pa.Table:
    return pa.table([pa.array([database], pa.utf8())], schema=CATALOGS_SCHEMA)


def db_schemas(database: str, catalog: str | None, pattern: str | None) -> pa.Table:
    rows = [(database, SCHEMA_NAME)] if _catalog_matches(database, catalog) and like(pattern)(SCHEMA_NAME) else []
    return _table(DB_SCHEMAS_SCHEMA, rows)


def tables(
    database: str,
    relations: Mapping[str, Relation],
    *,
    catalog: str | None,
    schema_pattern: str | None,
    table_pattern: str | None,
    table_types: Sequence[str],
    arrow_schema: Callable[[Relation], pa.Schema] | None,
) -> pa.Table:
    """CommandGetTables; with ``arrow_schema`` (include_schema), each row carries its IPC-serialised schema."""
    if not _catalog_matches(database, catalog) or not like(schema_pattern)(SCHEMA_NAME):
        relations = {}
    wanted = {t.upper() for t in table_types}
    matches = like(table_pattern)
    rows: list[tuple[Any, ...]] = []
    for name in sorted(relations):
        relation = relations[name]
        kind = "TABLE" if relation.kind is RelationKind.TABLE else "VIEW"
        if not matches(name) or (wanted and kind not in wanted):
            continue
        row: tuple[Any, ...] = (database, SCHEMA_NAME, name, kind)
        if arrow_schema is not None:
            row = (*row, arrow_schema(relation).serialize().to_pybytes())
        rows.append(row)
    return _table(TABLES_WITH_SCHEMA_SCHEMA if arrow_schema is not None else TABLES_SCHEMA, rows)


def table_types() -> pa.Table:
    return _table(TABLE_TYPES_SCHEMA, [(t,) for t in TABLE_TYPES])


def primary_keys(
    database: str, relations: Mapping[str, Relation], catalog: str | None, schema: str | None, table: str
) -> pa.Table:
    relation = relations.get(table)
    rows = []
    wanted = _catalog_matches(database, catalog) and schema in (None, SCHEMA_NAME)
    if relation is not None and wanted and relation.kind is RelationKind.TABLE:
        keys = [
            m.name
            for m in relation.public_members()
            if m.kind is MemberKind.DIMENSION and getattr(m.member, "primary_key", False)
        ]
        rows = [(database, SCHEMA_NAME, table, key, i, f"{table}_pkey") for i, key in enumerate(keys, start=1)]
    return _table(PRIMARY_KEYS_SCHEMA, rows)


def no_keys() -> pa.Table:
    """Imported/exported keys and cross references: relations declare joins, not foreign keys."""
    return KEYS_SCHEMA.empty_table()


def _xdbc_rows() -> list[tuple[Any, ...]]:
    def row(
        name: str,
        code: int,
        size: int | None,
        prefix: str | None = None,
        fixed: bool = False,
        scale: tuple[int | None, int | None] = (None, None),
        radix: int | None = None,
        params: list[str] | None = None,
        subcode: int | None = None,
        sql_code: int | None = None,
        unsigned: bool | None = None,
    ) -> tuple[Any, ...]:
        """One row in the schema's column order (literal prefix and suffix are the same quote)."""
        case_sensitive = code == XDBC_VARCHAR
        sql_type = sql_code if sql_code is not None else code
        return (
            *(name, code, size, prefix, prefix, params, NULLABLE, case_sensitive, SEARCHABLE_FULL, unsigned),
            *(fixed, False, name, scale[0], scale[1], sql_type, subcode, radix, None),
        )

    return [
        row("boolean", XDBC_BIT, 1),
        row("bigint", XDBC_BIGINT, 19, radix=10, unsigned=False),
        row("integer", XDBC_INTEGER, 10, radix=10, unsigned=False),
        row("double precision", XDBC_DOUBLE, 15, radix=2, unsigned=False),
        row(
            "numeric",
            XDBC_DECIMAL,
            38,
            fixed=True,
            scale=(0, 38),
            radix=10,
            params=["precision", "scale"],
            unsigned=False,
        ),
        row("varchar", XDBC_VARCHAR, 2147483647, prefix="'", params=["length"]),
        row("date", XDBC_DATE, 10, prefix="'", subcode=1, sql_code=XDBC_DATETIME),
        row("timestamp", XDBC_TIMESTAMP, 26, prefix="'", subcode=3, sql_code=XDBC_DATETIME),
        row("bytea", XDBC_VARBINARY, 2147483647),
    ]


def xdbc_type_info(data_type: int | None) -> pa.Table:
    rows = [r for r in _xdbc_rows() if data_type is None or r[1] == data_type]
    return _table(XDBC_TYPE_INFO_SCHEMA, rows)


def sql_info(values: Mapping[int, Any], requested: Iterable[int]) -> pa.Table:
    """CommandGetSqlInfo: one row per requested id this server knows (all when none are requested)."""
    ids = [i for i in (list(requested) or sorted(values)) if i in values]
    type_codes: list[int] = []
    offsets: list[int] = []
    children: list[list[Any]] = [[] for _ in range(6)]
    for info in ids:
        value = values[info]
        if isinstance(value, bool):
            code = 1
        elif isinstance(value, str):
            code = 0
        elif isinstance(value, int):
            code = 2
        elif isinstance(value, list):
            code = 4
        else:
            raise TypeError(f"SqlInfo {info}: unsupported value {value!r}")
        type_codes.append(code)
        offsets.append(len(children[code]))
        children[code].append(value)
    child_types = [f.type for f in SQL_INFO_VALUE]
    arrays = [pa.array(values_, type=t) for values_, t in zip(children, child_types, strict=True)]
    # Built from buffers: from_dense would declare the children nullable, which the specification's type is not.
    union = pa.Array.from_buffers(
        SQL_INFO_VALUE,
        len(ids),
        [None, pa.array(type_codes, pa.int8()).buffers()[1], pa.array(offsets, pa.int32()).buffers()[1]],
        children=arrays,
    )
    return pa.Table.from_arrays([pa.array(ids, pa.uint32()), union], schema=SQL_INFO_SCHEMA)


def _catalog_matches(database: str, catalog: str | None) -> bool:
    return catalog is None or catalog in ("", database)


def _table(schema: pa.Schema, rows: list[tuple[Any, ...]]) -> pa.Table:
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    arrays = [pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)
