"""PostgreSQL's built-in types as data: OID, array OID, length, category, I/O names.

The single source of type identities: the wire protocol reads OIDs from here to
describe result columns, and the catalog builds pg_type from the same rows, so
a client that looks a type up in pg_type finds what RowDescription promised.
Values are those of PostgreSQL 16 (pg_type.dat).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class PgType:
    name: str
    oid: int
    array_oid: int  # 0 when the type has no array type
    length: int  # typlen: bytes, or -1 variable, -2 C string
    category: str  # typcategory
    kind: str = "b"  # typtype: b base, p pseudo, r range, d domain
    element: int = 0  # typelem for array and vector types
    by_value: bool = False
    align: str = "i"
    delimiter: str = ","
    input: str = ""
    output: str = ""
    receive: str = ""
    send: str = ""

    def __post_init__(self) -> None:
        for attribute, suffix in (("input", "in"), ("output", "out"), ("receive", "recv"), ("send", "send")):
            if not getattr(self, attribute):
                object.__setattr__(self, attribute, f"{self.name}{suffix}")


TYPES: tuple[PgType, ...] = (
    PgType("bool", 16, 1000, 1, "B", by_value=True, align="c"),
    PgType("bytea", 17, 1001, -1, "U"),
    PgType("char", 18, 1002, 1, "Z", by_value=True, align="c", input="charin", output="charout"),
    PgType("name", 19, 1003, 64, "S", align="c"),
    PgType("int8", 20, 1016, 8, "N", by_value=True, align="d"),
    PgType("int2", 21, 1005, 2, "N", by_value=True, align="s"),
    PgType("int2vector", 22, 1006, -1, "A", element=21),
    PgType("int4", 23, 1007, 4, "N", by_value=True),
    PgType("regproc", 24, 1008, 4, "N", by_value=True),
    PgType("text", 25, 1009, -1, "S"),
    PgType("oid", 26, 1028, 4, "N", by_value=True),
    PgType("tid", 27, 1010, 6, "U", align="s"),
    PgType("xid", 28, 1011, 4, "U", by_value=True),
    PgType("cid", 29, 1012, 4, "U", by_value=True),
    PgType("oidvector", 30, 1013, -1, "A", element=26),
    PgType("json", 114, 199, -1, "U"),
    PgType("xml", 142, 143, -1, "U"),
    PgType("pg_node_tree", 194, 0, -1, "Z"),
    PgType("float4", 700, 1021, 4, "N", by_value=True),
    PgType("float8", 701, 1022, 8, "N", by_value=True, align="d"),
    PgType("unknown", 705, 0, -2, "X", kind="p", align="c"),
    PgType("money", 790, 791, 8, "N", by_value=True, align="d"),
    PgType("inet", 869, 1041, -1, "I"),
    PgType("aclitem", 1033, 1034, 16, "U", align="d"),
    PgType("bpchar", 1042, 1014, -1, "S"),
    PgType("varchar", 1043, 1015, -1, "S"),
    PgType("date", 1082, 1182, 4, "D", by_value=True),
    PgType("time", 1083, 1183, 8, "D", by_value=True, align="d"),
    PgType("timestamp", 1114, 1115, 8, "D", by_value=True, align="d"),
    PgType("timestamptz", 1184, 1185, 8, "D", by_value=True, align="d"),
    PgType("interval", 1186, 1187, 16, "T", align="d"),
    PgType("timetz", 1266, 1270, 12, "D", align="d"),
    PgType("bit", 1560, 1561, -1, "V"),
    PgType("varbit", 1562, 1563, -1, "V"),
    PgType("numeric", 1700, 1231, -1, "N"),
    PgType("regprocedure", 2202, 2207, 4, "N", by_value=True),
    PgType("regoper", 2203, 2208, 4, "N", by_value=True),
    PgType("regclass", 2205, 2210, 4, "N", by_value=True),
    PgType("regtype", 2206, 2211, 4, "N", by_value=True),
    PgType("record", 2249, 2287, -1, "P", kind="p", align="d"),
    PgType("cstring", 2275, 1263, -2, "P", kind="p", align="c"),
    PgType("any", 2276, 0, 4, "P", kind="p", by_value=True),
    PgType("anyarray", 2277, 0, -1, "P", kind="p", align="d"),
    PgType("void", 2278, 0, 4, "P", kind="p", by_value=True),
    PgType("trigger", 2279, 0, 4, "P", kind="p", by_value=True),
    PgType("uuid", 2950, 2951, 16, "U", align="c"),
    PgType("jsonb", 3802, 3807, -1, "U"),
    PgType("regnamespace", 4089, 4090, 4, "N", by_value=True),
    PgType("regrole", 4096, 4097, 4, "N", by_value=True),
)

BY_NAME: dict[str, PgType] = {t.name: t for t in TYPES}
BY_OID: dict[int, PgType] = {t.oid: t for t in TYPES}
ELEMENT_OF_ARRAY: dict[int, int] = {t.array_oid: t.oid for t in TYPES if t.array_oid}
# Common SQL spellings of the same types.
ALIASES = {
    "boolean": "bool",
    "smallint": "int2",
    "integer": "int4",
    "int": "int4",
    "bigint": "int8",
    "real": "float4",
    "double precision": "float8",
    "character varying": "varchar",
    "character": "bpchar",
    "decimal": "numeric",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
}


# Every type PostgreSQL 15 defines in pg_catalog (recorded from the test server): a cast to one of
# these that Quiver cannot run is 0A000; a cast to any other name is PostgreSQL's 42704.
POSTGRES_TYPE_NAMES = frozenset(
    [
        "aclitem",
        "any",
        "anyarray",
        "anycompatible",
        "anycompatiblearray",
        "anycompatiblemultirange",
        "anycompatiblenonarray",
        "anycompatiblerange",
        "anyelement",
        "anyenum",
        "anymultirange",
        "anynonarray",
        "anyrange",
        "bit",
        "bool",
        "box",
        "bpchar",
        "bytea",
        "char",
        "cid",
        "cidr",
        "circle",
        "cstring",
        "date",
        "datemultirange",
        "daterange",
        "event_trigger",
        "fdw_handler",
        "float4",
        "float8",
        "gtsvector",
        "index_am_handler",
        "inet",
        "int2",
        "int2vector",
        "int4",
        "int4multirange",
        "int4range",
        "int8",
        "int8multirange",
        "int8range",
        "internal",
        "interval",
        "json",
        "jsonb",
        "jsonpath",
        "language_handler",
        "line",
        "lseg",
        "macaddr",
        "macaddr8",
        "money",
        "name",
        "numeric",
        "nummultirange",
        "numrange",
        "oid",
        "oidvector",
        "path",
        "pg_brin_bloom_summary",
        "pg_brin_minmax_multi_summary",
        "pg_ddl_command",
        "pg_dependencies",
        "pg_lsn",
        "pg_mcv_list",
        "pg_ndistinct",
        "pg_node_tree",
        "pg_snapshot",
        "point",
        "polygon",
        "record",
        "refcursor",
        "regclass",
        "regcollation",
        "regconfig",
        "regdictionary",
        "regnamespace",
        "regoper",
        "regoperator",
        "regproc",
        "regprocedure",
        "regrole",
        "regtype",
        "table_am_handler",
        "text",
        "tid",
        "time",
        "timestamp",
        "timestamptz",
        "timetz",
        "trigger",
        "tsm_handler",
        "tsmultirange",
        "tsquery",
        "tsrange",
        "tstzmultirange",
        "tstzrange",
        "tsvector",
        "txid_snapshot",
        "unknown",
        "uuid",
        "varbit",
        "varchar",
        "void",
        "xid",
        "xid8",
        "xml",
    ]
)


def is_postgres_type(name: str) -> bool:
    """Does PostgreSQL know the type ``name`` (a name or an alias, any case)?"""
    key = name.strip().lower()
    return ALIASES.get(key, key) in POSTGRES_TYPE_NAMES or key in BY_NAME


def type_named(name: str) -> PgType:
    """The type for a PostgreSQL type name or alias (``integer``, ``int4``...)."""
    key = name.strip().lower()
    return BY_NAME[ALIASES.get(key, key)]


def array_name(element: PgType) -> str:
    return f"_{element.name}"


TYPE_METADATA = b"pg_type"  # Arrow field metadata naming the PostgreSQL type a column is sent as


@dataclass(frozen=True)
class WireType:
    """The PostgreSQL type a column is sent as."""

    type: PgType
    modifier: int = -1
    array_of: PgType | None = None  # set when this is an array type

    @property
    def oid(self) -> int:
        return self.array_of.array_oid if self.array_of else self.type.oid

    @property
    def size(self) -> int:
        return -1 if self.array_of else self.type.length


def wire_type(data_type: pa.DataType, metadata: dict[bytes, bytes] | None = None) -> WireType:
    """The PostgreSQL type for an Arrow type (or the one named in field metadata ``pg_type``)."""
    if metadata and TYPE_METADATA in metadata:
        name = metadata[TYPE_METADATA].decode()
        if name.startswith("_") and name[1:] in BY_NAME:
            element = BY_NAME[name[1:]]
            return WireType(element, array_of=element)
        if name in BY_NAME:
            return WireType(BY_NAME[name])
    t = data_type
    if pa.types.is_dictionary(t):
        return wire_type(t.value_type)
    if pa.types.is_boolean(t):
        return WireType(BY_NAME["bool"])
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_uint8(t):
        return WireType(BY_NAME["int2"])
    if pa.types.is_int32(t) or pa.types.is_uint16(t):
        return WireType(BY_NAME["int4"])
    if pa.types.is_int64(t):
        return WireType(BY_NAME["int8"])
    if pa.types.is_uint32(t):
        return WireType(BY_NAME["oid"])
    if pa.types.is_uint64(t):
        return WireType(BY_NAME["numeric"])
    if pa.types.is_float16(t) or pa.types.is_float32(t):
        return WireType(BY_NAME["float4"])
    if pa.types.is_float64(t):
        return WireType(BY_NAME["float8"])
    if pa.types.is_decimal(t):
        return WireType(BY_NAME["numeric"], ((t.precision << 16) | t.scale) + 4)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return WireType(BY_NAME["text"])
    if pa.types.is_fixed_size_binary(t) and t.byte_width == 16 and is_uuid(t):
        return WireType(BY_NAME["uuid"])
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return WireType(BY_NAME["bytea"])
    if pa.types.is_date(t):
        return WireType(BY_NAME["date"])
    if pa.types.is_time(t):
        return WireType(BY_NAME["time"])
    if pa.types.is_timestamp(t):
        return WireType(BY_NAME["timestamptz" if t.tz else "timestamp"])
    if pa.types.is_duration(t) or pa.types.is_interval(t):
        return WireType(BY_NAME["interval"])
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        inner = wire_type(t.value_type)
        base = inner.array_of or inner.type
        return WireType(base, array_of=base) if base.array_oid else WireType(BY_NAME["text"])
    return WireType(BY_NAME["text"])


def is_uuid(t: pa.DataType) -> bool:
    return getattr(t, "extension_name", "") == "arrow.uuid"
