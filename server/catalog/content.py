"""What the catalog describes: the caller's visible relations, resolved into catalog terms.

Every provider reads this one frozen snapshot instead of the manifest, so the
rule "the catalog shows only what the caller may see" is enforced in one place:
relations not passed to :func:`build_content` never reach any provider, any
function (``'hidden'::regclass``) or any OID lookup.

A relation's columns are its public members in ``Relation.public_members()``
order (the order of ``SELECT *``), numbered from 1. Descriptions of measures and
segments carry a marker (``[measure: sum]``, ``[segment]``) so that psql's ``\\d+``
and BI tools' column comments say what a column is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from server.semantic.model import Dimension, Manifest, Measure, MemberKind, Relation, RelationKind, RelationMember
from server.semantic.spec import DimensionType, MeasureType
from server.sql.oids import (
    DATABASE_OID,
    INFORMATION_SCHEMA_NAMESPACE,
    PG_CATALOG_NAMESPACE,
    PUBLIC_NAMESPACE,
    relation_oid,
    role_oid,
    stable_oid,
)
from server.sql.pg_types import ALIASES, BY_NAME, PgType

# The bootstrap superuser owns every object, as in a fresh PostgreSQL cluster.
OWNER = "quiver"
OWNER_OID = 10
PG_DATABASE_OWNER_OID = 6171

NAMESPACES: tuple[tuple[int, str, int], ...] = (
    (PG_CATALOG_NAMESPACE, "pg_catalog", OWNER_OID),
    (PUBLIC_NAMESPACE, "public", PG_DATABASE_OWNER_OID),
    (INFORMATION_SCHEMA_NAMESPACE, "information_schema", OWNER_OID),
)
NAMESPACE_OIDS = {name: oid for oid, name, _ in NAMESPACES}

_DIMENSION_TYPES = {
    DimensionType.STRING: "text",
    DimensionType.NUMBER: "numeric",
    DimensionType.TIME: "timestamp",
    DimensionType.BOOLEAN: "bool",
}
_COUNTS = frozenset({MeasureType.COUNT, MeasureType.COUNT_DISTINCT, MeasureType.COUNT_DISTINCT_APPROX})


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    attnum: int
    type: PgType
    array: bool  # the column is an array of ``type``
    not_null: bool
    comment: str | None
    modifier: int = -1  # atttypmod: numeric(p, s) is ((p << 16) | s) + 4

    @property
    def type_oid(self) -> int:
        return self.type.array_oid if self.array else self.type.oid


@dataclass(frozen=True)
class RelationInfo:
    """A data product table ('r') or view ('v') as the catalog shows it."""

    name: str
    oid: int
    kind: str
    comment: str | None
    columns: tuple[ColumnInfo, ...]
    primary_key: tuple[str, ...]  # column names; empty for views and tables without one
    type_oid: int  # the relation's row type in pg_type
    array_type_oid: int

    @property
    def has_primary_key(self) -> bool:
        return bool(self.primary_key)

    @property
    def pkey_name(self) -> str:
        return f"{self.name}_pkey"

    @property
    def index_oid(self) -> int:
        return stable_oid("index", "public", self.pkey_name)

    @property
    def constraint_oid(self) -> int:
        return stable_oid("constraint", "public", self.pkey_name)

    @property
    def pkey_attnums(self) -> tuple[int, ...]:
        by_name = {c.name: c.attnum for c in self.columns}
        return tuple(by_name[name] for name in self.primary_key)

    @property
    def index_definition(self) -> str:
        keys = ", ".join(quote_ident(name) for name in self.primary_key)
        return (
            f"CREATE UNIQUE INDEX {quote_ident(self.pkey_name)} ON public.{quote_ident(self.name)} USING btree ({keys})"
        )

    @property
    def constraint_definition(self) -> str:
        return "PRIMARY KEY (" + ", ".join(quote_ident(name) for name in self.primary_key) + ")"

    @property
    def view_definition(self) -> str | None:
        """What pg_get_viewdef shows: the view's own columns only (never the tables behind it)."""
        if self.kind != "v":
            return None
        lines = ",\n    ".join(quote_ident(c.name) for c in self.columns)
        return f" SELECT {lines}\n   FROM {quote_ident(self.name)};  -- Quiver semantic view"


@dataclass(frozen=True)
class CatalogContent:
    database: str
    database_oid: int
    relations: tuple[RelationInfo, ...]
    roles: tuple[tuple[int, str], ...]  # (oid, name); the owner first
    started_at: datetime

    def relation(self, name: str) -> RelationInfo | None:
        for relation in self.relations:
            if relation.name == name:
                return relation
        return None


