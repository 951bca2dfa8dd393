"""Plan a :class:`SemanticQuery`: choose joins, expand members, keep aggregation exact.

1. **Expand members.** Each member reference becomes its SQL over a table alias;
   references inside members (``{customers.region}``) pull in more tables.
   Every table enters once per *join path* from the relation's root (a view's
   ``join_path``, or the unique shortest path of declared joins).
2. **Find fan-out.** A table's rows are repeated when the join tree contains a
   join that, seen from that table, goes to "many". Measures over repeated rows
   would be multiplied, unless their aggregate ignores repetition (MIN, MAX,
   COUNT DISTINCT).
3. **Split into passes.** Aggregates over rows that are not repeated are
   computed in one pass; for each repeated table, its aggregates are computed
   over rows made distinct on (group keys, that table's primary key). Measures
   built from other measures are computed afterwards from the pass outputs.
4. **Rewrite the plan.** The finished plan, with the caller's policies attached
   at its scans, goes through :data:`PLAN_REWRITES` in order: each rewrite is a
   pure function ``(plan, manifest) -> plan`` that returns a new plan (plans are
   never edited). The tuple is empty today; it is where plan-level
   optimisations plug in without touching planning or render: splitting a plan
   per source for federation (after policies, so every fragment carries its row
   filters and masks), and matching a plan against pre-aggregated rollups.

The output is a :class:`SemanticPlan`; nothing here knows any SQL dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import sqlglot.expressions as exp

from server.compiler.governance import OPEN_RULES, RelationRules
from server.compiler.plan import (
    AggregatePass,
    Column,
    JoinStep,
    RepeatedMeasure,
    Scan,
    SemanticPlan,
    Source,
    masked_member_name,
    pass_output,
    raw_column_name,
)
from server.compiler.query import COUNTS_ROOT_ROWS, AggregateUse, SemanticQuery, SlotKind, member_of, slot_of
from server.compiler.reaggregation import EXACT_REAGGREGATION
from server.errors import FeatureNotSupported
from server.semantic.expand import wrap
from server.semantic.model import Dimension, Manifest, Measure, Member
from server.semantic.spec import MeasureType, Relationship
from server.semantic.templates import REF_META, ReferenceKind, Template

OWNER = "quiver_owner"  # while planning, on leaf aggregates: the join path of the table whose rows they aggregate
TOTALS = "totals"  # the pass over rows no join repeats

Path = tuple[str, ...]
PlanRewrite = Callable[[SemanticPlan, Manifest], SemanticPlan]

# Plan rewrites, in order, applied to every finished plan (see the module docstring). Empty today.
PLAN_REWRITES: tuple[PlanRewrite, ...] = ()


def is_fanout_safe(aggregate: exp.AggFunc) -> bool:
    """Aggregates whose value does not change when their input rows are repeated."""
    if isinstance(aggregate, exp.Min | exp.Max | exp.ApproxDistinct):
        return True
    return isinstance(aggregate, exp.Count) and isinstance(aggregate.this, exp.Distinct)


def _as_written(aggregate: exp.Expr) -> str:
    """An aggregate as the user's SQL names things (member names, not the engine's table columns)."""

    def by_member_name(node: exp.Expr) -> exp.Expr:
        member = member_of(node) if isinstance(node, exp.Column) else None
        return exp.column(member.name) if member is not None else node

    return aggregate.copy().transform(by_member_name).sql("postgres")


def path_key(path: Path) -> str:
    return "__".join(path)


def pass_name(owner: Path | None) -> str:
    """The pass that aggregates rows of the table at ``owner`` de-duplicated, or the totals pass (None)."""
    return TOTALS if owner is None else f"per_{path_key(owner)}"


@dataclass
class _Node:
    path: Path
    columns: dict[str, bool] = field(default_factory=dict)  # column read by user-visible SQL -> quoted
    raw: dict[str, bool] = field(default_factory=dict)  # masked column the planner reads unmasked -> quoted
    masked_members: set[str] = field(default_factory=set)  # masked computed dimensions read


class Planner:
    """Plans one semantic query against one manifest; create one per query."""

    def __init__(self, manifest: Manifest, query: SemanticQuery, rules: RelationRules = OPEN_RULES) -> None:
        self.manifest = manifest
        self.query = query
        self.rules = rules
        self.root: Path = (query.relation.root,)
        self.nodes: dict[Path, _Node] = {}
        self.node(self.root)

    # -- join tree ------------------------------------------------------------------------------

    def node(self, path: Path) -> str:
        """Register ``path`` (and its prefixes) in the join tree; return its provisional alias."""
        for length in range(1, len(path) + 1):
            prefix = path[:length]
            if prefix not in self.nodes:
                self.nodes[prefix] = _Node(prefix)
        return path_key(path)

    def path_to(self, start: Path, table: str) -> Path:
        current = start[-1]
        if table == current:
            return start
        route = self.manifest.join_paths.get((current, table))
        if route is None:
            raise FeatureNotSupported(
                f'no unique join path from "{current}" to "{table}"',
                hint="Validate the model: quiver validate reports ambiguous or missing join paths.",
            )
        return (*start, *route[1:])

    # -- expanding members ----------------------------------------------------------------------

    def instantiate(
        self,
        template: Template,
        path: Path,
        on_member: Callable[[Member, Path], exp.Expr],
        locate: Callable[[str], Path] | None = None,
        *,
        raw: bool = False,
    ) -> exp.Expr:
        """Copy ``template`` with its references bound to join-tree aliases.

        Each reference's table is found by ``locate`` (default: the join path from
        ``path`` to that table); member references are expanded by ``on_member``.
        With ``raw``, masked columns are read unmasked: only the planner's own
        references (join and de-duplication keys, policy filters) are raw, never
        anything a user's expression can observe.
        """
        find = locate or (lambda table: self.path_to(path, table))

        def visit(node: exp.Expr) -> exp.Expr:
            index = node.meta.get(REF_META) if isinstance(node, exp.Column) else None
            if not index:
                return node
            reference = template.references[index - 1]
            target = find(reference.table)
            rules = self.rules.scan(reference.table)
            if reference.kind is ReferenceKind.COLUMN:
                alias = self.node(target)
                quoted = bool(node.this.quoted) if isinstance(node.this, exp.Identifier) else False
                if raw and reference.name in rules.column_masks:
                    self.nodes[target].raw[reference.name] = quoted
                    return exp.column(exp.to_identifier(raw_column_name(reference.name), quoted=quoted), table=alias)
                self.nodes[target].columns[reference.name] = quoted
                return exp.column(exp.to_identifier(reference.name, quoted=quoted), table=alias)
            member = self.manifest.tables[reference.table].member(reference.name)
            assert member is not None
            if not raw and isinstance(member, Dimension) and member.name in rules.member_masks:
                self.nodes[target].masked_members.add(member.name)
                return exp.column(masked_member_name(member.name), table=self.node(target))
            return wrap(on_member(member, target), node)

        self.node(path)
        return template.tree.transform(visit, copy=True)

    def row(self, member: Member, path: Path, raw: bool = False) -> exp.Expr:
        """The row-level SQL of a dimension or segment at ``path``."""
        if isinstance(member, Measure):
            raise FeatureNotSupported(f'measure "{member.name}" used where a row-level value is needed')
        if not raw and isinstance(member, Dimension) and member.name in self.rules.scan(member.table).member_masks:
            alias = self.node(path)
            self.nodes[path].masked_members.add(member.name)
            return exp.column(masked_member_name(member.name), table=alias)
        return self.instantiate(member.expression, path, lambda m, p: self.row(m, p, raw), raw=raw)

    def raw_row(self, member: Member, path: Path) -> exp.Expr:
        return self.row(member, path, raw=True)

    def user_row(self, tree: exp.Expr, raw: bool = False) -> exp.Expr:
        """A user expression over member references, expanded to SQL (``raw`` only for policy filters)."""

        def visit(node: exp.Expr) -> exp.Expr:
            member = member_of(node)
            if member is None:
                return node
            return wrap(self.row(member.member, member.path, raw), node)

        return tree.transform(visit, copy=False)

    def primary_key(self, path: Path) -> list[exp.Expr]:
        table = self.manifest.tables[path[-1]]
        keys = table.primary_key
        if not keys:
            raise FeatureNotSupported(
                f'table "{table.name}" has no primary key, so its rows cannot be counted or de-duplicated '
                "in this query",
                hint=f'Declare primary_key: true on the dimension that identifies a row of "{table.name}".',
            )
        return [self.raw_row(key, path) for key in keys]

    def measure(self, measure: Measure, path: Path) -> exp.Expr:
        """An aggregate-level expression whose leaf aggregates are tagged with their owner path.

        A measure reads masked values, unless the caller's policy lets this
        measure aggregate raw ones (a mask with ``aggregates: true``).
        """
        raw = measure.name in self.rules.scan(measure.table).raw_measures

        def row(member: Member, target: Path) -> exp.Expr:
            return self.row(member, target, raw)

        if measure.type is MeasureType.NUMBER:
            assert measure.expression is not None

            def on_member(member: Member, target: Path) -> exp.Expr:
                if isinstance(member, Measure):
                    return self.measure(member, target)
                return row(member, target)

            tree = self.instantiate(measure.expression, path, on_member, raw=raw)
            for aggregate in tree.find_all(exp.AggFunc):
                aggregate.meta.setdefault(OWNER, path)
            return tree
        conditions = [self.instantiate(f, path, row, raw=raw) for f in measure.filters]
        condition = exp.and_(*conditions, copy=False) if conditions else None
        if measure.expression is None:  # count of rows
            if condition is not None:
                value: exp.Expr = exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))])
            elif path == self.root:
                value = exp.Star()
            else:
                value = self.primary_key(path)[0]
            leaf: exp.AggFunc = exp.Count(this=value)
        else:
            value = self.instantiate(measure.expression, path, row, raw=raw)
            if measure.name in self.rules.scan(measure.table).masked_measures:
                # A total of masked values would be neither the value nor the mask: show the mask (NULL).
                value = exp.Case(ifs=[exp.If(this=exp.false(), true=value)])
            if condition is not None:
                value = exp.Case(ifs=[exp.If(this=condition, true=value)])
            leaf = _aggregate_for(measure.type, value)
        leaf.meta[OWNER] = path
        return leaf

    def aggregate(self, use: AggregateUse) -> exp.Expr:
        if use.measure is not None:
            member = use.measure.member
            assert isinstance(member, Measure)
            return self.measure(member, use.measure.path)
        assert use.adhoc is not None
        owners = {m.path for n in use.adhoc.find_all(exp.Column) if (m := member_of(n)) is not None}
        if use.adhoc.meta.get(COUNTS_ROOT_ROWS):
            owners.add(self.root)
        if len(owners) > 1 and not is_fanout_safe(use.adhoc):
            raise FeatureNotSupported(
                f'"{_as_written(use.adhoc)}" aggregates columns of several tables',
                hint="Define a measure in the model, or aggregate columns of one table at a time.",
            )
        leaf = self.user_row(use.adhoc)
        assert isinstance(leaf, exp.AggFunc)
        owner = min(owners, key=len) if owners else self.root
        if isinstance(leaf, exp.Count) and isinstance(leaf.this, exp.Star) and owner != self.root:
            leaf.set("this", self.primary_key(owner)[0])
        leaf.meta[OWNER] = owner
        return leaf

    def keys_identify_root_rows(self, query: SemanticQuery) -> bool:
        """Do the group keys include the root table's whole primary key, with no join repeating its rows?"""
        root = self.manifest.tables[self.root[-1]]
        primary = root.primary_key
        if not primary or self.repeated(self.root):
            return False
        shown = {
            member.member.name
            for k in query.keys
            if (member := member_of(k.expression)) is not None and member.path == self.root
        }
        return all(key.name in shown for key in primary)

    # -- fan-out --------------------------------------------------------------------------------

    def relationship(self, path: Path) -> Relationship:
        join = self.manifest.join_between(path[-2], path[-1])
        assert join is not None
        return join.relationship

    def repeated(self, owner: Path) -> bool:
        """Does the join tree repeat the rows of the table at ``owner``?"""
        for path in self.nodes:
            if len(path) < 2:
                continue
            relationship = self.relationship(path)
            if owner[: len(path)] == path:
                # The join leads towards the owner; seen from the owner it is reversed.
                if relationship is Relationship.MANY_TO_ONE:
                    return True
            elif relationship is Relationship.ONE_TO_MANY:
                return True
        return False

    def determines(self, owner: Path, other: Path) -> bool:
        """Does one row of the table at ``owner`` determine the row of the table at ``other``?

        Walking the join tree from ``owner`` to ``other``, every step must lead to "one":
        up towards the root over a join the parent sees as one-to-many (or one-to-one),
        then down over joins the parent sees as many-to-one (or one-to-one).
        """
        common = 0
        while common < min(len(owner), len(other)) and owner[common] == other[common]:
            common += 1
        for length in range(len(owner), common, -1):
            if self.relationship(owner[:length]) is Relationship.MANY_TO_ONE:
                return False
        for length in range(common + 1, len(other) + 1):
            if self.relationship(other[:length]) is Relationship.ONE_TO_MANY:
                return False
        return True

    def repeated_outputs(
        self, keys: list[Column], owners: dict[int, list[Path]], written: dict[int, str]
    ) -> tuple[RepeatedMeasure, ...]:
        """The projected aggregates whose owner rows the group keys split over several output rows.

        ``keys`` are the expanded group keys (over provisional path aliases), ``owners``
        the tables each aggregate (by index) reads, ``written`` the ad-hoc ones as written.
        Only aggregates the query returns count: one used only in HAVING or ORDER BY
        reaches no client.
        """
        by_alias = {path_key(path): path for path in self.nodes}
        key_paths: list[Path] = []
        for key in keys:
            for column in key.expression.find_all(exp.Column):
                path = by_alias.get(column.table)
                if path is not None and path not in key_paths:
                    key_paths.append(path)
        if not key_paths:
            return ()
        shown: list[int] = []
        for projection in self.query.projections:
            for column in projection.expression.find_all(exp.Column):
                slot = slot_of(column)
                if slot is not None and slot.kind is SlotKind.AGGREGATE and slot.index not in shown:
                    shown.append(slot.index)
        found = []
        for index in shown:
            for owner in owners.get(index, ()):
                across = [k[-1] for k in key_paths if not self.determines(owner, k)]
                if across:
                    found.append(_repeated(self.query.aggregates[index], written.get(index), owner[-1], across))
                    break
        return tuple(found)

    # -- the plan -------------------------------------------------------------------------------

    def plan(self) -> SemanticPlan:
        query = self.query
        members = tuple(m.name for m in query.members())  # before expansion replaces the references
        keys = [Column(k.name, self.user_row(k.expression)) for k in query.keys]
        where = self.user_row(query.where) if query.where is not None else None
        if self.rules.where is not None:
            # A view's own row filter reads raw values and comes before anything the user wrote: the
            # user's condition is only evaluated on rows the policy keeps (CASE evaluates lazily), so an
            # optimiser that reorders the conjuncts cannot make it raise on a hidden row.
            policy = self.user_row(self.rules.where.copy(), raw=True)
            if where is not None:
                where = exp.Case(ifs=[exp.If(this=policy.copy(), true=exp.Paren(this=where))])
            where = policy if where is None else exp.and_(policy, where, copy=False)
        # Ad-hoc aggregates as the user wrote them (expansion rewrites them in place), for notices.
        written = {i: _as_written(u.adhoc) for i, u in enumerate(query.aggregates) if u.adhoc is not None}
        aggregate_trees = [self.aggregate(use) for use in query.aggregates]
        # Every table is now in the join tree; decide passes.
        main: list[Column] = []
        by_owner: dict[Path, list[Column]] = {}
        leaf_names: dict[tuple[Path, str], tuple[Path | None, str]] = {}
        used_names = {k.name for k in keys}
        derived: list[Column] = []
        owners: dict[int, list[Path]] = {}  # per aggregate: the tables its leaves read
        for index, (use, tree) in enumerate(zip(query.aggregates, aggregate_trees, strict=True)):
            single_leaf = isinstance(tree, exp.AggFunc)
            read = owners.setdefault(index, [])

            def place(
                leaf: exp.Expr, use: AggregateUse = use, single_leaf: bool = single_leaf, read: list[Path] = read
            ) -> exp.Expr:
                if not isinstance(leaf, exp.AggFunc) or OWNER not in leaf.meta:
                    return leaf
                owner: Path = leaf.meta.pop(OWNER)  # planning's own note: the plan says it by its passes
                if owner not in read:
                    read.append(owner)
                dedup = self.repeated(owner) and not is_fanout_safe(leaf)
                bucket_key = owner if dedup else None
                identity = (owner if dedup else (), leaf.sql(copy=False))
                if identity not in leaf_names:
                    name = unique_name(use.name if single_leaf else f"{use.name}__part", used_names)
                    column = Column(name, leaf)
                    (by_owner.setdefault(owner, []) if dedup else main).append(column)
                    leaf_names[identity] = (bucket_key, name)
                bucket, name = leaf_names[identity]
                return pass_output(pass_name(bucket), name)

            derived.append(Column(use.name, tree.transform(place, copy=False)))
        passes: list[AggregatePass] = []
        if main or not by_owner:
            passes.append(AggregatePass(TOTALS, tuple(main)))
        for owner, columns in by_owner.items():
            passes.append(
                AggregatePass(
                    pass_name(owner),
                    tuple(columns),
                    dedup_key=tuple(self.primary_key(owner)),
                    owner=path_key(owner),
                )
            )
        unique_rows = not query.aggregates and self.keys_identify_root_rows(query)
        # Dedup passes read primary keys; resolve those before the scans are frozen.
        source = self.source()
        repeated = self.repeated_outputs(keys, owners, written)  # over provisional aliases: before renaming
        # Final aliases are known only now that every table is in the join tree: the row-level trees
        # made above are renamed before the plan is built, never after.
        aliases = self.aliases()
        rename = _AliasRenamer(aliases)
        for column in (*keys, *derived):
            rename(column.expression)
        for aggregate_pass in passes:
            for column in aggregate_pass.measures:
                rename(column.expression)
            for key in aggregate_pass.dedup_key:
                rename(key)
        return SemanticPlan(
            relation=query.relation.name,
            source=rename.source(source),
            where=rename(where) if where is not None else None,
            keys=tuple(keys),
            passes=tuple(rename.aggregate_pass(p) for p in passes),
            derived=tuple(derived),
            having=query.having,
            projections=tuple(Column(p.name, p.expression) for p in query.projections),
            order=query.order,
            limit=query.limit,
            offset=query.offset,
            distinct=query.distinct,
            origins=query.origins,
            unique_rows=unique_rows,
            repeated=repeated,
            journal=self.journal(),
            members=members,
        )

    def journal(self) -> tuple[str, ...]:
        """The policies this plan applies: the relation's own, and those of the tables it reads."""
        read = {path[-1] for path in self.nodes}
        return tuple(text for table, text in self.rules.journal if table is None or table in read)

    def aliases(self) -> dict[str, str]:
        """Final alias per path: the table name when unique in the tree, else the path."""
        counts: dict[str, int] = {}
        for path in self.nodes:
            counts[path[-1]] = counts.get(path[-1], 0) + 1
        return {path_key(path): (path[-1] if counts[path[-1]] == 1 else path_key(path)) for path in self.nodes}

    def source(self) -> Source:
        ordered = sorted(self.nodes, key=lambda p: (len(p), p))
        scans = {path: self.scan(path) for path in ordered}
        joins = []
        for path in ordered[1:]:
            join = self.manifest.join_between(path[-2], path[-1])
            assert join is not None
            parent, child = path[:-1], path
            condition = self.instantiate(
                join.condition,
                parent,
                self.raw_row,
                locate=_join_sides(parent, child),
                raw=True,
            )
            joins.append(JoinStep(scans[path], path_key(parent), condition, join.relationship))
        # Join conditions may have read more columns: rebuild scans with the final column lists.
        final = {path: self.scan(path) for path in ordered}
        return Source(
            root=final[ordered[0]],
            joins=tuple(JoinStep(final[j.scan.path], j.parent, j.condition, j.relationship) for j in joins),
        )

    def scan(self, path: Path) -> Scan:
        table = self.manifest.tables[path[-1]]
        node = self.nodes[path]
        rules = self.rules.scan(table.name)
        return Scan(
            table=table.name,
            alias=path_key(path),
            path=path,
            source=table.sql,
            columns=tuple(sorted(node.columns)),
            row_filter=rules.row_filter,
            masks=MappingProxyType({c: m for c, m in rules.column_masks.items() if c in node.columns}),
            raw_columns=tuple(sorted(node.raw)),
            member_masks=MappingProxyType({d: m for d, m in rules.member_masks.items() if d in node.masked_members}),
            restricted=rules.governed,
        )


