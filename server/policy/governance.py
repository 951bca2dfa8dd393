"""One caller's view of a data product: visible relations and members, and rules for every scan.

Decisions, in the order they are made:

1. **Group.** The caller's user group (:mod:`server.policy.groups`).
2. **Entry.** For each table and view with an ``access_policy``, the first entry
   that is for that group and whose ``conditions`` hold. None: the caller sees
   nothing of that relation (default deny).
3. **Members.** An entry's ``member_level`` keeps members whole; members it
   leaves out are masked when ``member_masking`` selects them (dimensions, with
   their ``mask``, default ``redact``) and hidden otherwise. Lens ``meta.secure``
   masks a dimension for the groups it selects. Policies follow derivation
   (:mod:`server.semantic.derivation`): every member that reads a column a hidden
   member reads, or is built on a hidden member, is hidden too unless the entry
   allows it by name (``allow_derived``); so is a member whose lineage cannot be
   decided. Hidden members vanish from relations, so naming one is exactly like
   naming a column that does not exist.
4. **Rows.** A table's row filter (its entry's ``row_level`` and any Lens secured
   segment) restricts its own scan and, unless ``propagate: false``, every
   table that reaches it by many_to_one or one_to_one joins, as an ``EXISTS``
   over the governed parent: hidden customers hide their orders, and those
   orders' items. A view's row filter restricts the view's joined rows.

Everything is computed lazily and kept: one instance serves every query of one
caller against one model version.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from types import MappingProxyType

import sqlglot.expressions as exp

from server.compiler.governance import RelationRules, ScanRules
from server.compiler.plan import ROW_ALIAS
from server.compiler.query import member_ref
from server.errors import InsufficientPrivilege
from server.policy.filters import Subject, condition_holds, filter_expression
from server.policy.groups import group_of, require_scope
from server.policy.identity import Caller
from server.policy.masks import mask_expression
from server.semantic.derivation import Derivation, Entry, TableGrant, ViewDerivation, describe
from server.semantic.expand import CannotExpand, columns_read, expand, over_alias, single_column
from server.semantic.model import Dimension, Manifest, Measure, Relation, RelationKind, Table
from server.semantic.policies import AccessPolicy, Mask, MaskFunction
from server.semantic.policy_validation import propagation_graph
from server.semantic.spec import MeasureType
from server.semantic.templates import Reference, Template
from server.sql.table_sql import table_source


class CallerGovernance:
    """The policies of one manifest, decided for one caller."""

    def __init__(self, manifest: Manifest, caller: Caller, secret: bytes) -> None:
        self.manifest = manifest
        self.caller = caller
        self.secret = secret
        self.group = group_of(manifest.user_groups, caller)
        self.graph = propagation_graph(manifest.tables)
        self._lock = threading.RLock()
        self._derivation: Derivation | None = None
        self._views: dict[str, ViewDerivation] = {}
        self._scans: dict[str, ScanRules] = {}
        self._rules: dict[str, RelationRules] = {}
        self._relations: Mapping[str, Relation] | None = None
        self._reaches: dict[str, bool] = {}

    @property
    def group_name(self) -> str | None:
        return self.group.name if self.group is not None else None

    def require(self, scope: str) -> None:
        require_scope(self.group, self.caller, scope)

    def allows(self, scope: str) -> bool:
        """Whether the caller's group grants ``scope`` (no group: nothing)."""
        return self.group is not None and scope in self.group.api_scopes

    # -- entries and grants ------------------------------------------------------------------------

    def entry(self, policies: tuple[AccessPolicy, ...]) -> Entry | None:
        """The entry that applies, ``Entry(None)`` without policies, None when denied."""
        if not policies:
            return Entry(None)
        if self.group is None:
            return None
        for number, policy in enumerate(policies, start=1):
            if policy.is_for(self.group.name) and all(condition_holds(c, self.caller) for c in policy.conditions):
                return Entry(policy, number)
        return None

    def derivation(self) -> Derivation:
        """Every member the caller may not see, with the reason (computed once, for every table)."""
        with self._lock:
            if self._derivation is None:
                self._derivation = Derivation(self.manifest, self.group_name, self.entry)
            return self._derivation

    def table_grant(self, name: str) -> TableGrant | None:
        return self.derivation().grants[name]

    def hidden_members(self) -> frozenset[tuple[str, str]]:
        """(table, member) pairs the caller may not see: hidden, on a denied table, or derived from those."""
        return self.derivation().hidden

    def explain_hidden(self) -> str:
        """What the caller may not see and why, under the entries its attributes select (for ``--explain``).

        Names hidden members: for the model's operators (``quiver query --explain``), never sent to a client.
        """
        return "\n".join([f"group {self.group_name or '(none)'}:", *describe(self.derivation())])

    def view_derivation(self, relation: Relation, entry: Entry) -> ViewDerivation:
        with self._lock:
            found = self._views.get(relation.name)
            if found is None:
                found = self.derivation().view(relation, entry)
                self._views[relation.name] = found
            return found

    # -- relations ---------------------------------------------------------------------------------

    def relations(self) -> Mapping[str, Relation]:
        """The public relations the caller may query, each with only the members it may see."""
        with self._lock:
            if self._relations is None:
                self._relations = MappingProxyType(dict(self._visible_relations()))
            return self._relations

    def _visible_relations(self) -> Iterator[tuple[str, Relation]]:
        hidden = self.hidden_members()
        for name, relation in self.manifest.relations.items():
            if not relation.public:
                continue
            if self.table_grant(relation.root) is None:
                continue  # a view's rows are its root table's rows: a denied root hides the view too
            entry = self.entry(relation.access_policy) if relation.kind is RelationKind.VIEW else Entry(None)
            if entry is None:
                continue
            in_view = (
                self.view_derivation(relation, entry).hidden if relation.kind is RelationKind.VIEW else frozenset()
            )
            members = {
                member_name: member
                for member_name, member in relation.members.items()
                if (member.table, member.member.name) not in hidden and member_name not in in_view
            }
            if not any(m.public for m in members.values()):
                continue
            yield name, replace(relation, members=MappingProxyType(members))

    def rules(self, relation: Relation) -> RelationRules:
        with self._lock:
            found = self._rules.get(relation.name)
            if found is None:
                found = self._relation_rules(relation)
                self._rules[relation.name] = found
            return found

    def _relation_rules(self, relation: Relation) -> RelationRules:
        tables = {relation.root} | {t for (s, t) in self.manifest.join_paths if s == relation.root}
        scans = {name: self.scan_rules(name) for name in sorted(tables)}
        journal = [item for name in sorted(tables) for item in self._journal(name)]
        where = None
        if relation.kind is RelationKind.VIEW:
            entry = self.entry(relation.access_policy)
            if entry is None:
                raise InsufficientPrivilege(f'permission denied for relation "{relation.name}"')
            view_masks: dict[str, dict[str, Mask]] = {}
            for member_name, mask in self.view_derivation(relation, entry).masks.items():
                member = relation.members[member_name]
                view_masks.setdefault(member.table, {})[member.member.name] = mask
            for table_name, masks in view_masks.items():
                scans[table_name] = self._scan_rules(self.manifest.tables[table_name], masks)
                journal.extend(
                    (table_name, f"{table_name}.{d}: masked with {m.func} by view {relation.name}")
                    for d, m in sorted(masks.items())
                )
            if entry.policy is not None and entry.policy.row_filter is not None:
                where = filter_expression(entry.policy.row_filter, self._view_subject(relation), self.caller)
                journal.append((None, f"{relation.name}: rows limited by access_policy entry {entry.number}"))
        return RelationRules(tables=MappingProxyType(scans), where=where, journal=tuple(journal))

    def _view_subject(self, relation: Relation) -> Callable[[str], Subject]:
        def subject(name: str) -> Subject:
            member = relation.members.get(name)
            if member is None or not isinstance(member.member, Dimension):
                raise InsufficientPrivilege(f'permission denied: view policy names "{name}", not a dimension')
            return member_ref(member), member.member.type

        return subject

    # -- scans -------------------------------------------------------------------------------------

    def scan_rules(self, name: str) -> ScanRules:
        with self._lock:
            found = self._scans.get(name)
            if found is None:
                found = self._scan_rules(self.manifest.tables[name], {})
                self._scans[name] = found
            return found

    def _masks(self, table: Table, extra: Mapping[str, Mask]) -> dict[str, Mask]:
        grant = self.table_grant(table.name)
        masks = dict(grant.masks) if grant is not None else {}
        for name, mask in extra.items():
            masks.setdefault(name, mask)
        return masks

    def _scan_rules(self, table: Table, extra_masks: Mapping[str, Mask]) -> ScanRules:
        masks = self._masks(table, extra_masks)
        column_masks: dict[str, exp.Expr] = {}
        column_mask_of: dict[str, Mask] = {}
        member_masks: dict[str, exp.Expr] = {}
        for name, mask in sorted(masks.items()):
            dimension = table.dimensions[name]
            column = single_column(dimension.expression)
            if column is not None:
                sql = mask_expression(mask, dimension.type, self.secret)
                previous = column_masks.get(column.name)
                if previous is not None and previous != sql:
                    # Two dimensions over one column, masked differently: show neither value.
                    sql = mask_expression(Mask(MaskFunction.NULL, {}, False, mask.origin), dimension.type, self.secret)
                column_masks[column.name] = sql
                column_mask_of[column.name] = mask
            else:
                value = self._local(dimension.expression, table)
                member_masks[name] = mask_expression(mask, dimension.type, self.secret, value)
        raw_measures, masked_measures = self._measures(table, masks, column_mask_of, member_masks)
        hidden = any(owner == table.name for owner, _ in self.hidden_members())
        return ScanRules(
            row_filter=self.table_filter(table.name, ROW_ALIAS, 0, ()),
            column_masks=MappingProxyType(column_masks),
            member_masks=MappingProxyType(member_masks),
            raw_measures=raw_measures,
            masked_measures=masked_measures,
            restricted=hidden or bool(masks),
        )

    def _local(self, template: Template, table: Table) -> exp.Expr:
        """A template over ``table``'s raw columns, unqualified (evaluated inside its scan)."""

        def column(reference: Reference, quoted: bool) -> exp.Expr:
            if reference.table != table.name:
                raise CannotExpand(reference.table)
            return exp.column(exp.to_identifier(reference.name, quoted=quoted))

        try:
            return expand(template, self.manifest.tables, column)
        except CannotExpand:
            raise InsufficientPrivilege(
                f'permission denied: a masked member of "{table.name}" reads another table'
            ) from None

    def _measures(
        self,
        table: Table,
        masks: Mapping[str, Mask],
        column_mask_of: Mapping[str, Mask],
        member_masks: Mapping[str, exp.Expr],
    ) -> tuple[frozenset[str], frozenset[str]]:
        """Measures allowed to read raw values, and sums/averages whose value becomes the mask."""
        raw: set[str] = set()
        masked: set[str] = set()
        for measure in table.measures.values():
            inputs: list[Mask] = []
            for template in _templates(measure):
                for reference in _read_columns(template, self.manifest.tables):
                    if reference.table == table.name and reference.name in column_mask_of:
                        inputs.append(column_mask_of[reference.name])
                for name in _referenced_members(template, self.manifest.tables, table.name):
                    if name in member_masks:
                        inputs.append(masks[name])
            if not inputs:
                continue
            if all(mask.aggregates for mask in inputs):
                raw.add(measure.name)
            elif measure.type in (MeasureType.SUM, MeasureType.AVG):
                masked.add(measure.name)
        return frozenset(raw), frozenset(masked)

    # -- row filters -------------------------------------------------------------------------------

    def _own_filters(self, table: Table, alias: str, propagating: bool) -> list[exp.Expr]:
        """The table's own row filters over its columns under ``alias`` (only propagating ones if asked)."""
        parts: list[exp.Expr] = []
        grant = self.table_grant(table.name)
        if grant is None:
            return parts  # a denied table hides its members; its rows restrict nothing else
        policy = grant.entry.policy
        if policy is not None and policy.row_filter is not None and (policy.propagate or not propagating):

            def subject(name: str) -> Subject:
                dimension = table.dimensions.get(name)
                if dimension is None:
                    raise InsufficientPrivilege(f'permission denied: policy of "{table.name}" names "{name}"')
                return self._over(dimension.expression, table, alias), dimension.type

            parts.append(filter_expression(policy.row_filter, subject, self.caller))
        group = self.group_name
        for segment in table.segments.values():
            if segment.secure is not None and group and segment.secure.groups.applies_to(group):
                parts.append(exp.Paren(this=self._over(segment.expression, table, alias)))
        return parts

    def _over(self, template: Template, table: Table, alias: str) -> exp.Expr:
        try:
            return expand(template, self.manifest.tables, over_alias(table.name, alias))
        except CannotExpand:
            raise InsufficientPrivilege(
                f'permission denied: a row filter of "{table.name}" reads another table'
            ) from None

    def reaches_filter(self, name: str, seen: frozenset[str] = frozenset()) -> bool:
        """Does ``name`` have propagating row filters, or reach a table that has?"""
        if name in self._reaches:
            return self._reaches[name]
        if self._own_filters(self.manifest.tables[name], ROW_ALIAS, propagating=True):
            result = True
        else:
            result = any(
                self.reaches_filter(parent, seen | {name}) for parent in self.graph[name] if parent not in seen
            )
        self._reaches[name] = result
        return result

    def table_filter(
        self, name: str, alias: str, depth: int, stack: tuple[str, ...], propagating: bool = False
    ) -> exp.Expr | None:
        """The whole row filter of table ``name`` under ``alias``: its own, and its parents' via EXISTS."""
        table = self.manifest.tables[name]
        parts = self._own_filters(table, alias, propagating)
        for parent in sorted(self.graph[name]):
            if not self.reaches_filter(parent):
                continue
            if parent in stack or parent == name:
                raise InsufficientPrivilege(
                    f'permission denied: row filters cannot be propagated around the join cycle through "{parent}"',
                    hint="Set propagate: false on the policy that filters it (see quiver validate, SM705).",
                )
            inner_alias = f"{ROW_ALIAS}_{depth + 1}"
            inner = self.table_filter(parent, inner_alias, depth + 1, (*stack, name), propagating=True)
            if inner is None:
                continue
            parts.append(self._exists(table, self.manifest.tables[parent], alias, inner_alias, inner))
        if not parts:
            return None
        return exp.and_(*parts, copy=False) if len(parts) > 1 else parts[0]

    def _exists(self, child: Table, parent: Table, alias: str, parent_alias: str, parent_filter: exp.Expr) -> exp.Expr:
        join = self.manifest.join_between(child.name, parent.name) or self.manifest.join_between(
            parent.name, child.name
        )
        assert join is not None

        def column(reference: Reference, quoted: bool) -> exp.Expr:
            owner = alias if reference.table == child.name else parent_alias
            return exp.column(exp.to_identifier(reference.name, quoted=quoted), table=owner)

        condition = expand(join.condition, self.manifest.tables, column)
        select = (
            exp.select(exp.Literal.number(1))
            .from_(table_source(parent.sql, parent_alias), copy=False)
            .where(exp.and_(condition, parent_filter, copy=False), copy=False)
        )
        return exp.Exists(this=select)

    def _journal(self, name: str) -> list[tuple[str | None, str]]:
        table = self.manifest.tables[name]
        grant = self.table_grant(name)
        if grant is None:
            return []
        entries: list[tuple[str | None, str]] = []
        policy = grant.entry.policy
        if policy is not None and policy.row_filter is not None:
            entries.append((name, f"{name}: rows limited by access_policy entry {grant.entry.number}"))
        group = self.group_name
        for segment in table.segments.values():
            if segment.secure is not None and group and segment.secure.groups.applies_to(group):
                entries.append((name, f"{name}: rows limited by secured segment {segment.name}"))
        for parent in sorted(self.graph[name]):
            if self.reaches_filter(parent):
                entries.append((name, f"{name}: rows limited to those whose {parent} rows are visible"))
        for dimension, mask in sorted(grant.masks.items()):
            entries.append((name, f"{name}.{dimension}: masked with {mask.func}"))
        return entries


def _templates(member: object) -> tuple[Template, ...]:
    expression = getattr(member, "expression", None)
    filters = getattr(member, "filters", ())
    return tuple(t for t in (expression, *filters) if t is not None)


def _read_columns(template: Template, tables: Mapping[str, Table]) -> set[Reference]:
    try:
        return columns_read(template, tables)
    except CannotExpand:
        return set(template.column_references())


def _referenced_members(template: Template, tables: Mapping[str, Table], table: str) -> set[str]:
    """Members of ``table`` that ``template`` refers to, directly or through other members."""
    found: set[str] = set()
    stack = [template]
    while stack:
        for reference in stack.pop().member_references():
            member = tables[reference.table].member(reference.name)
            if member is None or isinstance(member, Measure):
                continue
            if reference.table == table and reference.name not in found:
                found.add(reference.name)
                stack.append(member.expression)
    return found
