"""Ordered-set percentiles (``percentile_cont(f) WITHIN GROUP (ORDER BY x)``) as one aggregate call.

PostgreSQL writes the aggregated value in a ``WITHIN GROUP`` clause; DuckDB takes it
as the argument, ordered in place (``quantile_cont(x, f ORDER BY x DESC)``). Written
that way the call is an ordinary aggregate of ``x``, so the compiler accepts it over a
relation's dimensions like ``max(x)`` (post-processing over dimensions), and a measure
inside it meets the rules every aggregate of a measure meets.

The ordering stays in the call, because it changes answers: a descending
``percentile_disc`` picks from the top. ``percentile_cont`` reads its value as a
double, as PostgreSQL's ``percentile_cont(float8)`` does (so its result is float8;
PostgreSQL's interval form is not supported). NULLs are skipped, as PostgreSQL
skips them. ``mode() WITHIN GROUP`` is left as written: DuckDB breaks its ties by the
ordering only when it sits inside the argument (``mode(x ORDER BY x)``), a shape the
semantic planner does not take, so it answers on the catalog route only.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.sql.postgres_meaning.types import ColumnType

_PERCENTILES = (exp.PercentileCont, exp.PercentileDisc)


def ordered_set_aggregates(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """``percentile_cont``/``percentile_disc`` ``WITHIN GROUP (ORDER BY x)`` become aggregates of ``x``.

    Why: the semantic route refused them (the value sat outside the aggregate call).
    Guarantees: the same DuckDB aggregate, the same ordering (direction and NULL
    placement as written), so catalog answers are unchanged; a ``WITHIN GROUP``
    with several sort keys, or over another aggregate, is left as written.
    """
    for node in list(tree.find_all(exp.WithinGroup, bfs=False))[::-1]:
        aggregate, order = node.this, node.expression
        if not isinstance(order, exp.Order) or len(order.expressions) != 1 or order.args.get("this") is not None:
            continue
        ordered = order.expressions[0]
        value = ordered.this
        if not isinstance(aggregate, _PERCENTILES) or aggregate.this is None:
            continue  # mode() keeps its WITHIN GROUP form: DuckDB needs the ordering inside its argument
        if isinstance(aggregate, exp.PercentileCont):
            value = exp.cast(value.copy(), exp.DType.DOUBLE)  # percentile_cont(float8) returns float8
        fraction = exp.Order(this=aggregate.this.copy(), expressions=[ordered.copy()])
        rewritten: exp.Expr = type(aggregate)(this=value.copy(), expression=fraction)
        if node is tree:
            return rewritten
        node.replace(rewritten)
    return tree