def _join_sides(parent: Path, child: Path) -> Callable[[str], Path]:
    """Locate a join condition's tables: the child's own table is the child, any other is the parent."""

    def locate(table: str) -> Path:
        return child if table == child[-1] else parent

    return locate


def _repeated(use: AggregateUse, written: str | None, owner: str, across: list[str]) -> RepeatedMeasure:
    """What to tell a client about ``use``: its name, the join that repeats it, and what to ask instead."""
    tables = tuple(dict.fromkeys(t for t in across if t != owner)) or (owner,)
    if use.measure is not None:
        name = use.measure.name
        member = use.measure.member
        exact = isinstance(member, Measure) and exp.Sum in EXACT_REAGGREGATION.get(member.type, ())
        hint = f"SUM({name}) or MEASURE({name})" if exact else f"MEASURE({name})"
        return RepeatedMeasure(name, owner, tables, hint)
    assert written is not None
    return RepeatedMeasure(written, owner, tables, written, noun="aggregate")


def _aggregate_for(measure_type: MeasureType, value: exp.Expr) -> exp.AggFunc:
    if measure_type is MeasureType.SUM:
        return exp.Sum(this=value)
    if measure_type is MeasureType.AVG:
        return exp.Avg(this=value)
    if measure_type is MeasureType.MIN:
        return exp.Min(this=value)
    if measure_type is MeasureType.MAX:
        return exp.Max(this=value)
    if measure_type is MeasureType.COUNT:
        return exp.Count(this=value)
    if measure_type is MeasureType.COUNT_DISTINCT:
        return exp.Count(this=exp.Distinct(expressions=[value]))
    if measure_type is MeasureType.COUNT_DISTINCT_APPROX:
        return exp.ApproxDistinct(this=value)
    raise FeatureNotSupported(f"measure type {measure_type} cannot be aggregated directly")


