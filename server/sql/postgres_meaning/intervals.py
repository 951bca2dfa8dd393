"""Units PostgreSQL abbreviates: ``interval '1 mon'`` is a month, not a second; ``date_trunc('qtr', x)``.

sqlglot reads ``interval '1 mon'`` as ``INTERVAL '1' MON``; DuckDB does not know ``MON``
as a unit, takes it for a column alias and answers one *second*. PostgreSQL accepts
every abbreviation below (its datetime keyword table); each becomes the unit DuckDB
names the same span with. A literal sqlglot would cut short (``'3 days 04:05:06'``,
``'1 mon ago'``) is kept whole by the parser (:mod:`server.sql.parser`), as a cast.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.sql.postgres_meaning.types import ColumnType

# PostgreSQL's spellings of each unit (src/backend/utils/adt/datetime.c) to DuckDB's unit keyword.
UNITS: dict[str, str] = {
    **dict.fromkeys(("Y", "YR", "YRS", "YEAR", "YEARS"), "YEAR"),
    **dict.fromkeys(("MON", "MONS", "MONTH", "MONTHS"), "MONTH"),
    **dict.fromkeys(("W", "WEEK", "WEEKS"), "WEEK"),
    **dict.fromkeys(("D", "DAY", "DAYS"), "DAY"),
    **dict.fromkeys(("H", "HR", "HRS", "HOUR", "HOURS"), "HOUR"),
    **dict.fromkeys(("M", "MIN", "MINS", "MINUTE", "MINUTES"), "MINUTE"),
    **dict.fromkeys(("S", "SEC", "SECS", "SECOND", "SECONDS"), "SECOND"),
    **dict.fromkeys(("MS", "MSEC", "MSECS", "MILLISECOND", "MILLISECONDS", "MILLISECON"), "MILLISECOND"),
    **dict.fromkeys(("US", "USEC", "USECS", "MICROSECOND", "MICROSECONDS", "MICROSECON"), "MICROSECOND"),
    **dict.fromkeys(("DECADE", "DECADES", "DEC", "DECS"), "DECADE"),
    **dict.fromkeys(("CENTURY", "CENTURIES", "C", "CENT"), "CENTURY"),
    **dict.fromkeys(("MILLENNIUM", "MILLENNIA", "MIL", "MILS"), "MILLENNIUM"),
}
# date_trunc also takes the quarter, which PostgreSQL abbreviates too.
TRUNC_UNITS: dict[str, str] = {**UNITS, "QTR": "QUARTER", "QUARTER": "QUARTER"}
_TRUNCATIONS = (exp.TimestampTrunc, exp.DateTrunc)
# Spellings DuckDB reads itself (each unit and its plural): left as written, so engine SQL stays as it was.
_DUCKDB_READS = frozenset(TRUNC_UNITS.values()) | {f"{unit}S" for unit in TRUNC_UNITS.values()}


def interval_units(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """``INTERVAL 'n' unit`` with a PostgreSQL abbreviation becomes DuckDB's unit keyword.

    Why: ``interval '1 mon'``, ``'5 mins'``, ``'2 hrs'`` silently meant seconds.
    Guarantees: only a unit PostgreSQL knows changes, to the same span; anything
    else (a unit DuckDB already reads, an interval span, a computed value) is untouched.
    """
    for node in tree.find_all(exp.Interval):
        unit = node.args.get("unit")
        if not isinstance(unit, exp.Var):
            continue
        name = unit.name.upper()
        canonical = UNITS.get(name)
        if canonical is not None and name not in _DUCKDB_READS:
            unit.set("this", canonical)
    return tree


def date_trunc_units(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """``date_trunc('qtr', x)``, ``date_trunc('mon', x)``: PostgreSQL's unit abbreviations as DuckDB's units.

    Why: Tableau and others send ``'qtr'``; DuckDB refused it (22P02). Guarantees: only
    a unit PostgreSQL knows changes, to the same unit; others are left as written.
    """
    for node in tree.find_all(*_TRUNCATIONS):
        unit = node.args.get("unit")
        if isinstance(unit, exp.Var | exp.Literal):
            canonical = TRUNC_UNITS.get(unit.name.upper())
            if canonical is not None and unit.name.upper() not in _DUCKDB_READS:
                node.set("unit", exp.Var(this=canonical))
    return tree
