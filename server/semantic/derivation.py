"""What one user group may not see, and why: policies follow derivation (invariant 0).

Given the access_policy entry that applies to a group on each table (the policy
stage chooses it for a caller, evaluating ``conditions``; ``quiver validate
--explain`` assumes them), the decision is made in four steps:

1. **Grants.** Per table, the members the entry hides (``member_level``) and
   masks (``member_masking``, Lens ``meta.secure``). No entry: the table is denied.
2. **Withheld members protect columns.** A hidden member, or a member of a denied
   table, protects every source column it reads (:mod:`server.semantic.lineage`).
   (A denied table protects its columns from members of other tables that read
   them, not from another table the model declares over the same source.)
   A masked dimension over one column protects nothing: every member reading that
   column reads the mask (sums and averages over it show NULL unless the mask says
   ``aggregates: true``). A masked dimension computed from several columns protects
   those of its columns no single-column mask covers.
3. **Derived members follow.** Every other member that reads a protected column
   (in its SQL, its filters, the members it names, the measures a ``number``
   measure is built on) or is built on a hidden member is hidden too, unless the
   rule withholding the column allows it by name (``allow_derived``). A member
   whose lineage cannot be decided is hidden whenever the group is refused
   anything (a member, a mask, a row), unless its own table's entry allows it.
4. **Views.** A view's member is its table's member: hidden there, hidden in the
   view. A view's own entry may hide or mask more of the view's members, and
   derivation applies within the view the same way, with that entry's
   ``allow_derived``.

``allow_derived`` is not transitive: a ``number`` measure over an allowed member
reads the protected columns too, and is allowed only when it is named as well.
Row filters are not changed by any of this: derivation decides members only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from server.semantic.diagnostics import UNKNOWN_ORIGIN
from server.semantic.expand import single_column
from server.semantic.lineage import Lineage, MemberKey, ModelLineage, Source, build_lineage, describe_key, model_key
from server.semantic.model import Dimension, Manifest, Member, Relation, RelationKind, Table
from server.semantic.policies import AccessPolicy, Mask, MaskFunction

DEFAULT_MASK = Mask(MaskFunction.REDACT, MappingProxyType({}), False, UNKNOWN_ORIGIN)
HIDDEN = "hidden"


class Withholding(StrEnum):
    HIDDEN = "hidden"
    MASKED = "masked"
    DENIED = "denied"


@dataclass(frozen=True)
class Rule:
    """A policy rule that withholds members, and the derived members it lets through by name."""

    text: str  # "access_policy entry 2 of orders", "meta.secure of customers.email"
    owner: str  # the table or view whose member names ``allow`` uses
    allow: frozenset[str] = frozenset()
    view: bool = False

    def allows(self, candidate: Candidate) -> bool:
        if self.view:
            return candidate.exposed in self.allow
        if candidate.table == self.owner and candidate.name in self.allow:
            return True
        return f"{candidate.table}.{candidate.name}" in self.allow


@dataclass(frozen=True)
class Entry:
    """The access_policy entry that applies to a group (``policy`` None: the relation has no policy)."""

    policy: AccessPolicy | None
    number: int = 0  # 1-based, for explanations and the plan's journal

    def member(self, name: str, member: object) -> Mask | str | None:
        """``None`` (whole), a :class:`Mask`, or ``"hidden"`` for one member under this entry."""
        policy = self.policy
        if policy is None or policy.member_level is None or policy.member_level.selects(name):
            return None
        masking = policy.member_masking
        if masking is not None and masking.selects(name) and isinstance(member, Dimension):
            return member.mask or DEFAULT_MASK
        return HIDDEN

    def rule(self, owner: str, view: bool = False) -> Rule:
        allow = frozenset(self.policy.allow_derived) if self.policy is not None else frozenset()
        return Rule(f"access_policy entry {self.number} of {owner}", owner, allow, view)


Choose = Callable[[tuple[AccessPolicy, ...]], Entry | None]


@dataclass(frozen=True)
class TableGrant:
    """A table's members as one group sees them: some hidden, some masked (each with the rule that masks it)."""

    entry: Entry
    hidden: frozenset[str]
    masks: Mapping[str, Mask]
    mask_rules: Mapping[str, Rule]


