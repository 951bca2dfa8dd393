"""What a translation needs to know: the session, the catalog's names, and OID lookups for literals.

``'sales'::regclass`` is resolved here, in Python, to the relation's OID; an
unknown name is PostgreSQL's error, raised before DuckDB sees the query. Only
the caller's visible relations can be resolved, because only they are in the
lookup tables built from :class:`~server.catalog.content.CatalogContent`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from server.catalog.content import NAMESPACE_OIDS, CatalogContent, user_oid
from server.catalog.data.procs import PROCS
from server.catalog.providers import BY_SCHEMA, Provider
from server.catalog.providers.system import system_tables
from server.catalog.typeinfo import type_names
from server.sql.pg_types import ALIASES
from server.sql.session_info import SessionInfo

# Node meta naming the reg* type of an OID-valued expression (``'int4'::regtype``, ``to_regclass(...)``):
# it stays an OID in the query and prints as a name where it leaves it (see :mod:`.outputs`).
REG_META = "quiver_reg"
# Node meta: the PostgreSQL type a generated expression has where DuckDB's type says less (``name``).
PG_TYPE_META = "quiver_pg_type"
# Tree meta: the PostgreSQL type name of each result column whose type the rewrites decided (else None).
OUTPUT_TYPES_META = "quiver_output_types"


@dataclass(frozen=True)
class Names:
    """OIDs of everything a reg* literal can name, for one catalog."""

    classes: Mapping[tuple[str, str], int]  # (schema, relname) -> oid
    types: Mapping[str, int]  # typname, SQL spelling or alias -> oid
    procs: Mapping[str, int]  # proname -> lowest oid
    roles: Mapping[str, int]
    relations: frozenset[str]  # visible data product relation names

    @classmethod
    def build(cls, content: CatalogContent) -> Names:
        classes: dict[tuple[str, str], int] = {}
        for relation in content.relations:
            classes[("public", relation.name)] = relation.oid
            if relation.has_primary_key:
                classes[("public", relation.pkey_name)] = relation.index_oid
        for system in system_tables():
            classes[(system.schema, system.name)] = system.oid
        types: dict[str, int] = {}
        for oid, typname, sqlname in type_names():
            types.setdefault(typname, oid)
            types.setdefault(sqlname, oid)
        for alias, target in ALIASES.items():
            if target in types:
                types.setdefault(alias, types[target])
        for relation in content.relations:
            types.setdefault(relation.name, relation.type_oid)
        procs: dict[str, int] = {}
        for row in PROCS:
            procs[row[1]] = min(procs.get(row[1], row[0]), row[0])
        return cls(
            classes=classes,
            types=types,
            procs=procs,
            roles={name: oid for oid, name in content.roles},
            relations=frozenset(r.name for r in content.relations),
        )


@dataclass(frozen=True)
class Context:
    session: SessionInfo
    names: Names
    database: str
    started_at: datetime
    providers: Mapping[str, Mapping[str, Provider]] = field(default_factory=lambda: BY_SCHEMA)

    @property
    def user(self) -> str:
        return self.session.user

    @property
    def user_oid(self) -> int:
        return self.names.roles.get(self.session.user, user_oid(self.session.user))

    @property
    def search_path(self) -> tuple[str, ...]:
        """Schemas searched for unqualified names: pg_catalog first, as PostgreSQL does implicitly."""
        path = [s for s in self.session.search_path if s and s not in {'"$user"', "$user"}]
        return ("pg_catalog", *(s for s in path if s != "pg_catalog"))

    def namespace_oid(self, name: str) -> int | None:
        return NAMESPACE_OIDS.get(name)

    def class_oid(self, schema: str | None, name: str) -> int | None:
        if schema is not None:
            return self.names.classes.get((schema, name))
        for candidate in self.search_path:
            found = self.names.classes.get((candidate, name))
            if found is not None:
                return found
        return None


# The reg* type each to_reg* function returns: its OID prints as a name (``to_regtype('int4')::text`` is
# "integer"). Shared by the function rewrite and the casts rewrite, which runs first.
REG_RESULTS = {"to_regclass": "regclass", "to_regtype": "regtype", "to_regproc": "regproc",
               "to_regprocedure": "regprocedure", "to_regnamespace": "regnamespace"}  # fmt: skip
