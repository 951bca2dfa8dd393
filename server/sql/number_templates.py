"""PostgreSQL's ``to_char(number, template)`` for the forms BI tools use: ``9 0 . , D G`` and ``FM``.

Why: DuckDB has no numeric template formatting, and sqlglot passes the template to
strftime. The template is read at compile time into digit positions, and the result
is built from string functions on the rounded value, so no Python runs per row.
Other number patterns (``S``, ``PR``, ``L``, ``MI``, ``V``, ``EEEE``, ``RN``...) are refused
with 0A000 rather than answered differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.errors import FeatureNotSupported

NUMBER_TEMPLATE = re.compile(r"^(FM|fm)?[90.,DGSLVPRMIE\s]*[90][90.,DGSLVPRMIE\s]*$")
_SUPPORTED = re.compile(r"^(FM|fm)?[90,G]*([.D][90]*)?$")


@dataclass(frozen=True)
class NumberTemplate:
    """A parsed number template: integer part (digits and group separators), fraction digits, fill mode."""

    integer: str  # of '9', '0', ','
    fraction: str  # of '9', '0'
    point: bool
    fill_mode: bool


def parse_number_template(template: str) -> NumberTemplate:
    """Read ``template``; 0A000 for any pattern outside ``9 0 . , D G`` and ``FM``."""
    if not _SUPPORTED.match(template):
        raise FeatureNotSupported(f'to_char number template "{template}" is not supported')
    fill = template[:2].upper() == "FM"
    body = template[2:] if fill else template
    body = body.replace("G", ",").replace("D", ".")
    integer, point, fraction = body.partition(".")
    return NumberTemplate(integer, fraction, bool(point), fill)


def number_sql(arg: str, template: str) -> str:
    """DuckDB SQL formatting ``arg`` (an SQL expression) as PostgreSQL's ``to_char(arg, template)``."""
    t = parse_number_template(template)
    digits = [c for c in t.integer if c in "90"]
    n_int, n_frac = len(digits), len(t.fraction)
    rounded = f"ROUND(ABS(CAST({arg} AS DECIMAL(38, 12))), {n_frac})"
    whole = f"CAST(FLOOR({rounded}) AS HUGEINT)"
    raw_frac = f"RIGHT(CAST(CAST({rounded} AS DECIMAL(38, {n_frac})) AS VARCHAR), {n_frac})" if n_frac else "''"
    # A zero integer part prints no digit, unless nothing else would be printed at all: then "0".
    if not n_frac:
        nothing_else = "TRUE"
    elif t.fill_mode and "0" not in t.fraction:
        nothing_else = f"RTRIM({raw_frac}, '0') = ''"
    else:
        nothing_else = "FALSE"
    int_text = f"(CASE WHEN {whole} <> 0 THEN CAST({whole} AS VARCHAR) WHEN {nothing_else} THEN '0' ELSE '' END)"
    first_zero = digits.index("0") if "0" in digits else n_int
    # LPAD also cuts a longer string short: pad only up to the text's own length (overflow is apart).
    zeroed = f"LPAD({int_text}, CAST(GREATEST(LENGTH({int_text}), {n_int - first_zero}) AS INTEGER), '0')"
    padded = f"LPAD({zeroed}, CAST(GREATEST(LENGTH({zeroed}), {n_int}) AS INTEGER), ' ')" if n_int else "''"
    overflow = f"LENGTH({int_text}) > {n_int}"
    # The integer region, one template character at a time: a separator prints only after a digit.
    parts: list[str] = []
    position = 0
    for char in t.integer:
        if char == ",":
            before = f"SUBSTR({padded}, {position}, 1)" if position else "' '"
            parts.append(f"(CASE WHEN {before} = ' ' THEN ' ' ELSE ',' END)")
        else:
            position += 1
            parts.append(f"SUBSTR({padded}, {position}, 1)")
    region = " || ".join(parts) if parts else "''"
    width = len(t.integer)
    negative = f"(CAST({arg} AS DECIMAL(38, 12)) < 0)"
    signed = f"LPAD((CASE WHEN {negative} THEN '-' ELSE '' END) || LTRIM({region}), {width + 1}, ' ')"
    hashes = "".join("#" if c in "90" else c for c in t.integer)
    if t.point:
        hashes += "." + "#" * n_frac
    overflowed = f"(CASE WHEN {negative} THEN '-' ELSE ' ' END) || '{hashes}'"
    fraction = ""
    if t.point:
        frac_digits = raw_frac
        if t.fill_mode and n_frac:
            kept = t.fraction.rfind("0") + 1  # FM trims trailing zeros in 9 positions only
            frac_digits = f"(LEFT({frac_digits}, {kept}) || RTRIM(SUBSTR({frac_digits}, {kept + 1}), '0'))"
        fraction = f" || '.' || {frac_digits}"
    body = f"(CASE WHEN {overflow} THEN {overflowed} ELSE {signed}{fraction} END)"
    return f"LTRIM({body})" if t.fill_mode else body


__all__ = ["NUMBER_TEMPLATE", "NumberTemplate", "number_sql", "parse_number_template"]