def quote_ident(name: str) -> str:
    """PostgreSQL's quote_ident for names we generate (keywords are not our names' concern here)."""
    if (
        name
        and (name[0].isalpha() or name[0] == "_")
        and all(ch.islower() or ch.isdigit() or ch in "_$" for ch in name)
    ):
        return name
    return '"' + name.replace('"', '""') + '"'


def member_comment(member: RelationMember) -> str | None:
    """The column comment: the description, plus a marker for measures and segments."""
    text = (member.description or "").strip()
    if isinstance(member.member, Measure):
        marker = f"[measure: {member.member.type}]"
    elif member.kind is MemberKind.SEGMENT:
        marker = "[segment]"
    else:
        return text or None
    return f"{text} {marker}" if text else marker


def derived_type(member: RelationMember) -> str:
    """The PostgreSQL type of a member when the engine did not say (dimension type, measure kind)."""
    if isinstance(member.member, Dimension):
        return _DIMENSION_TYPES.get(member.member.type, "text")
    if isinstance(member.member, Measure):
        return "int8" if member.member.type in _COUNTS else "numeric"
    return "bool"


def _pg_type(name: str) -> tuple[PgType, bool]:
    """(element type, is array) for a type name such as ``int8``, ``integer``, ``_text`` or ``numeric(12,2)``."""
    key = name.strip().lower().split("(")[0].strip()
    array = key.startswith("_") or key.endswith("[]")
    key = key[1:] if key.startswith("_") else key.removesuffix("[]")
    key = ALIASES.get(key, key)
    return BY_NAME.get(key, BY_NAME["text"]), array


def _modifier(type_name: str) -> int:
    """atttypmod for ``numeric(p,s)`` (PostgreSQL's encoding), else -1."""
    if "(" not in type_name or not type_name.strip().lower().startswith("numeric"):
        return -1
    inside = type_name[type_name.index("(") + 1 : type_name.rindex(")")]
    parts = [int(p) for p in inside.split(",")]
    precision, scale = parts[0], parts[1] if len(parts) > 1 else 0
    return ((precision << 16) | scale) + 4


def _relation_info(relation: Relation, types: Sequence[tuple[str, str]] | None) -> RelationInfo:
    members = relation.public_members()
    given = dict(types or ())
    primary_key = tuple(
        m.name
        for m in members
        if relation.kind is RelationKind.TABLE and isinstance(m.member, Dimension) and m.member.primary_key
    )
    columns = []
    for attnum, member in enumerate(members, start=1):
        type_name = given.get(member.name) or derived_type(member)
        pg_type, array = _pg_type(type_name)
        columns.append(
            ColumnInfo(
                member.name,
                attnum,
                pg_type,
                array,
                member.name in primary_key,
                member_comment(member),
                _modifier(type_name),
            )
        )
    return RelationInfo(
        name=relation.name,
        oid=relation_oid(relation.name),
        kind="r" if relation.kind is RelationKind.TABLE else "v",
        comment=(relation.description or "").strip() or None,
        columns=tuple(columns),
        primary_key=primary_key,
        type_oid=stable_oid("type", "public", relation.name),
        array_type_oid=stable_oid("type", "public", "_" + relation.name),
    )


def build_content(
    manifest: Manifest,
    relations: Mapping[str, Relation],
    *,
    column_types: Mapping[str, Sequence[tuple[str, str]]] | None,
    database: str,
    users: Sequence[str],
) -> CatalogContent:
    """Resolve the visible relations (and only those) into catalog rows' raw material."""
    del manifest  # the visible relations say everything the catalog may show
    types = column_types or {}
    infos = tuple(_relation_info(r, types.get(name)) for name, r in sorted(relations.items()))
    roles: dict[str, int] = {OWNER: OWNER_OID, "pg_database_owner": PG_DATABASE_OWNER_OID}
    for user in users:
        roles.setdefault(user, role_oid(user))
    return CatalogContent(
        database=database,
        database_oid=DATABASE_OID,
        relations=infos,
        roles=tuple((oid, name) for name, oid in roles.items()),
        started_at=datetime.now(UTC),
    )


def user_oid(name: str) -> int:
    """The OID of a role: the owner is 10, everyone else a stable hash of the name."""
    return OWNER_OID if name == OWNER else role_oid(name)
