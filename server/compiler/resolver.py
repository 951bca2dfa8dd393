"""Resolve one SELECT over one semantic relation into a :class:`SemanticQuery`.

The rules, which mirror Cube's and Lens's SQL APIs:

* Columns are the relation's public members. A measure is aggregated when it
  is written as ``MEASURE(m)``, bare, or inside the SQL aggregate matching its
  type (``SUM`` on a sum measure, ``COUNT(DISTINCT m)`` on count_distinct...)
  or re-aggregating it exactly (``SUM`` on a count: :mod:`~server.compiler.reaggregation`).
  A mismatched aggregate is a 42803 error, never a silently different number.
* Other aggregates over dimensions (``COUNT(*)``, ``MAX(order_ts)``) are ad-hoc
  aggregates, computed fan-out safe at the grain of the table they read.
* Without GROUP BY, the group keys are the row-level expressions selected.
  With GROUP BY, every row-level expression must be a key (as in PostgreSQL).
* WHERE conjuncts over dimensions filter rows; conjuncts over measures act as
  HAVING (the relation is, conceptually, already aggregated).
* ORDER BY may name output columns, positions or expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sqlglot.expressions as exp

from server.compiler.plan import Column
from server.compiler.query import (
    AggregateUse,
    SemanticQuery,
    Slot,
    SlotKind,
    is_measure_ref,
    member_of,
    member_ref,
    slot_ref,
)
from server.compiler.reaggregation import reaggregates_exactly
from server.errors import (
    FeatureNotSupported,
    GroupingError,
    InvalidColumnReference,
    UndefinedColumn,
    UndefinedTable,
    did_you_mean,
)
from server.semantic.model import Measure, MemberKind, Relation, RelationMember
from server.semantic.spec import MeasureType
from server.sql.oids import relation_oid as relation_oid_of

SYSTEM_COLUMNS = frozenset({"ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"})

# Which SQL aggregate matches which measure type. MEASURE() and a bare measure always do.
MATCHING_AGGREGATE: dict[MeasureType, tuple[type[exp.AggFunc], bool]] = {
    MeasureType.SUM: (exp.Sum, False),
    MeasureType.COUNT: (exp.Count, False),
    MeasureType.COUNT_DISTINCT: (exp.Count, True),
    MeasureType.COUNT_DISTINCT_APPROX: (exp.Count, True),
    MeasureType.AVG: (exp.Avg, False),
    MeasureType.MIN: (exp.Min, False),
    MeasureType.MAX: (exp.Max, False),
}


def is_measure_call(node: exp.Expr) -> bool:
    return isinstance(node, exp.Anonymous) and str(node.this).upper() == "MEASURE"


def position_of(node: exp.Expr) -> int | None:
    """1-based character position of a node in the statement text, when the parser kept it."""
    for candidate in (node, *node.find_all(exp.Identifier)):
        start = candidate.meta.get("start")
        if start is not None:
            return int(start) + 1
    return None


def _aggregate_argument(node: exp.AggFunc) -> tuple[exp.Expr | None, bool]:
    """The single argument of an aggregate, and whether it is DISTINCT."""
    argument = node.this
    if isinstance(argument, exp.Distinct):
        expressions = argument.expressions
        return (expressions[0] if len(expressions) == 1 else None), True
    return argument, False


_FUNCTION_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def output_name(node: exp.Expr) -> str:
    """The column name PostgreSQL would give a select item (with MEASURE(m) named m)."""
    if isinstance(node, exp.Alias):
        return node.alias
    if isinstance(node, exp.Column):
        return node.name
    if is_measure_call(node) and node.expressions and isinstance(node.expressions[0], exp.Column):
        return node.expressions[0].name
    if isinstance(node, exp.Cast):
        inner = node.this
        if isinstance(inner, exp.Column):
            return inner.name
        return output_name(inner) if not isinstance(inner, exp.Literal) else node.to.sql("postgres").lower()
    if isinstance(node, exp.Case):
        return "case"
    if isinstance(node, exp.Interval):
        return "interval"  # interval '1 day' is named like the cast it is
    if isinstance(node, exp.Func):
        match = _FUNCTION_NAME.match(node.sql("postgres"))
        if match:
            return match.group(1).lower()
    return "?column?"


class SelectResolver:
    """Resolves one simple SELECT; create one per SELECT."""

    def __init__(self, select: exp.Select, relation: Relation, alias: str) -> None:
        self.select = select
        self.relation = relation
        self.alias = alias
        self.visible = {m.name: m for m in relation.public_members()}
        self.keys: list[Column] = []
        self.key_index: dict[str, int] = {}
        self.aggregates: list[AggregateUse] = []
        self.aggregate_index: dict[str, int] = {}
        self.explicit_grouping = bool(select.args.get("group"))
        self.relation_oid = relation_oid_of(relation.name)

    # -- member names ---------------------------------------------------------------------------

    def annotate(self, tree: exp.Expr) -> exp.Expr:
        """Copy ``tree`` with each column replaced by a member reference (42703 if unknown)."""

        def visit(node: exp.Expr) -> exp.Expr:
            if node is not tree and _is_subquery(node):
                return node.copy()  # its own scope, already compiled; do not descend
            if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                system = self.system_column(node)
                if system is not None:
                    return system
                reference = member_ref(self.member(node))
                start = node.this.meta.get("start") if isinstance(node.this, exp.Identifier) else None
                if start is not None:
                    reference.meta["start"] = start  # keep the position for errors found later
                return reference
            if isinstance(node, exp.Placeholder | exp.Parameter):
                raise FeatureNotSupported("query parameters must be bound before a semantic query is compiled")
            return node

        # The parsed statement is used once, so members are substituted in place.
        return tree.transform(visit, copy=False)

    def system_column(self, column: exp.Column) -> exp.Expr | None:
        """PostgreSQL's system columns (DataGrip reads CTID), which a semantic relation has no rows for.

        ``tableoid`` is the relation's OID; the others are NULL. A member of the same name wins.
        """
        name = column.name.lower()
        if name not in SYSTEM_COLUMNS or column.name in self.visible or name in self.visible:
            return None
        if name == "tableoid":
            return exp.Literal.number(self.relation_oid)
        return exp.Cast(this=exp.Null(), to=exp.DataType.build("TEXT"))

    def member(self, column: exp.Column) -> RelationMember:
        qualifier = column.table
        if qualifier and qualifier not in (self.alias, self.relation.name):
            raise UndefinedTable(
                f'missing FROM-clause entry for table "{qualifier}"', position=position_of(column.args["table"])
            )
        found = self.visible.get(column.name)
        if found is None:
            raise UndefinedColumn(
                f'column "{column.name}" does not exist',
                hint=did_you_mean(column.name, list(self.visible)),
                position=position_of(column),
            )
        return found

    # -- levels ---------------------------------------------------------------------------------

    @staticmethod
    def has_members(tree: exp.Expr) -> bool:
        return any(member_of(n) is not None for n in _scope_nodes(tree))

    @staticmethod
    def has_aggregate(tree: exp.Expr) -> bool:
        return any(isinstance(n, exp.AggFunc) or is_measure_call(n) or is_measure_ref(n) for n in _scope_nodes(tree))

    # -- aggregates -----------------------------------------------------------------------------

    def aggregate_slot(self, node: exp.Expr) -> exp.Column:
        use = self.aggregate_use(node)
        index = self.aggregate_index.get(use.key)
        if index is None:
            index = len(self.aggregates)
            self.aggregates.append(use)
            self.aggregate_index[use.key] = index
        return slot_ref(Slot(SlotKind.AGGREGATE, index), self.aggregates[index].name)

    def aggregate_use(self, node: exp.Expr) -> AggregateUse:
        if is_measure_ref(node):
            member = member_of(node)
            assert member is not None
            return AggregateUse(member.name, measure=member)
        if is_measure_call(node):
            args = node.expressions
            if len(args) != 1 or member_of(args[0]) is None:
                raise GroupingError("MEASURE() takes one measure column", position=position_of(node))
            member = member_of(args[0])
            assert member is not None
            if member.kind is not MemberKind.MEASURE:
                raise GroupingError(
                    f'"{member.name}" is a {member.kind}, not a measure',
                    hint="MEASURE() aggregates measures only; group by dimensions instead.",
                    position=position_of(args[0]),
                )
            return AggregateUse(member.name, measure=member)
        assert isinstance(node, exp.AggFunc)
        argument, distinct = _aggregate_argument(node)
        if argument is not None and is_measure_ref(argument):
            member = member_of(argument)
            assert member is not None
            self.check_matching(node, member, distinct)
            return AggregateUse(member.name, measure=member)
        for inner in node.find_all(exp.AggFunc):
            if inner is not node:
                raise GroupingError("aggregate function calls cannot be nested", position=position_of(inner))
        if any(is_measure_ref(n) or is_measure_call(n) for n in node.walk()):
            raise GroupingError(
                "a measure cannot be combined with other values inside an aggregate",
                hint="Aggregate the measure alone (MEASURE(m)) and combine the results outside.",
                position=position_of(node),
            )
        return AggregateUse(output_name(node), adhoc=node)

    @staticmethod
    def check_matching(node: exp.AggFunc, member: RelationMember, distinct: bool) -> None:
        measure = member.member
        assert isinstance(measure, Measure), "only a measure reference reaches check_matching"
        measure_type = measure.type
        expected = MATCHING_AGGREGATE.get(measure_type)
        matches = expected is not None and isinstance(node, expected[0]) and distinct == expected[1]
        if measure_type is MeasureType.COUNT_DISTINCT_APPROX and isinstance(node, exp.ApproxDistinct):
            matches = True
        # An aggregate that re-aggregates the measure exactly (Tableau's SUM over a count) is the measure too.
        matches = matches or reaggregates_exactly(node, measure_type, distinct)
        if matches:
            return
        written = node.sql("postgres").split("(")[0].upper() + ("(DISTINCT)" if distinct else "")
        if expected is None:
            suggestion = f"MEASURE({member.name})"
        else:
            sql_name = expected[0].__name__.upper()
            inner = f"DISTINCT {member.name}" if expected[1] else member.name
            suggestion = f"{sql_name}({inner}) or MEASURE({member.name})"
        raise GroupingError(
            f'measure "{member.name}" is of type {measure_type} and cannot be aggregated with {written}',
            hint=f"Use {suggestion}.",
            position=position_of(node),
        )

    def is_aggregate_leaf(self, node: exp.Expr) -> bool:
        return isinstance(node, exp.AggFunc) or is_measure_call(node) or is_measure_ref(node)

    # -- keys -----------------------------------------------------------------------------------

    def add_key(self, tree: exp.Expr, name: str) -> int:
        canonical = tree.sql(copy=False)
        index = self.key_index.get(canonical)
        if index is None:
            index = len(self.keys)
            self.keys.append(Column(name, tree))
            self.key_index[canonical] = index
        return index

    def key_slot(self, index: int) -> exp.Column:
        return slot_ref(Slot(SlotKind.KEY, index), self.keys[index].name)

    def lift(self, tree: exp.Expr, may_add_keys: bool, name: str = "") -> exp.Expr:
        """Rewrite an expression to the post-aggregation level, over key and aggregate slots."""

        def visit(node: exp.Expr) -> exp.Expr:
            if _is_subquery(node):
                return node.copy()
            if self.is_aggregate_leaf(node):
                return self.aggregate_slot(node)
            if not self.has_members(node) or self.has_aggregate(node):
                return node
            # A row-level expression over members: it must be (or become) a group key.
            index = self.key_index.get(node.sql(copy=False))
            if index is not None:
                return self.key_slot(index)
            if may_add_keys:
                key_name = name if node is tree and name else output_name(node)
                return self.key_slot(self.add_key(node, key_name))
            if isinstance(node, exp.Column):
                member = member_of(node)
                raise GroupingError(
                    f'column "{member.name if member else node.name}" must appear in the GROUP BY clause '
                    "or be used in an aggregate function",
                    position=position_of(node),
                )
            return node

        return tree.transform(visit, copy=True)

    # -- clauses --------------------------------------------------------------------------------

    def projections(self) -> list[tuple[str, exp.Expr]]:
        items: list[tuple[str, exp.Expr]] = []
        for item in self.select.expressions:
            star = item if isinstance(item, exp.Star) else item.this if isinstance(item, exp.Column) else None
            if isinstance(star, exp.Star):
                excluded = self.excluded(star)
                items.extend((m.name, member_ref(m)) for m in self.relation.public_members() if m.name not in excluded)
                continue
            inner = item.this if isinstance(item, exp.Alias) else item
            items.append((output_name(item), self.annotate(inner)))
        return items

    def excluded(self, star: exp.Star) -> set[str]:
        """The members ``* EXCLUDE (a, b)`` leaves out; each must be a column of the relation."""
        names = set()
        for column in star.args.get("except_") or ():
            name = column.name if isinstance(column, exp.Column) else str(column)
            self.member(exp.column(name))  # 42703 for a name that is not a visible member
            names.add(name)
        return names

    def group_by(self, projections: list[tuple[str, exp.Expr]]) -> None:
        group = self.select.args.get("group")
        if not group:
            return
        grouping_sets = (exp.Rollup, exp.Cube, exp.GroupingSets)
        if any(group.args.get(k) for k in ("rollup", "cube", "grouping_sets")) or any(
            isinstance(item, grouping_sets) for item in group.expressions
        ):
            raise FeatureNotSupported("ROLLUP, CUBE and GROUPING SETS are not supported on semantic relations")
        for item in group.expressions:
            tree, name = self.positional_or_named(item, projections, prefer_output=False)
            if self.has_aggregate(tree):
                raise GroupingError("aggregate functions are not allowed in GROUP BY", position=position_of(item))
            if self.has_members(tree):
                self.add_key(tree, name)

    def positional_or_named(
        self, item: exp.Expr, projections: list[tuple[str, exp.Expr]], prefer_output: bool
    ) -> tuple[exp.Expr, str]:
        """GROUP BY / ORDER BY item: a 1-based position, an output name, or an expression."""
        if isinstance(item, exp.Literal) and not item.is_string:
            position = int(item.name)
            if not 1 <= position <= len(projections):
                raise InvalidColumnReference(f"position {position} is not in select list", position=position_of(item))
            name, tree = projections[position - 1]
            return tree, name
        if isinstance(item, exp.Column) and not item.table:
            outputs = [(n, t) for n, t in projections if n == item.name]
            is_member = item.name in self.visible
            if outputs and (prefer_output or not is_member):
                return outputs[0][1], outputs[0][0]
        return self.annotate(item), output_name(item)

    def where(self) -> tuple[exp.Expr | None, list[exp.Expr]]:
        where = self.select.args.get("where")
        if where is None:
            return None, []
        row_level: list[exp.Expr] = []
        post_aggregate: list[exp.Expr] = []
        condition = self.annotate(where.this)
        for conjunct in condition.flatten() if isinstance(condition, exp.And) else [condition]:
            if not self.has_aggregate(conjunct):
                row_level.append(conjunct)
                continue
            explicit = next((n for n in conjunct.find_all(exp.AggFunc)), None)
            if explicit is not None:
                raise GroupingError("aggregate functions are not allowed in WHERE", position=position_of(explicit))
            post_aggregate.append(conjunct)
        return _and(row_level), post_aggregate

    def order(self, projections: list[tuple[str, exp.Expr]], finals: list[exp.Expr]) -> list[exp.Ordered]:
        order = self.select.args.get("order")
        if not order:
            return []
        result = []
        for ordered in order.expressions:
            item = ordered.this
            final = self.order_target(item, projections, finals)
            result.append(
                exp.Ordered(this=final, desc=ordered.args.get("desc"), nulls_first=ordered.args.get("nulls_first"))
            )
        return result

    def order_target(self, item: exp.Expr, projections: list[tuple[str, exp.Expr]], finals: list[exp.Expr]) -> exp.Expr:
        if isinstance(item, exp.Literal) and not item.is_string:
            position = int(item.name)
            if not 1 <= position <= len(projections):
                raise InvalidColumnReference(f"ORDER BY position {position} is not in select list")
            return finals[position - 1].copy()
        if isinstance(item, exp.Column) and not item.table:
            for (name, _), final in zip(projections, finals, strict=True):
                if name == item.name:
                    return final.copy()
        return self.lift(self.annotate(item), may_add_keys=False)

    # -- whole query ----------------------------------------------------------------------------

    def resolve(self) -> SemanticQuery:
        select = self.select
        distinct = select.args.get("distinct")
        if distinct is not None and distinct.args.get("on"):
            raise FeatureNotSupported("DISTINCT ON is not supported on semantic relations")
        projections = self.projections()
        self.group_by(projections)
        infer = not self.explicit_grouping
        finals = [self.lift(tree, may_add_keys=infer, name=name) for name, tree in projections]
        where, post_aggregate = self.where()
        having_parts = [self.lift(c, may_add_keys=False) for c in post_aggregate]
        having = select.args.get("having")
        if having is not None:
            having_parts.append(self.lift(self.annotate(having.this), may_add_keys=False))
        order = self.order(projections, finals)
        return SemanticQuery(
            relation=self.relation,
            keys=tuple(self.keys),
            aggregates=tuple(self.aggregates),
            where=where,
            having=_and(having_parts),
            projections=tuple(Column(name, final) for (name, _), final in zip(projections, finals, strict=True)),
            order=tuple(order),
            limit=_int_clause(select, "limit"),
            offset=_int_clause(select, "offset"),
            distinct=distinct is not None,
            origins=tuple(m.name if (m := member_of(tree)) is not None else None for _, tree in projections),
        )


def _is_subquery(node: exp.Expr) -> bool:
    return isinstance(node, exp.Query | exp.Subquery)


def _scope_nodes(tree: exp.Expr) -> Iterator[exp.Expr]:
    """Nodes of ``tree`` without descending into subqueries (separate scopes)."""
    return tree.walk(prune=lambda node: node is not tree and _is_subquery(node))


def _and(parts: list[exp.Expr]) -> exp.Expr | None:
    if not parts:
        return None
    return exp.and_(*parts, copy=False) if len(parts) > 1 else parts[0]


def _int_clause(select: exp.Select, key: str) -> int | None:
    clause = select.args.get(key)
    if clause is None:
        return None
    value = clause.args.get("count") if isinstance(clause, exp.Fetch) else clause.expression
    if value is None:
        return None
    if isinstance(value, exp.Literal) and not value.is_string and value.name.isdigit():
        return int(value.name)
    if isinstance(value, exp.Null):
        return None
    raise FeatureNotSupported(f"{key.upper()} must be a non-negative integer literal")


def resolve_select(select: exp.Select, relation: Relation, alias: str) -> SemanticQuery:
    return SelectResolver(select, relation, alias).resolve()
