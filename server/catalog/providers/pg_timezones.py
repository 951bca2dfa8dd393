"""pg_timezone_names and pg_timezone_abbrevs: the time zones the server knows, from the system's tz database.

DataGrip lists them for its session time zone setting. Offsets are those in
effect now, as PostgreSQL computes them when the view is read.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table


def _interval(offset: timedelta | None) -> pa.MonthDayNano:
    seconds = int((offset or timedelta()).total_seconds())
    return pa.MonthDayNano([0, 0, seconds * 1_000_000_000])


def _zones() -> list[tuple[str, str, timedelta | None, bool]]:
    now = datetime.now(UTC)
    zones = []
    names = sorted(zoneinfo.available_timezones()) or ["UTC"]
    for name in names:
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        zones.append((name, local.tzname() or "", local.utcoffset(), bool(local.dst())))
    return zones


def _names(content: CatalogContent) -> Rows:
    for name, abbrev, offset, dst in _zones():
        yield (name, abbrev, _interval(offset), dst)


def _abbrevs(content: CatalogContent) -> Rows:
    seen: dict[str, tuple[timedelta | None, bool]] = {}
    for _, abbrev, offset, dst in _zones():
        if abbrev and abbrev[0] not in "+-":
            seen.setdefault(abbrev, (offset, dst))
    for abbrev, (offset, dst) in sorted(seen.items()):
        yield (abbrev, _interval(offset), dst)


NAMES = table(
    "pg_timezone_names",
    "name text, abbrev text, utc_offset interval, is_dst bool",
    oid=12126,
    kind="v",
    rows=_names,
    static=True,
)
ABBREVS = table(
    "pg_timezone_abbrevs",
    "abbrev text, utc_offset interval, is_dst bool",
    oid=12122,
    kind="v",
    rows=_abbrevs,
    static=True,
)
