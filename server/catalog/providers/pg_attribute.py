"""pg_attribute: each visible relation's columns (attnum 1..n in ``SELECT *`` order), index keys, catalog columns."""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table
from server.catalog.providers.system import system_tables
from server.catalog.typeinfo import storage
from server.sql.pg_types import BY_OID

SPEC = """
attrelid oid, attname name, atttypid oid, attstattarget int4, attlen int2, attnum int2, attndims int4,
attcacheoff int4, atttypmod int4, attbyval bool, attalign char, attstorage char, attcompression char,
attnotnull bool, atthasdef bool, atthasmissing bool, attidentity char, attgenerated char, attisdropped bool,
attislocal bool, attinhcount int4, attcollation oid, attacl _aclitem, attoptions _text, attfdwoptions _text,
attmissingval anyarray
"""


def _row(
    relid: int,
    name: str,
    type_oid: int,
    attnum: int,
    *,
    length: int,
    by_value: bool,
    align: str,
    kind: str,
    not_null: bool,
    collation: int,
    dims: int,
    modifier: int = -1,
) -> tuple[object, ...]:
    return (
        relid, name, type_oid, -1, length, attnum, dims,
        -1, modifier, by_value, align, kind, "",
        not_null, False, False, "", "", False,
        True, 0, collation, None, None, None,
        None,
    )  # fmt: skip


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        by_name = {}
        for column in relation.columns:
            s = storage(column.type, column.array)
            by_name[column.name] = (column, s)
            yield _row(
                relation.oid, column.name, column.type_oid, column.attnum, length=s.length, by_value=s.by_value,
                align=s.align, kind=s.storage, not_null=column.not_null, collation=s.collation,
                dims=1 if column.array else 0, modifier=column.modifier,
            )  # fmt: skip
        for position, name in enumerate(relation.primary_key, start=1):
            column, s = by_name[name]
            yield _row(
                relation.index_oid, name, column.type_oid, position, length=s.length, by_value=s.by_value,
                align=s.align, kind="p" if s.storage == "p" else "x", not_null=False, collation=s.collation,
                dims=0,
            )  # fmt: skip


def _system_rows(database: str) -> Rows:
    for system in system_tables():
        for attnum, column in enumerate(system.columns, start=1):
            element = BY_OID.get(column.type_oid)
            s = storage(element) if element is not None and not column.is_array else None
            yield _row(
                system.oid, column.name, column.type_oid, attnum,
                length=column.length if s is None else s.length,
                by_value=False if s is None else s.by_value,
                align="i" if s is None else s.align,
                kind="x" if s is None else s.storage,
                not_null=False, collation=0 if s is None else s.collation,
                dims=1 if column.is_array else 0,
            )  # fmt: skip


PROVIDER = table("pg_attribute", SPEC, oid=1249, rows=_rows, fixed=_system_rows)
