"""Model checks for access policies (SM701..SM706), so a broken policy fails the build, not a query.

A policy the server could not enforce must never load: the last good model keeps
serving instead. These rules check that every group and member a policy names
exists, that masks and row filters can be evaluated where a table enters a plan
(over that table's own columns), and that row filters can propagate along joins
without running in a circle. ``allow_derived`` gets warnings (SM706) where it
does nothing, or where what it lets through, with what the same groups still
see, gives back the value the entry hides (``net_revenue`` allowed while
``refunded_revenue`` stays visible gives ``gross_amount`` back).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set

from server.errors import did_you_mean
from server.semantic.diagnostics import Issue, Origin, error, warning
from server.semantic.expand import CannotExpand, expand, over_alias, single_column
from server.semantic.lineage import EMPTY_LINEAGE, ModelLineage, Source
from server.semantic.model import Dimension, Manifest, Relation, RelationKind, RelationMember, Segment, Table
from server.semantic.policies import EVERYONE, AccessPolicy, MemberSelection, member_tests
from server.semantic.spec import Relationship

AllPaths = Mapping[tuple[str, str], list[tuple[str, ...]]]


def reads_only_own_table(member: Dimension | Segment, tables: Mapping[str, Table]) -> bool:
    try:
        expand(member.expression, tables, over_alias(member.table, member.table))
    except CannotExpand:
        return False
    return True


def propagation_graph(tables: Mapping[str, Table]) -> dict[str, set[str]]:
    """table -> the tables whose row filters restrict it (it reaches them by many_to_one or one_to_one)."""
    graph: dict[str, set[str]] = {name: set() for name in tables}
    for table in tables.values():
        for join in table.joins.values():
            if join.target not in tables:
                continue
            if join.relationship in (Relationship.MANY_TO_ONE, Relationship.ONE_TO_ONE):
                graph[join.source].add(join.target)
            else:
                graph[join.target].add(join.source)
    return graph


def cycle_through(graph: Mapping[str, set[str]], start: str) -> list[str] | None:
    """A cycle among the tables reachable from ``start`` (itself included), as a path, else None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    return visit(start)


def filters_rows(table: Table) -> bool:
    """Does any policy of ``table`` restrict rows and propagate?"""
    if any(p.propagate and p.row_filter is not None for p in table.access_policy):
        return True
    return any(s.secure is not None for s in table.segments.values())