def table_grant(table: Table, entry: Entry | None, group: str | None) -> TableGrant | None:
    """The grant of ``table`` under ``entry`` (None: the table is denied to the group)."""
    if entry is None:
        return None
    rule = entry.rule(table.name)
    hidden: set[str] = set()
    masks: dict[str, Mask] = {}
    rules: dict[str, Rule] = {}
    for member in table.members:
        decision = entry.member(member.name, member)
        if decision == HIDDEN:
            hidden.add(member.name)
        elif isinstance(decision, Mask):
            masks[member.name] = decision
            rules[member.name] = rule
    for dimension in table.dimensions.values():
        secure = dimension.secure
        if secure is None or secure.mask is None or dimension.name in masks:
            continue
        if group and secure.groups.applies_to(group):
            masks[dimension.name] = secure.mask
            rules[dimension.name] = Rule(
                f"meta.secure of {table.name}.{dimension.name}", table.name, frozenset(secure.allow_derived)
            )
    return TableGrant(entry, frozenset(hidden), MappingProxyType(masks), MappingProxyType(rules))


# -- derivation ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A member as a relation shows it: ``exposed`` is its column name there (a view may rename it)."""

    table: str
    name: str
    exposed: str

    @property
    def key(self) -> MemberKey:
        return (self.table, self.name)

    def __str__(self) -> str:
        return f"{self.table}.{self.name}"


@dataclass(frozen=True)
class Withheld:
    """A member a rule hides or masks outright, and the source columns it protects."""

    member: Candidate
    how: Withholding
    rule: Rule
    protects: frozenset[Source]
    column: Source | None = None  # the one column a dimension is, when it is exactly one column
    mask: str = ""  # the mask function, for a masked member


@dataclass(frozen=True)
class Decision:
    """A member hidden because of what it derives from, or let through by ``allow_derived`` (``hidden`` False)."""

    member: Candidate
    hidden: bool
    reason: str
    rule: Rule | None


def _sources(lineage: ModelLineage, key: MemberKey) -> Lineage:
    return lineage.of(*key)


def _reads(source: Source, key: str, hit: tuple[Source, Withheld]) -> str:
    protected, withheld = hit
    same = "" if protected == source else f" (the same source column as {protected}: {describe_key(key)})"
    if withheld.column == protected:
        return f"it reads {source}{same}, {withheld.how} by {withheld.rule.text}"
    return f"it reads {source}{same}, which the {withheld.how} {withheld.member} reads ({withheld.rule.text})"


def derive(
    lineage: ModelLineage,
    candidates: Iterable[Candidate],
    withheld: Sequence[Withheld],
    *,
    restricted: bool,
    own_rule: Callable[[Candidate], Rule | None] | None = None,
) -> dict[Candidate, Decision]:
    """The members of ``candidates`` hidden (or allowed) because of what ``withheld`` protects.

    ``restricted``: the group is refused something, so a member whose lineage cannot be decided is
    hidden (unless ``own_rule`` of it allows it); None ``own_rule`` leaves undecided members alone.
    """
    protected: dict[str, list[tuple[Source, Withheld]]] = {}
    # Dimensions first: "reads orders.gross_amount, hidden by ..." says more than naming a measure over it.
    for item in sorted(withheld, key=lambda w: w.column is None):
        for source in sorted(item.protects):
            # A denied table is a statement about a relation, not about its data: another table the model
            # declares over the same source (a public subset, say) stays. A hidden or masked member is a
            # statement about data: no table over the same source column may show it.
            keys = {model_key(source)} if item.how is Withholding.DENIED else lineage.identity(source)
            for key in sorted(keys):
                protected.setdefault(key, []).append((source, item))
    built_on = {w.member.key: w for w in withheld if w.how is not Withholding.MASKED}
    skip = {w.member for w in withheld}
    decisions: dict[Candidate, Decision] = {}
    for candidate in candidates:
        if candidate in skip:
            continue
        found = _sources(lineage, candidate.key)
        reasons: list[tuple[str, Withheld]] = []
        for reference in sorted(found.members):
            hit = built_on.get(reference)
            if hit is not None:
                reasons.append((f"it is built on {hit.member}, {hit.how} by {hit.rule.text}", hit))
        for source in sorted(found.sources):
            # Every rule protecting the column counts: each must allow the member for it to stay.
            rules_seen: set[Rule] = set()
            for key in sorted(lineage.identity(source)):
                for guarded in protected.get(key, ()):
                    if guarded[1].rule not in rules_seen:
                        rules_seen.add(guarded[1].rule)
                        reasons.append((_reads(source, key, guarded), guarded[1]))
        if not found.decided and restricted and own_rule is not None:
            rule = own_rule(candidate)
            text = f"its lineage cannot be decided: {found.undecided}"
            if rule is None or not rule.allows(candidate):
                decisions[candidate] = Decision(candidate, True, text, rule)
                continue
            reasons.append((text, Withheld(candidate, Withholding.HIDDEN, rule, frozenset())))
        if not reasons:
            continue
        blocking = [(text, item) for text, item in reasons if not item.rule.allows(candidate)]
        if blocking:
            text, item = blocking[0]
            decisions[candidate] = Decision(candidate, True, text, item.rule)
        else:
            rules = list(dict.fromkeys(item.rule.text for _, item in reasons))
            text = f"allowed by allow_derived of {', '.join(rules)}, although {reasons[0][0]}"
            decisions[candidate] = Decision(candidate, False, text, reasons[0][1].rule)
    return decisions


