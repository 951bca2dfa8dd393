"""Column specifications of emulated catalog tables, and how each PostgreSQL type is stored.

Providers declare their columns as compact text (``"oid oid, relname name, ..."``),
in PostgreSQL's order and with PostgreSQL's type names, so a provider reads like
the page of the PostgreSQL manual that documents the table. This module turns
those declarations into DuckDB column types, keeping the choices that clients
notice: OIDs are unsigned 32-bit (the wire layer describes ``uint32`` as
``oid``), ``int2`` is 16-bit, and vectors are lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.sql.pg_types import BY_NAME

# How each PostgreSQL type of a catalog column is stored in DuckDB.
DUCKDB_TYPES: dict[str, str] = {
    "oid": "UINTEGER",
    "regproc": "UINTEGER",
    "regtype": "UINTEGER",
    "regclass": "UINTEGER",
    "xid": "UINTEGER",
    "cid": "UINTEGER",
    "name": "VARCHAR",
    "text": "VARCHAR",
    "char": "VARCHAR",
    "bpchar": "VARCHAR",
    "varchar": "VARCHAR",
    "pg_node_tree": "VARCHAR",
    "inet": "VARCHAR",
    "pg_lsn": "VARCHAR",
    "bytea": "BLOB",
    "anyarray": "VARCHAR",
    "pg_ndistinct": "VARCHAR",
    "pg_dependencies": "VARCHAR",
    "pg_mcv_list": "VARCHAR",
    "aclitem": "VARCHAR",
    "bool": "BOOLEAN",
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "float4": "FLOAT",
    "float8": "DOUBLE",
    "numeric": "DOUBLE",
    "interval": "INTERVAL",
    "timestamptz": "TIMESTAMPTZ",
    "int2vector": "SMALLINT[]",
    "oidvector": "UINTEGER[]",
    # information_schema's domains, stored as their base types.
    "sql_identifier": "VARCHAR",
    "character_data": "VARCHAR",
    "yes_or_no": "VARCHAR",
    "cardinal_number": "INTEGER",
    "time_stamp": "TIMESTAMPTZ",
}

# The type a column is described as in pg_attribute, when it is not a built-in type we list.
ATTRIBUTE_TYPES: dict[str, str] = {
    "sql_identifier": "name",
    "character_data": "varchar",
    "yes_or_no": "varchar",
    "cardinal_number": "int4",
    "time_stamp": "timestamptz",
    "pg_lsn": "text",
    "pg_ndistinct": "text",
    "pg_dependencies": "text",
    "pg_mcv_list": "text",
}

# Vectors are indexed from 0 in PostgreSQL; ordinary arrays from 1.
ZERO_BASED_TYPES = frozenset({"int2vector", "oidvector"})


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an emulated catalog table, with its PostgreSQL type name."""

    name: str
    pg_type: str

    @property
    def is_array(self) -> bool:
        return self.pg_type.startswith("_")

    @property
    def duckdb_type(self) -> str:
        if self.is_array:
            return DUCKDB_TYPES.get(self.pg_type[1:], "VARCHAR") + "[]"
        return DUCKDB_TYPES.get(self.pg_type, "VARCHAR")

    @property
    def type_oid(self) -> int:
        """The type OID pg_attribute gives this column."""
        name = self.pg_type[1:] if self.is_array else self.pg_type
        name = ATTRIBUTE_TYPES.get(name, name)
        found = BY_NAME.get(name) or BY_NAME["text"]
        return found.array_oid if self.is_array and found.array_oid else found.oid

    @property
    def length(self) -> int:
        name = ATTRIBUTE_TYPES.get(self.pg_type, self.pg_type)
        found = BY_NAME.get(name)
        return -1 if self.is_array or found is None else found.length


def columns(spec: str) -> tuple[ColumnSpec, ...]:
    """Parse ``"oid oid, relname name, relacl _aclitem"`` into column specs."""
    result = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        name, pg_type = item.split()
        result.append(ColumnSpec(name, pg_type))
    return tuple(result)