class Policies:
    codes = ("SM701", "SM702", "SM703", "SM704", "SM705", "SM706")

    def check(self, manifest: Manifest, all_paths: AllPaths) -> Iterable[Issue]:
        groups = {group.name for group in manifest.user_groups}
        for table in manifest.tables.values():
            yield from self._table_rules(manifest, table, groups)
        for relation in manifest.relations.values():
            for policy in relation.access_policy:
                yield from self._policy(manifest, relation, policy, groups)
        graph = propagation_graph(manifest.tables)
        reverse: dict[str, set[str]] = {name: set() for name in graph}
        for child, parents in graph.items():
            for parent in parents:
                reverse[parent].add(child)
        for table in manifest.tables.values():
            if not filters_rows(table):
                continue
            # Row filters flow from a table to every table that reaches it; a cycle there never ends.
            for reached in sorted(_reachable(reverse, table.name)):
                cycle = cycle_through(graph, reached)
                if cycle:
                    yield error(
                        "SM705",
                        f'row filters of "{table.name}" would propagate around the cyclic joins ' + " -> ".join(cycle),
                        table.origin,
                        "Set propagate: false on the policy, or model one side as a separate table.",
                    )
                    break

    def _table_rules(self, manifest: Manifest, table: Table, groups: set[str]) -> Iterable[Issue]:
        for dimension in table.dimensions.values():
            masked = dimension.mask is not None or (dimension.secure is not None and dimension.secure.mask)
            computed = single_column(dimension.expression) is None
            if masked and computed and not reads_only_own_table(dimension, manifest.tables):
                yield error(
                    "SM703",
                    f'masked dimension "{table.name}.{dimension.name}" reads another table\'s columns',
                    dimension.origin,
                    "A mask is applied where the table enters a query, so it can read only that table.",
                )
            if dimension.secure is not None:
                yield from _group_names(
                    dimension.secure.groups.includes + dimension.secure.groups.excludes, groups, dimension.secure.origin
                )
                for written in dimension.secure.allow_derived:
                    owner, _, name = written.rpartition(".")
                    found = manifest.tables.get(owner or table.name)
                    if found is None or found.member(name) is None:
                        yield error(
                            "SM702",
                            f'meta.secure of "{table.name}.{dimension.name}": allow_derived names unknown member '
                            f'"{written}"',
                            dimension.secure.origin,
                            did_you_mean(written, [m.name for m in table.members], "member"),
                        )
        for segment in table.segments.values():
            if segment.secure is None:
                continue
            yield from _group_names(
                segment.secure.groups.includes + segment.secure.groups.excludes, groups, segment.secure.origin
            )
            if not reads_only_own_table(segment, manifest.tables):
                yield error(
                    "SM704",
                    f'secured segment "{table.name}.{segment.name}" reads another table\'s columns',
                    segment.origin,
                    "A forced segment filters rows where the table enters a query, so it can read only that table.",
                )

    def _policy(
        self, manifest: Manifest, relation: Relation, policy: AccessPolicy, groups: set[str]
    ) -> Iterable[Issue]:
        yield from _group_names(policy.groups, groups, policy.origin)
        for selection in (policy.member_level, policy.member_masking):
            yield from _selection_names(relation, selection, policy.origin)
        yield from _allow_derived(manifest, relation, policy)
        for member in _masking_members(relation, policy):
            dimension = member.member
            if not isinstance(dimension, Dimension):
                yield error(
                    "SM702",
                    f'member_masking on "{relation.name}": "{member.name}" is not a dimension; only dimensions '
                    "are masked",
                    policy.origin,
                    "Hide measures with member_level, or mask the dimensions they read.",
                )
            elif single_column(dimension.expression) is None and not reads_only_own_table(dimension, manifest.tables):
                yield error(
                    "SM703",
                    f'masked member "{relation.name}.{member.name}" reads another table\'s columns',
                    policy.origin,
                )
        for test in member_tests(policy.row_filter):
            found = relation.members.get(test.member)
            if found is None:
                yield _unknown(relation, test.member, test.origin)
            elif not isinstance(found.member, Dimension):
                yield error(
                    "SM704", f'row filter on "{relation.name}": "{test.member}" is not a dimension', test.origin
                )
            elif relation.kind is RelationKind.TABLE and not reads_only_own_table(found.member, manifest.tables):
                yield error(
                    "SM704",
                    f'row filter on "{relation.name}": "{test.member}" reads another table\'s columns',
                    test.origin,
                    "Declare the filter on the table that owns those columns; it propagates along joins.",
                )


def _masking_members(relation: Relation, policy: AccessPolicy) -> list[RelationMember]:
    selection = policy.member_masking
    if selection is None:
        return []
    return [m for m in relation.members.values() if selection.selects(m.name)]


