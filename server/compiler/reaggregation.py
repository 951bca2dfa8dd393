"""Which SQL aggregates re-aggregate a measure exactly: the data both direct and wrapped reads consult.

A BI tool rarely writes ``MEASURE(m)``: Tableau sends ``SUM(order_count)`` for a
count measure, and Ibis or a Superset virtual dataset sends ``SUM(t.net_revenue)``
over a subquery of the relation. Such an aggregate is answered as the measure
itself at the query's grain only when combining the measure's partial values with
that aggregate gives the measure's value over the union of the parts:

* a sum or a count is the SUM of its parts;
* a min is the MIN of its parts, a max the MAX of its parts.

Nothing else is exact: an average of averages, a sum of distinct counts, a sum of
ratios (``number`` measures) each give a different number than the measure, so
they are refused with a hint naming ``MEASURE()``.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.semantic.spec import MeasureType

# measure type -> the aggregates (written without DISTINCT) that re-aggregate it exactly.
EXACT_REAGGREGATION: dict[MeasureType, tuple[type[exp.AggFunc], ...]] = {
    MeasureType.SUM: (exp.Sum,),
    MeasureType.COUNT: (exp.Sum,),
    MeasureType.MIN: (exp.Min,),
    MeasureType.MAX: (exp.Max,),
}

# Why the others cannot be re-aggregated, in words for the error message.
WHY_NOT: dict[MeasureType, str] = {
    MeasureType.AVG: "an average of averages is not the average",
    MeasureType.NUMBER: "it is computed from other measures, so combining its values does not give its value",
    MeasureType.COUNT_DISTINCT: "the same value may be counted in several parts",
    MeasureType.COUNT_DISTINCT_APPROX: "the same value may be counted in several parts",
}


def reaggregates_exactly(aggregate: exp.AggFunc, measure_type: MeasureType, distinct: bool) -> bool:
    """Does ``aggregate`` over a measure of ``measure_type`` give the measure at the outer grain?"""
    return not distinct and isinstance(aggregate, EXACT_REAGGREGATION.get(measure_type, ()))


def why_not(aggregate: exp.AggFunc, measure_type: MeasureType, distinct: bool) -> str:
    """A short reason why ``aggregate`` does not re-aggregate a measure of ``measure_type`` exactly."""
    if measure_type in WHY_NOT:
        return WHY_NOT[measure_type]
    name = aggregate.sql("postgres").split("(")[0].upper() + (" DISTINCT" if distinct else "")
    exact = " or ".join(a.__name__.upper() for a in EXACT_REAGGREGATION.get(measure_type, ()))
    return f"a {measure_type} measure re-aggregates with {exact}, not {name}"