def _column_masked(table: Table, masks: Mapping[str, Mask]) -> set[Source]:
    """Columns read through a mask by everything (the columns of masked one-column dimensions)."""
    found: set[Source] = set()
    for name in masks:
        column = single_column(table.dimensions[name].expression)
        if column is not None:
            found.add(Source(column.table, column.name))
    return found


def _withheld_mask(
    lineage: ModelLineage, table: Table, candidate: Candidate, mask: Mask, rule: Rule, covered: set[Source]
) -> Withheld:
    dimension = table.dimensions[candidate.name]
    column = single_column(dimension.expression)
    if column is not None:
        return Withheld(candidate, Withholding.MASKED, rule, frozenset(), Source(column.table, column.name), mask.func)
    sources = lineage.of(table.name, candidate.name).sources
    return Withheld(candidate, Withholding.MASKED, rule, frozenset(sources - covered), None, mask.func)


def _withheld_whole(
    lineage: ModelLineage, member: Member, candidate: Candidate, how: Withholding, rule: Rule
) -> Withheld:
    column = single_column(member.expression) if isinstance(member, Dimension) else None
    sources = lineage.of(member.table, member.name).sources
    return Withheld(candidate, how, rule, sources, Source(column.table, column.name) if column else None)


@dataclass(frozen=True)
class ViewDerivation:
    """A view's members as one group sees them (on top of its tables' decisions)."""

    entry: Entry
    hidden: frozenset[str]  # exposed names
    masks: Mapping[str, Mask]  # exposed name -> mask the view's entry adds
    withheld: tuple[Withheld, ...]
    decisions: Mapping[Candidate, Decision]


