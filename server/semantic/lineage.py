"""Where each member's values come from: the source columns it reads, decided once per model.

Policies follow derivation (invariant 0): a member a policy withholds protects
the source columns it reads, and every other member reading one of them is
withheld with it. That needs, for every member, the set of columns its SQL
reads once ``{member}`` references are followed down to columns:

* a dimension or segment reads the columns of its SQL and of the members it names;
* a measure reads its ``sql`` and its ``filters``; a ``number`` measure reads what
  the measures it is built on read; a ``count`` without ``sql`` reads no column;
* a view's member is its table's member, so it has that member's lineage.

A column is known by the model table it belongs to (``orders.gross_amount``)
and, where the table's SQL is simple enough to tell (``SELECT * FROM
raw.orders``, a projection of one table), by the engine column behind it
(``raw.orders.gross_amount``), so two tables over one source share their
columns' identity: a second table over ``raw.orders`` cannot show what the
first hides.

A member whose lineage cannot be decided (a subquery, a ``*`` that reads every
column, a reference that resolves to nothing, a circular definition) keeps the
columns that could be found and says why the rest is unknown; the policy stage
then hides it from any group that is refused something (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sqlglot.expressions as exp

from server.semantic.model import Measure, Member, RelationMember, Table
from server.semantic.templates import REF_META, ReferenceKind, Template

MemberKey = tuple[str, str]  # (table, member)


@dataclass(frozen=True, order=True)
class Source:
    """A column of a model table's source, as member SQL reads it (``{TABLE}.gross_amount``)."""

    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class Lineage:
    """What one member reads. ``undecided`` says why ``sources`` may be incomplete (None: complete)."""

    sources: frozenset[Source]
    members: frozenset[MemberKey]  # the members it is built on, directly or through others
    undecided: str | None = None

    @property
    def decided(self) -> bool:
        return self.undecided is None


NO_LINEAGE = Lineage(frozenset(), frozenset(), "it is not a member of the model")


@dataclass(frozen=True)
class ModelLineage:
    """Every member's lineage, and the identities (model and engine columns) of every column read."""

    members: Mapping[MemberKey, Lineage]
    identities: Mapping[Source, frozenset[str]]

    def of(self, table: str, name: str) -> Lineage:
        return self.members.get((table, name), NO_LINEAGE)

    def of_relation_member(self, member: RelationMember) -> Lineage:
        return self.of(member.table, member.member.name)

    def identity(self, source: Source) -> frozenset[str]:
        """The keys under which ``source`` is known; two columns are the same data when these meet."""
        return self.identities.get(source) or frozenset({model_key(source)})

    def keys(self, lineage: Lineage) -> frozenset[str]:
        return frozenset(key for source in lineage.sources for key in self.identity(source))


EMPTY_LINEAGE = ModelLineage(MappingProxyType({}), MappingProxyType({}))


def model_key(source: Source) -> str:
    return f"model:{source.table.lower()}.{source.column.lower()}"


def engine_key(column: str) -> str:
    """``column`` is ``relation.column`` as the table's SQL names it (``raw.orders.gross_amount``)."""
    return f"source:{column}"


def describe_key(key: str) -> str:
    """``raw.orders.gross_amount`` for ``source:raw.orders.gross_amount``."""
    return key.partition(":")[2]


# -- the engine columns behind a table's columns ------------------------------------------------------------


@dataclass(frozen=True)
class _TableSource:
    """How a table's SQL passes engine columns through: named projections, and ``*`` of some relations."""

    named: Mapping[str, frozenset[str] | None]  # output column -> engine columns read (None: undecidable)
    starred: tuple[str, ...]  # relations whose every column passes through under its own name

    def columns(self, column: str) -> frozenset[str] | None:
        name = column.lower()
        if name in self.named:
            return self.named[name]
        if self.starred:
            return frozenset(f"{relation}.{name}" for relation in self.starred)
        return None


def _relation_name(table: exp.Table) -> str:
    return ".".join(part.name.lower() for part in table.parts)


