"""Stable object identifiers for emulated catalog objects.

Clients cache OIDs and follow them between queries (pgJDBC and psqlODBC look up a
RowDescription's table OID in pg_class), so an object's OID must not change
between connections, restarts or worker processes. OIDs are derived from names
by a hash, in PostgreSQL's range for user objects (16384 and up).
"""

from __future__ import annotations

import hashlib

FIRST_NORMAL_OID = 16384
# PostgreSQL's own fixed OIDs for the built-in namespaces.
PG_CATALOG_NAMESPACE = 11
PUBLIC_NAMESPACE = 2200
INFORMATION_SCHEMA_NAMESPACE = 13_000
DATABASE_OID = 16_384 - 1  # below the hashed range: never collides with an object


def stable_oid(kind: str, *parts: str) -> int:
    """An OID in [16384, 2**31) determined only by ``kind`` and ``parts``."""
    digest = hashlib.blake2b("\x00".join((kind, *parts)).encode(), digest_size=8).digest()
    return FIRST_NORMAL_OID + int.from_bytes(digest, "big") % (2**31 - FIRST_NORMAL_OID)


def relation_oid(name: str, schema: str = "public") -> int:
    """The pg_class OID of a relation (a data product table or view)."""
    return stable_oid("relation", schema, name)


def role_oid(name: str) -> int:
    return stable_oid("role", name)
