"""pg_proc: the built-in functions clients look for (type I/O functions and the ones Quiver answers)."""

from __future__ import annotations

from server.catalog.content import NAMESPACE_OIDS, OWNER_OID, CatalogContent
from server.catalog.data.procs import PROCS
from server.catalog.providers.base import Rows, table

SPEC = """
oid oid, proname name, pronamespace oid, proowner oid, prolang oid, procost float4, prorows float4,
provariadic oid, prosupport regproc, prokind char, prosecdef bool, proleakproof bool, proisstrict bool,
proretset bool, provolatile char, proparallel char, pronargs int2, pronargdefaults int2, prorettype oid,
proargtypes oidvector, proallargtypes _oid, proargmodes _char, proargnames _text, proargdefaults pg_node_tree,
protrftypes _oid, prosrc text, probin text, prosqlbody pg_node_tree, proconfig _text, proacl _aclitem
"""


def _rows(content: CatalogContent) -> Rows:
    for oid, name, schema, kind, retset, volatile, rettype, argtypes, language, strict in PROCS:
        yield (
            oid, name, NAMESPACE_OIDS[schema], OWNER_OID, language, 1.0, 1000.0 if retset else 0.0,
            0, 0, kind, False, False, strict,
            retset, volatile, "s", len(argtypes), 0, rettype,
            list(argtypes), None, None, None, None,
            None, name, None, None, None, None,
        )  # fmt: skip


PROVIDER = table("pg_proc", SPEC, oid=1255, rows=_rows, static=True)