def _table_source(query: exp.Query) -> _TableSource | None:
    """The engine columns behind each column of a table's SQL; None when the SQL is not a plain SELECT.

    Sources are the FROM and JOIN relations (by alias); a column qualified by an alias
    is that relation's, an unqualified one is the only relation's; anything else (a
    subquery in FROM, an unqualified column over a join) leaves that column undecided.
    """
    if not isinstance(query, exp.Select) or query.ctes:
        return None
    source = query.args.get("from_")
    if source is None:
        return None
    relations: dict[str, str | None] = {}
    for node in (source.this, *(join.this for join in query.args.get("joins") or ())):
        alias = node.alias_or_name.lower()
        named_table = isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier)
        relations[alias] = _relation_name(node) if named_table else None

    def engine_column(column: exp.Column) -> str | None:
        qualifier = column.table.lower()
        if qualifier:
            relation = relations.get(qualifier)
        else:
            relation = next(iter(relations.values())) if len(relations) == 1 else None
        return f"{relation}.{column.name.lower()}" if relation else None

    named: dict[str, frozenset[str] | None] = {}
    starred: list[str] = []
    for projection in query.expressions:
        if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column) and projection.is_star):
            qualifier = projection.table.lower() if isinstance(projection, exp.Column) else ""
            chosen = [relations.get(qualifier)] if qualifier else list(relations.values())
            if any(relation is None for relation in chosen):
                return None  # ``*`` over a subquery: no column can be placed
            starred.extend(r for r in chosen if r is not None)
            continue
        output = projection.alias_or_name.lower()
        if not output:
            return None
        body = projection.this if isinstance(projection, exp.Alias) else projection
        columns = [engine_column(c) for c in body.find_all(exp.Column)]
        if _opaque(body) is not None or any(c is None for c in columns):
            named[output] = None
        else:
            named[output] = frozenset(c for c in columns if c is not None)
    return _TableSource(MappingProxyType(named), tuple(dict.fromkeys(starred)))


# -- member lineage -----------------------------------------------------------------------------------------


def _opaque(tree: exp.Expr) -> str | None:
    """Why the columns ``tree`` reads cannot be listed from its references, else None."""
    for node in tree.walk():
        if isinstance(node, exp.Query | exp.Subquery | exp.Table):
            return "it reads a subquery"
        if isinstance(node, exp.Columns):
            return "it reads columns chosen by COLUMNS(...)"
        if isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count):
            return "it reads every column (*)"
        if isinstance(node, exp.Column) and node.is_star:
            return "it reads every column (*)"
    return None


def _untagged(template: Template) -> bool:
    """A column node the model's resolver did not place (it should not exist; refuse to guess)."""
    return any(isinstance(n, exp.Column) and not n.meta.get(REF_META) for n in template.tree.find_all(exp.Column))


class _Walker:
    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.tables = tables
        self.done: dict[MemberKey, Lineage] = {}
        self.active: set[MemberKey] = set()

    def member(self, table: str, name: str) -> Lineage:
        key = (table, name)
        found = self.done.get(key)
        if found is not None:
            return found
        if key in self.active:
            return Lineage(frozenset(), frozenset(), f"{table}.{name} is defined in terms of itself")
        owner = self.tables.get(table)
        member = owner.member(name) if owner is not None else None
        if member is None:
            return Lineage(frozenset(), frozenset(), f"it refers to {table}.{name}, which the model does not define")
        self.active.add(key)
        try:
            result = self._read(_templates(member))
        finally:
            self.active.discard(key)
        self.done[key] = result
        return result

    def _read(self, templates: Iterable[Template]) -> Lineage:
        sources: set[Source] = set()
        members: set[MemberKey] = set()
        reasons: list[str] = []
        for template in templates:
            problem = _opaque(template.tree) or (
                "it reads a column the model cannot place" if _untagged(template) else None
            )
            if problem is not None:
                reasons.append(problem)
            for reference in template.references:
                if reference.kind is ReferenceKind.COLUMN:
                    sources.add(Source(reference.table, reference.name))
                    continue
                members.add((reference.table, reference.name))
                inner = self.member(reference.table, reference.name)
                sources |= inner.sources
                members |= inner.members
                if inner.undecided is not None:
                    reasons.append(inner.undecided)
        undecided = "; ".join(dict.fromkeys(reasons)) or None
        return Lineage(frozenset(sources), frozenset(members), undecided)


def _templates(member: Member) -> tuple[Template, ...]:
    if isinstance(member, Measure):
        return tuple(t for t in (member.expression, *member.filters) if t is not None)
    return (member.expression,)


def build_lineage(tables: Mapping[str, Table]) -> ModelLineage:
    """Every member's lineage and every column's identities, for a model's tables."""
    walker = _Walker(tables)
    members = {
        (table.name, m.name): walker.member(table.name, m.name) for table in tables.values() for m in table.members
    }
    sources: dict[str, _TableSource | None] = {name: _table_source(table.sql) for name, table in tables.items()}
    identities: dict[Source, frozenset[str]] = {}
    for lineage in members.values():
        for source in lineage.sources:
            if source in identities:
                continue
            keys = {model_key(source)}
            mapping = sources.get(source.table)
            engine_columns = mapping.columns(source.column) if mapping is not None else None
            if mapping is not None and engine_columns is not None:
                keys.update(engine_key(column) for column in engine_columns)
            identities[source] = frozenset(keys)
    return ModelLineage(MappingProxyType(members), MappingProxyType(identities))
