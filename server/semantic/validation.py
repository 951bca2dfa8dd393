"""Cross-cutting checks over a built manifest: one small rule class per concern.

Each rule returns issues and never raises, so every problem in a model is listed
in one run. Codes are stable and documented in the README; a test fails when a
code is used here but not documented there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import sqlglot.expressions as exp

from server.semantic.diagnostics import Issue, error, warning
from server.semantic.model import Manifest, MemberKind, Table
from server.semantic.spec import MeasureType
from server.semantic.templates import REF_META, Reference, ReferenceKind, Template

AllPaths = Mapping[tuple[str, str], list[tuple[str, ...]]]

KNOWN_SCOPES = frozenset({"meta", "data", "explain", "graphql", "rest", "sql", "flight", "mcp", "jobs", "source"})


class Rule(Protocol):
    @property
    def codes(self) -> tuple[str, ...]:
        """The diagnostic codes the rule can emit (each rule class states them as a class attribute)."""

    def check(self, manifest: Manifest, all_paths: AllPaths) -> Iterable[Issue]: ...


def unique_join_paths(all_paths: AllPaths) -> dict[tuple[str, str], tuple[str, ...]]:
    return {key: paths[0] for key, paths in all_paths.items() if len(paths) == 1}


def _kind_of(manifest: Manifest, ref: Reference) -> MemberKind | None:
    table = manifest.tables.get(ref.table)
    member = table.member(ref.name) if table else None
    return member.kind if member else None


class CrossTableReferences:
    """A member naming another table's member needs exactly one shortest join path to it."""

    codes = ("SM202", "SM206")

    def check(self, manifest: Manifest, all_paths: AllPaths) -> Iterable[Issue]:
        for table in manifest.tables.values():
            for member in table.members:
                for template in _templates(member):
                    for ref in template.member_references():
                        if ref.table == table.name:
                            continue
                        paths = all_paths.get((table.name, ref.table), [])
                        if not paths:
                            yield error(
                                "SM202",
                                f'"{table.name}.{member.name}" refers to "{ref}", but no join leads from '
                                f'"{table.name}" to "{ref.table}"',
                                template.origin,
                                f'Declare a join to "{ref.table}" on "{table.name}" (or on a table it joins).',
                            )
                        elif len(paths) > 1:
                            shown = " and ".join(".".join(p) for p in paths[:2])
                            yield error(
                                "SM206",
                                f'ambiguous join path from "{table.name}" to "{ref.table}": {shown}',
                                template.origin,
                                "Reference the member through a view whose join_path picks one route.",
                            )


class ReferenceCycles:
    """Members may not refer to themselves, directly or through others."""

    codes = ("SM301", "SM302")

    def check(self, manifest: Manifest, all_paths: AllPaths) -> Iterable[Issue]:
        graph: dict[tuple[str, str], list[tuple[str, str]]] = {}
        members = {}
        for table in manifest.tables.values():
            for member in table.members:
                key = (table.name, member.name)
                members[key] = member
                graph[key] = [(ref.table, ref.name) for t in _templates(member) for ref in t.member_references()]
        reported: set[frozenset[tuple[str, str]]] = set()
        state: dict[tuple[str, str], int] = {}
        stack: list[tuple[str, str]] = []

        def visit(node: tuple[str, str]) -> Iterable[Issue]:
            state[node] = 1
            stack.append(node)
            for nxt in graph.get(node, []):
                if nxt not in graph:
                    continue
                if state.get(nxt) == 1:
                    cycle = stack[stack.index(nxt) :]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        first = members[cycle[0]]
                        code = "SM301" if first.kind is MemberKind.MEASURE else "SM302"
                        names = " -> ".join(f"{t}.{n}" for t, n in [*cycle, cycle[0]])
                        yield error(code, f"reference cycle: {names}", first.origin)
                elif state.get(nxt) is None:
                    yield from visit(nxt)
            stack.pop()
            state[node] = 2

        for node in graph:
            if node not in state:
                yield from visit(node)