def _reachable(graph: Mapping[str, set[str]], start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _group_names(names: Iterable[str], groups: set[str], origin: Origin) -> Iterable[Issue]:
    for name in names:
        if name != EVERYONE and name not in groups:
            yield error("SM701", f'unknown user group "{name}"', origin, did_you_mean(name, groups, "group"))


def _selection_names(relation: Relation, selection: MemberSelection | None, origin: Origin) -> Iterable[Issue]:
    if selection is None:
        return
    for written in (*selection.includes, *selection.excludes):
        if written != EVERYONE and written not in relation.members:
            yield _unknown(relation, written, origin)


def _unknown(relation: Relation, written: str, origin: Origin, what: str = "names") -> Issue:
    return error(
        "SM702",
        f'policy on "{relation.name}" {what} unknown member "{written}"',
        origin,
        did_you_mean(written, list(relation.members), "member"),
    )


# -- allow_derived ------------------------------------------------------------------------------------------


def _allowed_member(manifest: Manifest, relation: Relation, written: str) -> RelationMember | None:
    """The member ``written`` names: one of the relation's, or ``table.member`` of any table."""
    if written in relation.members:
        return relation.members[written]
    owner, _, name = written.rpartition(".")
    table = manifest.tables.get(owner)
    member = table.member(name) if table is not None else None
    return RelationMember(written, member, (owner,), member.public) if member is not None else None


def _allow_derived(manifest: Manifest, relation: Relation, policy: AccessPolicy) -> Iterable[Issue]:
    """SM702 for unknown names; SM706 where allowing a member does nothing or gives the hidden value back."""
    if not policy.allow_derived:
        return
    lineage = manifest.lineage or EMPTY_LINEAGE
    hidden = [m for name, m in relation.members.items() if _hides(policy, name)]
    hidden_keys = {(m.table, m.member.name) for m in hidden}
    protected = {key for m in hidden for key in lineage.keys(lineage.of_relation_member(m))}
    protected |= _masked_protects(lineage, relation, policy)
    for written in policy.allow_derived:
        member = _allowed_member(manifest, relation, written)
        if member is None:
            yield _unknown(relation, written, policy.origin, "allow_derived names")
            continue
        key = (member.table, member.member.name)
        found = lineage.of(*key)
        if key in hidden_keys:
            yield warning(
                "SM706",
                f'allow_derived on "{relation.name}" names "{written}", which the same entry hides; it stays hidden',
                policy.origin,
                "allow_derived lets through members derived from what the entry hides, not the hidden ones.",
            )
            continue
        reads = {s for s in found.sources if lineage.identity(s) & protected}
        if not reads and not (found.members & hidden_keys):
            yield warning(
                "SM706",
                f'allow_derived on "{relation.name}" names "{written}", which derives from nothing the entry hides',
                policy.origin,
            )
            continue
        yield from _recomputable(lineage, relation, policy, written, found.sources - reads, reads, hidden_keys)


def _recomputable(
    lineage: ModelLineage,
    relation: Relation,
    policy: AccessPolicy,
    written: str,
    others: Set[Source],
    reads: Set[Source],
    hidden_keys: set[tuple[str, str]],
) -> Iterable[Issue]:
    """A warning when the allowed member's other columns are visible through some member of the entry's groups."""
    for source in sorted(others):
        identity = lineage.identity(source)
        for name, member in relation.members.items():
            if (member.table, member.member.name) in hidden_keys or name == written:
                continue
            seen = lineage.of_relation_member(member)
            if seen.sources and all(lineage.identity(s) & identity for s in seen.sources):
                shown = ", ".join(str(s) for s in sorted(reads))
                yield warning(
                    "SM706",
                    f'allow_derived on "{relation.name}" lets "{written}" through, which reads the hidden {shown} '
                    f'together with {source}; "{name}" shows {source} to the same groups, so the hidden value can '
                    "be recomputed from the two",
                    policy.origin,
                    f'Hide "{name}" (and every member over {source}) in this entry too, or do not allow "{written}".',
                )
                return


def _masked_protects(lineage: ModelLineage, relation: Relation, policy: AccessPolicy) -> set[str]:
    """Columns the entry's masked computed dimensions read that no masked one-column dimension covers."""
    masked = [m for name, m in relation.members.items() if _masks(policy, name) and isinstance(m.member, Dimension)]
    covered: set[Source] = set()
    computed: list[RelationMember] = []
    for member in masked:
        assert isinstance(member.member, Dimension)
        column = single_column(member.member.expression)
        if column is None:
            computed.append(member)
        else:
            covered.add(Source(column.table, column.name))
    return {
        key
        for member in computed
        for source in lineage.of_relation_member(member).sources - covered
        for key in lineage.identity(source)
    }


def _masks(policy: AccessPolicy, name: str) -> bool:
    level, masking = policy.member_level, policy.member_masking
    return level is not None and not level.selects(name) and masking is not None and masking.selects(name)


def _hides(policy: AccessPolicy, name: str) -> bool:
    """Does the entry hide member ``name`` outright (neither keep it whole nor mask it)?"""
    level = policy.member_level
    if level is None or level.selects(name):
        return False
    masking = policy.member_masking
    return masking is None or not masking.selects(name)
