"""Derived facts about built-in types: SQL spellings, storage, collation and default btree opclass.

pg_type, pg_attribute, information_schema.columns and ``format_type()`` must agree
on how a type is named and stored; they all read these helpers, which build on
the type table in :mod:`server.sql.pg_types` and the facts in
:mod:`server.catalog.data.types`.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.catalog.data.types import TYPE_FACTS
from server.sql.pg_types import TYPES, PgType

# format_type's spelling where it differs from typname.
SQL_NAMES: dict[str, str] = {
    "bool": "boolean",
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "varchar": "character varying",
    "bpchar": "character",
    "char": '"char"',
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "time": "time without time zone",
    "timetz": "time with time zone",
    "varbit": "bit varying",
}

# Default btree operator classes (pg_index.indclass) for key column types.
BTREE_OPCLASS: dict[str, int] = {
    "bool": 10003, "bytea": 10006, "char": 10007, "name": 10028, "int8": 3124, "int2": 1979, "int4": 1978,
    "text": 3126, "varchar": 3126, "oid": 1981, "float4": 10012, "float8": 3123, "bpchar": 10004,
    "date": 3122, "time": 10038, "timestamp": 3128, "timestamptz": 3127, "interval": 10022, "timetz": 10041,
    "numeric": 3125, "uuid": 10065, "jsonb": 10088,
}  # fmt: skip

# information_schema.columns numeric_precision, by type name: (precision, radix, scale).
NUMERIC_PRECISION: dict[str, tuple[int | None, int, int | None]] = {
    "int2": (16, 2, 0),
    "int4": (32, 2, 0),
    "int8": (64, 2, 0),
    "float4": (24, 2, None),
    "float8": (53, 2, None),
    "numeric": (None, 10, None),
}
DATETIME_PRECISION: dict[str, int] = {
    "date": 0,
    "time": 6,
    "timetz": 6,
    "timestamp": 6,
    "timestamptz": 6,
    "interval": 6,
}


@dataclass(frozen=True)
class Storage:
    """How a column of a type is stored, as pg_attribute repeats it."""

    length: int
    by_value: bool
    align: str
    storage: str
    collation: int


def sql_name(pg_type: PgType, array: bool = False) -> str:
    name = SQL_NAMES.get(pg_type.name, pg_type.name)
    return name + "[]" if array else name


def storage(pg_type: PgType, array: bool = False) -> Storage:
    facts = TYPE_FACTS.get(pg_type.array_oid if array else pg_type.oid)
    collation = facts[10] if facts else 0
    if array:
        align = "d" if pg_type.align == "d" else "i"
        return Storage(-1, False, align, "x", collation)
    kind = facts[9] if facts else ("p" if pg_type.length > 0 else "x")
    return Storage(pg_type.length, pg_type.by_value, pg_type.align, kind, collation)


def type_names() -> list[tuple[int, str, str]]:
    """(oid, typname, format_type spelling) for every built-in type and its array type."""
    rows = []
    for t in TYPES:
        rows.append((t.oid, t.name, sql_name(t)))
        if t.array_oid:
            rows.append((t.array_oid, "_" + t.name, sql_name(t, array=True)))
    return rows
