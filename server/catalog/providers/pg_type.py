"""pg_type: the built-in types (with their array types) and each visible relation's row type.

Rows come from the same type table the wire protocol uses to describe result
columns, so a client that looks up a RowDescription's type OID finds it here.
The I/O functions are real pg_proc OIDs: Npgsql recognises arrays by joining
``typreceive`` to pg_proc, and pgJDBC compares ``typinput`` with
``'array_in'::regproc``.
"""

from __future__ import annotations

from server.catalog.content import OWNER_OID, CatalogContent
from server.catalog.data.types import TYPE_FACTS
from server.catalog.providers.base import Rows, table
from server.catalog.typeinfo import storage
from server.sql.oids import PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE
from server.sql.pg_types import TYPES, PgType

SPEC = """
oid oid, typname name, typnamespace oid, typowner oid, typlen int2, typbyval bool, typtype char,
typcategory char, typispreferred bool, typisdefined bool, typdelim char, typrelid oid, typsubscript regproc,
typelem oid, typarray oid, typinput regproc, typoutput regproc, typreceive regproc, typsend regproc,
typmodin regproc, typmodout regproc, typanalyze regproc, typalign char, typstorage char, typnotnull bool,
typbasetype oid, typtypmod int4, typndims int4, typcollation oid, typdefaultbin pg_node_tree,
typdefault text, typacl _aclitem
"""

ARRAY_IO = (750, 751, 2400, 2401)  # array_in, array_out, array_recv, array_send
ARRAY_SUBSCRIPT = 6179  # array_subscript_handler
ARRAY_ANALYZE = 3816  # array_typanalyze
RECORD_IO = (2290, 2291, 2402, 2403)  # record_in, record_out, record_recv, record_send


def _io(oid: int) -> tuple[int, ...]:
    facts = TYPE_FACTS.get(oid)
    return tuple(facts[:8]) if facts else (0,) * 8


def _preferred(oid: int) -> bool:
    facts = TYPE_FACTS.get(oid)
    return bool(facts[8]) if facts else False


def _row(
    oid: int,
    name: str,
    namespace: int,
    length: int,
    by_value: bool,
    kind: str,
    category: str,
    *,
    preferred: bool = False,
    relid: int = 0,
    element: int = 0,
    array: int = 0,
    io: tuple[int, ...] = (0,) * 8,
    align: str = "i",
    kind_storage: str = "p",
    collation: int = 0,
) -> tuple[object, ...]:
    typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze, typsubscript = io
    return (
        oid, name, namespace, OWNER_OID, length, by_value, kind,
        category, preferred, True, ",", relid, typsubscript,
        element, array, typinput, typoutput, typreceive, typsend,
        typmodin, typmodout, typanalyze, align, kind_storage, False,
        0, -1, 0, collation, None,
        None, None,
    )  # fmt: skip


def _builtin(t: PgType) -> Rows:
    s = storage(t)
    yield _row(
        t.oid, t.name, PG_CATALOG_NAMESPACE, t.length, t.by_value, t.kind, t.category,
        preferred=_preferred(t.oid), element=t.element, array=t.array_oid, io=_io(t.oid),
        align=t.align, kind_storage=s.storage, collation=s.collation,
    )  # fmt: skip
    if t.array_oid:
        a = storage(t, array=True)
        io = _io(t.array_oid) if any(_io(t.array_oid)) else (*ARRAY_IO, 0, 0, ARRAY_ANALYZE, ARRAY_SUBSCRIPT)
        yield _row(
            t.array_oid, "_" + t.name, PG_CATALOG_NAMESPACE, -1, False, "b", "A",
            element=t.oid, io=io, align=a.align, kind_storage="x", collation=a.collation,
        )  # fmt: skip


def _rows(content: CatalogContent) -> Rows:
    for t in TYPES:
        yield from _builtin(t)
    for relation in content.relations:
        yield _row(
            relation.type_oid, relation.name, PUBLIC_NAMESPACE, -1, False, "c", "C",
            relid=relation.oid, array=relation.array_type_oid, io=(*RECORD_IO, 0, 0, 0, 0),
            align="d", kind_storage="x",
        )  # fmt: skip
        yield _row(
            relation.array_type_oid, "_" + relation.name, PUBLIC_NAMESPACE, -1, False, "b", "A",
            element=relation.type_oid, io=(*ARRAY_IO, 0, 0, ARRAY_ANALYZE, ARRAY_SUBSCRIPT),
            align="d", kind_storage="x",
        )  # fmt: skip


PROVIDER = table("pg_type", SPEC, oid=1247, rows=_rows)