class Derivation:
    """Every member one group may not see (withheld or derived), with the reason, for one choice of entries."""

    def __init__(self, manifest: Manifest, group: str | None, choose: Choose) -> None:
        self.manifest = manifest
        self.group = group
        self.choose = choose
        self.lineage = manifest.lineage or build_lineage(manifest.tables)
        tables = manifest.tables
        self.grants: Mapping[str, TableGrant | None] = MappingProxyType(
            {name: table_grant(table, choose(table.access_policy), group) for name, table in tables.items()}
        )
        self.withheld = tuple(self._table_withheld())
        self.restricted = bool(self.withheld) or any(self._filters_rows(name) for name in tables)
        candidates = [Candidate(t.name, m.name, m.name) for t in tables.values() for m in t.members]
        self.decisions: Mapping[Candidate, Decision] = MappingProxyType(
            derive(self.lineage, candidates, self.withheld, restricted=self.restricted, own_rule=self._own_rule)
        )
        hidden = {w.member.key for w in self.withheld if w.how is not Withholding.MASKED}
        hidden.update(c.key for c, d in self.decisions.items() if d.hidden)
        self.hidden: frozenset[MemberKey] = frozenset(hidden)

    def _own_rule(self, candidate: Candidate) -> Rule | None:
        grant = self.grants.get(candidate.table)
        return grant.entry.rule(candidate.table) if grant is not None and grant.entry.policy is not None else None

    def _filters_rows(self, name: str) -> bool:
        grant = self.grants[name]
        if grant is None:
            return False
        if grant.entry.policy is not None and grant.entry.policy.row_filter is not None:
            return True
        group = self.group
        return any(
            s.secure is not None and group and s.secure.groups.applies_to(group)
            for s in self.manifest.tables[name].segments.values()
        )

    def _table_withheld(self) -> Iterator[Withheld]:
        for table in self.manifest.tables.values():
            grant = self.grants[table.name]
            if grant is None:
                rule = Rule(
                    f"access_policy of {table.name} (no entry admits group {self.group or '(none)'})", table.name
                )
                for member in table.members:
                    candidate = Candidate(table.name, member.name, member.name)
                    yield _withheld_whole(self.lineage, member, candidate, Withholding.DENIED, rule)
                continue
            rule = grant.entry.rule(table.name)
            for name in sorted(grant.hidden):
                hidden = table.member(name)
                assert hidden is not None
                yield _withheld_whole(self.lineage, hidden, Candidate(table.name, name, name), Withholding.HIDDEN, rule)
            covered = _column_masked(table, grant.masks)
            for name, mask in sorted(grant.masks.items()):
                if name in grant.hidden:
                    continue  # hidden whole; its mask still covers its column where other members read it
                candidate = Candidate(table.name, name, name)
                yield _withheld_mask(self.lineage, table, candidate, mask, grant.mask_rules[name], covered)

    def view(self, relation: Relation, entry: Entry) -> ViewDerivation:
        """Derivation within a view whose own entry for the group is ``entry``."""
        rule = entry.rule(relation.name, view=True)
        withheld: list[Withheld] = []
        masks: dict[str, Mask] = {}
        by_table: dict[str, dict[str, Mask]] = {}
        for exposed, member in relation.members.items():
            decision = entry.member(exposed, member.member)
            if isinstance(decision, Mask):
                masks[exposed] = decision
                by_table.setdefault(member.table, {})[member.member.name] = decision
        for exposed, member in relation.members.items():
            candidate = Candidate(member.table, member.member.name, exposed)
            if candidate.key in self.hidden:
                continue
            decision = entry.member(exposed, member.member)
            if decision == HIDDEN:
                withheld.append(_withheld_whole(self.lineage, member.member, candidate, Withholding.HIDDEN, rule))
            elif isinstance(decision, Mask):
                table = self.manifest.tables[member.table]
                grant = self.grants[member.table]
                covered = _column_masked(table, {**(grant.masks if grant else {}), **by_table[member.table]})
                withheld.append(_withheld_mask(self.lineage, table, candidate, decision, rule, covered))
        candidates = [
            Candidate(m.table, m.member.name, exposed)
            for exposed, m in relation.members.items()
            if (m.table, m.member.name) not in self.hidden
        ]
        decisions = derive(self.lineage, candidates, withheld, restricted=False)
        hidden = {w.member.exposed for w in withheld if w.how is not Withholding.MASKED}
        hidden.update(c.exposed for c, d in decisions.items() if d.hidden)
        return ViewDerivation(
            entry, frozenset(hidden), MappingProxyType(masks), tuple(withheld), MappingProxyType(decisions)
        )


# -- explaining (quiver validate --explain) -----------------------------------------------------------------


def first_entry(group: str, instead: tuple[tuple[AccessPolicy, ...], int] | None = None) -> Choose:
    """The first entry for ``group``, assuming its conditions hold (what ``validate --explain`` shows).

    ``instead``: for that list of entries, entry number N (a caller who fails the earlier ones' conditions).
    """

    def choose(policies: tuple[AccessPolicy, ...]) -> Entry | None:
        if not policies:
            return Entry(None)
        if instead is not None and policies is instead[0]:
            return Entry(policies[instead[1] - 1], instead[1])
        for number, policy in enumerate(policies, start=1):
            if policy.is_for(group):
                return Entry(policy, number)
        return None

    return choose