def unique_name(name: str, used: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... whichever is not in ``used`` yet; records the choice."""
    candidate, counter = name, 1
    while candidate in used:
        counter += 1
        candidate = f"{name}_{counter}"
    used.add(candidate)
    return candidate


class _AliasRenamer:
    """Replaces provisional path aliases with final ones in trees the planner is still building."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self.aliases = {k: v for k, v in aliases.items() if k != v}

    def __call__(self, tree: exp.Expr) -> exp.Expr:
        if self.aliases:
            for column in tree.find_all(exp.Column):
                final = self.aliases.get(column.table)
                if final is not None:
                    column.set("table", exp.to_identifier(final))
        return tree

    def alias(self, alias: str) -> str:
        return self.aliases.get(alias, alias)

    def source(self, source: Source) -> Source:
        if not self.aliases:
            return source
        return Source(
            root=self.scan(source.root),
            joins=tuple(
                JoinStep(self.scan(j.scan), self.alias(j.parent), self(j.condition), j.relationship)
                for j in source.joins
            ),
        )

    def scan(self, scan: Scan) -> Scan:
        return replace(scan, alias=self.alias(scan.alias)) if scan.alias in self.aliases else scan

    def aggregate_pass(self, aggregate_pass: AggregatePass) -> AggregatePass:
        owner = aggregate_pass.owner
        if owner is None or owner not in self.aliases:
            return aggregate_pass
        return replace(aggregate_pass, owner=self.alias(owner))


def plan_query(manifest: Manifest, query: SemanticQuery, rules: RelationRules = OPEN_RULES) -> SemanticPlan:
    """The plan of ``query`` under ``rules``, after every plan rewrite.

    The planner takes ``query``'s trees as its own (it expands member references in
    them rather than copying large filters and IN lists): a semantic query is made
    for one planning and not used after it. The plan it returns is never edited.
    """
    plan = Planner(manifest, query, rules).plan()
    for rewrite in PLAN_REWRITES:
        plan = rewrite(plan, manifest)
    return plan
