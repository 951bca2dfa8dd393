"""pg_class: the visible relations, their primary key indexes, and the emulated catalog tables.

Catalog tables are listed with PostgreSQL's own OIDs because drivers follow a
result column's table OID back to pg_class (psqlODBC describes pg_namespace's
columns that way when a catalog query's result arrives).
"""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.providers.base import Rows, table
from server.catalog.providers.system import system_tables
from server.sql.oids import PUBLIC_NAMESPACE

HEAP_AM = 2
BTREE_AM = 403

SPEC = """
oid oid, relname name, relnamespace oid, reltype oid, reloftype oid, relowner oid, relam oid, relfilenode oid,
reltablespace oid, relpages int4, reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool,
relisshared bool, relpersistence char, relkind char, relnatts int2, relchecks int2, relhasrules bool,
relhastriggers bool, relhassubclass bool, relrowsecurity bool, relforcerowsecurity bool, relispopulated bool,
relreplident char, relispartition bool, relrewrite oid, relfrozenxid xid, relminmxid xid, relacl _aclitem,
reloptions _text, relpartbound pg_node_tree
"""


def _row(
    oid: int, name: str, namespace: int, kind: str, natts: int, *, reltype: int = 0, has_index: bool = False
) -> tuple[object, ...]:
    is_table = kind == "r"
    am = HEAP_AM if is_table else BTREE_AM if kind == "i" else 0
    return (
        oid, name, namespace, reltype, 0, OWNER_OID, am, oid if kind in "ri" else 0,
        0, 0, -1.0 if is_table else 0.0, 0, 0, has_index,
        False, "p", kind, natts, 0, kind == "v",
        False, False, False, False, True,
        "d" if is_table else "n", False, 0, 716 if is_table else 0, 1 if is_table else 0, None,
        None, None,
    )  # fmt: skip


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        yield _row(
            relation.oid,
            relation.name,
            PUBLIC_NAMESPACE,
            relation.kind,
            len(relation.columns),
            reltype=relation.type_oid,
            has_index=relation.has_primary_key,
        )
        if relation.has_primary_key:
            yield _row(relation.index_oid, relation.pkey_name, PUBLIC_NAMESPACE, "i", len(relation.primary_key))


def _system_rows(database: str) -> Rows:
    for system in system_tables():
        yield _row(system.oid, system.name, system.namespace_oid, system.kind, len(system.columns))


PROVIDER = table("pg_class", SPEC, oid=1259, rows=_rows, fixed=_system_rows)
