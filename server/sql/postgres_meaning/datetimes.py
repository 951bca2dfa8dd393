"""Date and timestamp literals in the spellings PostgreSQL reads and DuckDB does not.

PostgreSQL's date input (DateStyle ``ISO, MDY``) takes ``'20240105'``, ``'2024/01/05'``,
``'01/05/2024'``, ``'Jan 5 2024'``, ``'5 January 2024'``, and a time zone *name* after a
timestamp (``'2024-01-05 10:00 America/New_York'``); DuckDB reads ISO 8601 only and
refuses the rest (22P02). A cast of such a *literal* is rewritten here to the ISO
spelling of the same instant, computed once at compile time; a timestamp with a zone
name becomes the UTC instant with an explicit offset (the zone's rules from the
system's tz database). ``'today'``, ``'tomorrow'``, ``'yesterday'`` and ``'now'``
become the engine's current date or time, so a cached plan never freezes them.

A string this module does not recognise is left to the engine (ISO text, or an error
as before); a column cast to a date is not changed.
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlglot.expressions as exp

from server.sql.postgres_meaning.types import ColumnType

_TYPES = {exp.DType.DATE, exp.DType.TIMESTAMP, exp.DType.TIMESTAMPTZ}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_REST = r"(?P<rest>(?:[ T]+.*)?)"
_DATES = (
    re.compile(rf"^(?P<y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}}){_REST}$"),  # 20240105
    re.compile(rf"^(?P<y>\d{{4}})[/.](?P<m>\d{{1,2}})[/.](?P<d>\d{{1,2}}){_REST}$"),  # 2024/01/05
    re.compile(rf"^(?P<m>\d{{1,2}})[/.-](?P<d>\d{{1,2}})[/.-](?P<y>\d{{4}}){_REST}$"),  # 01/05/2024 (MDY)
    re.compile(rf"^(?P<mon>[A-Za-z]+)\.?[ -]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?[ -]+(?P<y>\d{{4}}){_REST}$"),
    re.compile(rf"^(?P<d>\d{{1,2}})[ -]+(?P<mon>[A-Za-z]+)\.?,?[ -]+(?P<y>\d{{4}}){_REST}$"),  # 5 Jan 2024
    re.compile(rf"^(?P<y>\d{{4}})-(?P<mon>[A-Za-z]+)-(?P<d>\d{{1,2}}){_REST}$"),  # 2024-Jan-05
)
_ZONE_NAME = re.compile(r"^(?P<clock>.*?\d)\s+(?P<zone>[A-Za-z][A-Za-z_+\-]*(?:/[A-Za-z0-9_+\-]+)+)$")
_TIME = re.compile(r"^(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?P<f>\.\d{1,6})?)?$")


def date_literals(tree: exp.Expr, column_type: ColumnType) -> exp.Expr:
    """Casts of string literals to date/timestamp/timestamptz in PostgreSQL-only spellings become ISO literals.

    Why: Tableau, Excel and hand-written reports send ``'20240105'::date`` or a
    timestamp with a zone name; DuckDB refused them. Guarantees: the literal names the
    same day or instant PostgreSQL reads (DateStyle MDY for numeric day/month order);
    anything not recognised is left as written.
    """
    for node in list(tree.find_all(exp.Cast)):
        if isinstance(node, exp.TryCast) or node.to.this not in _TYPES:
            continue
        literal = node.this
        if not isinstance(literal, exp.Literal) or not literal.is_string:
            continue
        rewritten = _rewrite(literal.name.strip(), node.to.this)
        if rewritten is None:
            continue
        if node is tree:
            return rewritten
        node.replace(rewritten)
    return tree


def _rewrite(text: str, to: exp.DType) -> exp.Expr | None:
    special = _special(text.lower(), to)
    if special is not None:
        return special
    iso = _iso(text, to)
    if iso is None:
        return None
    return exp.cast(exp.Literal.string(iso), to)


def _special(word: str, to: exp.DType) -> exp.Expr | None:
    """PostgreSQL's special inputs that depend on the clock, as engine expressions."""
    today: exp.Expr = exp.CurrentDate()
    days = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if word in days:
        shift = days[word]
        day: exp.Expr = today if shift == 0 else exp.Add(this=today, expression=exp.Literal.number(shift))
        if shift < 0:
            day = exp.Sub(this=today, expression=exp.Literal.number(-shift))
        return exp.cast(day, to)  # midnight of that day for the timestamp types
    if word == "now":
        return exp.cast(exp.CurrentTimestamp(), to)
    return None


def _iso(text: str, to: exp.DType) -> str | None:
    """The ISO spelling of ``text`` for ``to``, or None when it is ISO already or not recognised."""
    if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", text):
        date_part, rest = text[:10], text[10:]
        if _ZONE_NAME.match(text) is None:
            return None  # ISO already: the engine reads it
        day = None
    else:
        day, rest = _date(text)
        if day is None:
            return None
        date_part = day.isoformat()
    rest = rest.strip().lstrip("T").strip()
    if to is exp.DType.DATE:
        return date_part if day is not None and not rest else None
    zone = _ZONE_NAME.match(f"{date_part} {rest}".strip())
    if zone is None:
        return f"{date_part} {rest}".strip() if day is not None else None
    return _in_utc(zone.group("clock"), zone.group("zone"), to)


def _date(text: str) -> tuple[datetime.date | None, str]:
    for pattern in _DATES:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        month = int(parts["m"]) if parts.get("m") else _MONTHS.get((parts.get("mon") or "").lower())
        if month is None:
            return None, ""
        try:
            return datetime.date(int(parts["y"]), month, int(parts["d"])), parts["rest"] or ""
        except ValueError:
            return None, ""  # no such day: the engine reports it, as PostgreSQL does
    return None, ""


def _in_utc(clock: str, zone_name: str, to: exp.DType) -> str | None:
    """``clock`` (ISO date and time) read in the named zone, as UTC with an offset (or zone-less for timestamp)."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    date_text, _, time_text = clock.partition(" ")
    try:
        day = datetime.date.fromisoformat(date_text)
    except ValueError:
        return None
    match = _TIME.match(time_text.strip() or "00:00")
    if match is None:
        return None
    fraction = int((match.group("f") or ".0")[1:].ljust(6, "0"))
    local = datetime.datetime.combine(
        day, datetime.time(int(match.group("h")), int(match.group("mi")), int(match.group("s") or 0), fraction)
    )
    if to is exp.DType.TIMESTAMP:
        return local.isoformat(sep=" ")  # PostgreSQL ignores a zone in a timestamp without time zone
    instant = local.replace(tzinfo=zone).astimezone(datetime.UTC)
    return instant.replace(tzinfo=None).isoformat(sep=" ") + "+00"