def _fallbacks(manifest: Manifest, group: str) -> Iterator[tuple[str, tuple[AccessPolicy, ...], int]]:
    """(relation, its entries, N) for each later entry a caller of ``group`` reaches by failing conditions."""
    for name, relation in manifest.relations.items():
        candidates = [(n, p) for n, p in enumerate(relation.access_policy, start=1) if p.is_for(group)]
        for index in range(1, len(candidates)):
            if any(not p.conditions for _, p in candidates[:index]):
                break
            yield name, relation.access_policy, candidates[index][0]


def _withheld_line(item: Withheld, relation: str) -> str:
    name = f"{relation}.{item.member.exposed}"
    if item.how is Withholding.MASKED:
        return f"{name}: masked ({item.mask}) by {item.rule.text}"
    return f"{name}: {item.how} by {item.rule.text}"


def _decision_line(decision: Decision, relation: str) -> str:
    state = "hidden" if decision.hidden else "visible,"
    return f"{relation}.{decision.member.exposed}: {state} because {decision.reason}"


def explain_group(
    manifest: Manifest, group: str, instead: tuple[tuple[AccessPolicy, ...], int] | None = None
) -> list[str]:
    """What ``group`` may not see, table by table and view by view, each with its reason."""
    return describe(Derivation(manifest, group, first_entry(group, instead)))


def describe(derivation: Derivation) -> list[str]:
    """One line per withheld or derived member (indented under its table or view), with its reason."""
    manifest, group = derivation.manifest, derivation.group or "(no group)"
    lines: list[str] = []
    for name in manifest.tables:
        grant = derivation.grants[name]
        if grant is None:
            lines.append(f"  {name}: denied (no access_policy entry admits {group})")
            continue
        policy = grant.entry.policy
        items = [_withheld_line(w, name) for w in derivation.withheld if w.member.table == name]
        items += [_decision_line(d, name) for c, d in derivation.decisions.items() if c.table == name]
        rows = policy is not None and policy.row_filter is not None
        if not items and not rows:
            continue
        header = f"  {name}: access_policy entry {grant.entry.number}" if policy else f"  {name}: no access_policy"
        if policy is not None and policy.conditions:
            header += " (when " + " and ".join(c.text for c in policy.conditions) + ")"
        if rows:
            header += "; rows filtered"
        lines.append(header)
        lines.extend(f"    {item}" for item in items)
    for relation in manifest.relations.values():
        if relation.kind is RelationKind.VIEW:
            lines.extend(_explain_view(derivation, relation, group))
    return lines or ["  every member of every relation"]


def _explain_view(derivation: Derivation, relation: Relation, group: str) -> list[str]:
    entry = derivation.choose(relation.access_policy)
    if derivation.grants.get(relation.root) is None or entry is None:
        return [f"  view {relation.name}: denied (its root table or its access_policy does not admit {group})"]
    inherited = [
        f"{relation.name}.{exposed}: hidden, as {member.table}.{member.member.name} is"
        for exposed, member in relation.members.items()
        if (member.table, member.member.name) in derivation.hidden
    ]
    view = derivation.view(relation, entry)
    items = [
        *inherited,
        *(_withheld_line(w, relation.name) for w in view.withheld),
        *(_decision_line(d, relation.name) for d in view.decisions.values()),
    ]
    if not items:
        return []
    header = f"  view {relation.name}" + (f": access_policy entry {entry.number}" if entry.policy else "")
    return [header, *(f"    {item}" for item in items)]


def explain(manifest: Manifest) -> str:
    """Every user group's withheld and derived members (``quiver validate --explain``).

    Each group is shown under the first access_policy entry that names it on each
    table, as if that entry's conditions held; a caller who fails them gets a later one.
    """
    lines = [
        "What each user group may not see. A member hidden or masked for a group also hides, for that group,",
        "every member that reads the same source columns or is built on it, unless allow_derived names it.",
    ]
    for group in manifest.user_groups:
        lines.append(f"group {group.name}:")
        lines.extend(explain_group(manifest, group.name))
        for relation, policies, number in _fallbacks(manifest, group.name):
            lines.append(f"group {group.name}, when the conditions before entry {number} of {relation} fail:")
            lines.extend(explain_group(manifest, group.name, (policies, number)))
    return "\n".join(lines)
