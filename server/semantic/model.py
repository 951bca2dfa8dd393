"""The resolved semantic model: frozen objects the compiler reads and never changes.

A :class:`Manifest` is what one model directory means once every name is
resolved: tables with their dimensions, measures, segments and joins; views;
and, for querying, one :class:`Relation` per table and view, listing the
members a SQL user sees as columns. A manifest is immutable and carries a
version (a hash of its files), so plans cached against it stay valid until it is
replaced as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import sqlglot.expressions as exp

from server.semantic.diagnostics import Origin
from server.semantic.policies import AccessPolicy, Mask, SecureRule
from server.semantic.spec import DimensionType, MeasureType, Relationship
from server.semantic.templates import Template

if TYPE_CHECKING:
    from server.semantic.lineage import ModelLineage

EMPTY: Mapping[str, Any] = MappingProxyType({})


class Immutable:
    """Model objects are never changed, so copying one returns it.

    sqlglot deep-copies trees (and their ``meta``) freely; compiler placeholders
    carry model objects in ``meta``, which must not be duplicated each time.
    """

    def __copy__(self) -> Immutable:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Immutable:
        return self


class MemberKind(StrEnum):
    DIMENSION = "dimension"
    MEASURE = "measure"
    SEGMENT = "segment"


@dataclass(frozen=True)
class Dimension(Immutable):
    table: str
    name: str
    type: DimensionType
    expression: Template
    primary_key: bool
    public: bool
    description: str
    meta: Mapping[str, Any]
    origin: Origin
    title: str | None = None
    mask: Mask | None = None  # how policies that mask this dimension show it (default: redact)
    secure: SecureRule | None = None  # Lens meta.secure: masked for the groups it selects

    kind = MemberKind.DIMENSION


@dataclass(frozen=True)
class Measure(Immutable):
    table: str
    name: str
    type: MeasureType
    expression: Template | None
    filters: tuple[Template, ...]
    public: bool
    description: str
    meta: Mapping[str, Any]
    origin: Origin
    title: str | None = None

    kind = MemberKind.MEASURE

    @property
    def is_derived(self) -> bool:
        """A ``number`` measure built from other measures (``{a} / {b}``)."""
        return (
            self.type is MeasureType.NUMBER
            and self.expression is not None
            and bool(self.expression.member_references())
        )


@dataclass(frozen=True)
class Segment(Immutable):
    table: str
    name: str
    expression: Template
    public: bool
    description: str
    meta: Mapping[str, Any]
    origin: Origin
    title: str | None = None
    secure: SecureRule | None = None  # Lens meta.secure: a row filter forced on the groups it selects

    kind = MemberKind.SEGMENT


Member = Dimension | Measure | Segment


@dataclass(frozen=True)
class Join(Immutable):
    """A directed join declared on ``source``: ``source LEFT JOIN target ON condition``."""

    source: str
    target: str
    relationship: Relationship
    condition: Template
    origin: Origin


@dataclass(frozen=True)
class Table(Immutable):
    name: str
    sql: exp.Query
    description: str
    public: bool
    meta: Mapping[str, Any]
    origin: Origin
    joins: Mapping[str, Join]
    dimensions: Mapping[str, Dimension]
    measures: Mapping[str, Measure]
    segments: Mapping[str, Segment]
    access_policy: tuple[AccessPolicy, ...] = ()
    title: str | None = None

    def member(self, name: str) -> Member | None:
        return self.dimensions.get(name) or self.measures.get(name) or self.segments.get(name)

    @property
    def members(self) -> tuple[Member, ...]:
        return (*self.dimensions.values(), *self.measures.values(), *self.segments.values())

    @property
    def primary_key(self) -> tuple[Dimension, ...]:
        return tuple(d for d in self.dimensions.values() if d.primary_key)


@dataclass(frozen=True)
class RelationMember(Immutable):
    """One column of a queryable relation: a member of a table, reached by ``path`` from the root.

    For a table relation, ``path`` is just ``(table,)``; for a view, it is the
    view entry's ``join_path``.
    """

    name: str
    member: Member
    path: tuple[str, ...]
    public: bool

    @property
    def kind(self) -> MemberKind:
        return self.member.kind

    @property
    def table(self) -> str:
        return self.member.table

    @property
    def description(self) -> str:
        return self.member.description


class RelationKind(StrEnum):
    TABLE = "table"
    VIEW = "view"


@dataclass(frozen=True)
class Relation(Immutable):
    """What SQL users query: a table or a view, with its members as columns."""

    name: str
    kind: RelationKind
    root: str
    description: str
    public: bool
    members: Mapping[str, RelationMember]
    origin: Origin
    meta: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    access_policy: tuple[AccessPolicy, ...] = ()

    def public_members(self) -> tuple[RelationMember, ...]:
        return tuple(m for m in self.members.values() if m.public)


@dataclass(frozen=True)
class View(Immutable):
    name: str
    description: str
    public: bool
    meta: Mapping[str, Any]
    origin: Origin
    root: str
    members: Mapping[str, RelationMember]
    access_policy: tuple[AccessPolicy, ...] = ()


@dataclass(frozen=True)
class UserGroup(Immutable):
    name: str
    description: str
    api_scopes: tuple[str, ...]
    includes: tuple[str, ...]
    excludes: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True)
class Manifest(Immutable):
    """A whole validated model directory."""

    name: str
    directory: str
    dialect: str
    version: str
    tables: Mapping[str, Table]
    views: Mapping[str, View]
    user_groups: tuple[UserGroup, ...]
    relations: Mapping[str, Relation] = field(default_factory=lambda: EMPTY)
    # (source table, target table) -> the unique shortest directed path, source first.
    join_paths: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # Which source columns each member reads (server.semantic.lineage), computed once at build time.
    lineage: ModelLineage | None = None

    def relation(self, name: str) -> Relation | None:
        return self.relations.get(name)

    def join_between(self, source: str, target: str) -> Join | None:
        table = self.tables.get(source)
        return table.joins.get(target) if table else None