class TypeMisuse:
    """Aggregation used where it cannot be: measures in row-level expressions, nested aggregates."""

    codes = ("SM401", "SM402", "SM403")

    def check(self, manifest: Manifest, all_paths: AllPaths) -> Iterable[Issue]:
        for table in manifest.tables.values():
            yield from self._row_level(manifest, table)
            yield from self._measures(manifest, table)

    def _row_level(self, manifest: Manifest, table: Table) -> Iterable[Issue]:
        row_level: list[tuple[str, Template]] = [
            *((f'dimension "{d.name}"', d.expression) for d in table.dimensions.values()),
            *((f'segment "{s.name}"', s.expression) for s in table.segments.values()),
            *((f'join to "{j.target}"', j.condition) for j in table.joins.values()),
            *((f'a filter of measure "{m.name}"', f) for m in table.measures.values() for f in m.filters),
        ]
        for what, template in row_level:
            for ref in template.member_references():
                if _kind_of(manifest, ref) is MemberKind.MEASURE:
                    yield error(
                        "SM401",
                        f'{what} of table "{table.name}" refers to measure "{ref}"',
                        template.origin,
                        "Row-level expressions can use dimensions and columns only; build a measure instead.",
                    )
            if template.has_aggregate():
                yield error(
                    "SM401",
                    f'{what} of table "{table.name}" uses an aggregate function',
                    template.origin,
                    "Aggregates belong in measures.",
                )

    def _measures(self, manifest: Manifest, table: Table) -> Iterable[Issue]:
        for measure in table.measures.values():
            template = measure.expression
            label = f'measure "{table.name}.{measure.name}"'
            if template is None:
                if measure.type not in (MeasureType.COUNT,):
                    yield error(
                        "SM402",
                        f"{label} of type {measure.type} needs sql",
                        measure.origin,
                        "Only count measures may omit sql (they count rows).",
                    )
                continue
            refs = template.member_references()
            measure_refs = [r for r in refs if _kind_of(manifest, r) is MemberKind.MEASURE]
            if measure.type is MeasureType.NUMBER:
                if not measure_refs and not template.has_aggregate():
                    yield error(
                        "SM401",
                        f"{label} of type number neither aggregates nor refers to measures",
                        template.origin,
                        "Use {other_measure} references or an aggregate such as sum({TABLE}.x).",
                    )
                elif measure_refs and _bare_row_values(template, manifest):
                    yield error(
                        "SM401",
                        f"{label} mixes measures with row-level values outside an aggregate",
                        template.origin,
                    )
                continue
            if measure_refs:
                yield error(
                    "SM401",
                    f'{label} of type {measure.type} aggregates measure "{measure_refs[0]}"',
                    template.origin,
                    "Use type: number to combine measures.",
                )
            elif template.has_aggregate():
                yield error(
                    "SM401",
                    f"{label} of type {measure.type} already contains an aggregate function",
                    template.origin,
                    "Use type: number for a hand-written aggregate, or drop the inner aggregate.",
                )
            for t in (template, *measure.filters):
                foreign = [r for r in t.references if r.table != table.name]
                if foreign:
                    yield error(
                        "SM403",
                        f'{label} reads "{foreign[0]}" from another table',
                        t.origin,
                        "A measure aggregates the rows of its own table; move it, or define a dimension there.",
                    )


def _bare_row_values(template: Template, manifest: Manifest) -> bool:
    """True when a column or dimension appears outside any aggregate in a derived measure."""
    for node in template.tree.find_all(exp.Column):
        if node.find_ancestor(exp.AggFunc) is not None:
            continue
        index = node.meta.get(REF_META)
        if not index:
            return True
        ref = template.references[index - 1]
        if ref.kind is ReferenceKind.COLUMN or _kind_of(manifest, ref) is not MemberKind.MEASURE:
            return True
    return False


class PrimaryKeys:
    """A table another table joins to, or that fans out, should declare its primary key."""

    codes = ("SM404",)

    def check(self, manifest: Manifest, all_paths: AllPaths) -> Iterable[Issue]:
        needs_key: dict[str, str] = {}
        for table in manifest.tables.values():
            for join in table.joins.values():
                needs_key.setdefault(join.target, f'"{table.name}" joins it')
                needs_key.setdefault(table.name, f'it joins "{join.target}"')
        for name, reason in sorted(needs_key.items()):
            target = manifest.tables.get(name)
            if target is not None and target.measures and not target.primary_key:
                yield warning(
                    "SM404",
                    f'table "{name}" has no primary_key dimension, but {reason}',
                    target.origin,
                    "Without a primary key its measures cannot be computed when a join repeats its rows.",
                )


class Descriptions:
    """Every public table, view and member says what it means (shown in BI tools and \\d+)."""

    codes = ("SM105",)

    def check(self, manifest: Manifest, all_paths: AllPaths) -> Iterable[Issue]:
        for table in manifest.tables.values():
            if table.public and not table.description:
                yield warning("SM105", f'table "{table.name}" has no description', table.origin)
            for member in table.members:
                if member.public and not member.description:
                    yield warning(
                        "SM105", f'{member.kind} "{table.name}.{member.name}" has no description', member.origin
                    )
        for view in manifest.views.values():
            if view.public and not view.description:
                yield warning("SM105", f'view "{view.name}" has no description', view.origin)


class UserGroups:
    """Group includes name users or roles; scopes are ones Quiver knows."""

    codes = ("SM601",)

    def check(self, manifest: Manifest, all_paths: AllPaths) -> Iterable[Issue]:
        for group in manifest.user_groups:
            for selector in (*group.includes, *group.excludes):
                if selector != "*" and not _is_selector(selector):
                    yield error(
                        "SM601",
                        f'user group "{group.name}": invalid selector "{selector}"',
                        group.origin,
                        'Use "*", "users:id:NAME" or "roles:id:ROLE".',
                    )
            for scope in group.api_scopes:
                if scope not in KNOWN_SCOPES:
                    yield error(
                        "SM601",
                        f'user group "{group.name}": unknown api scope "{scope}"',
                        group.origin,
                        "Scopes: " + ", ".join(sorted(KNOWN_SCOPES)) + ".",
                    )


def _is_selector(selector: str) -> bool:
    parts = selector.split(":")
    return len(parts) == 3 and parts[0] in ("users", "roles") and parts[1] == "id" and bool(parts[2])


def _templates(member: object) -> tuple[Template, ...]:
    expression = getattr(member, "expression", None)
    filters = getattr(member, "filters", ())
    return tuple(t for t in (expression, *filters) if t is not None)


def _policy_rules() -> Rule:
    from server.semantic.policy_validation import Policies

    return Policies()


RULES: tuple[Rule, ...] = (
    CrossTableReferences(),
    ReferenceCycles(),
    TypeMisuse(),
    PrimaryKeys(),
    Descriptions(),
    UserGroups(),
    _policy_rules(),
)
