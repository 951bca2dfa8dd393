"""PostgreSQL's ``to_char`` / ``to_date`` / ``to_timestamp`` template patterns, compiled to DuckDB expressions.

Why: sqlglot maps a PostgreSQL template to strftime codes at parse time and keeps
whatever it does not know as literal text, so ``to_char(ts, 'YYYY-Mon')`` printed
``2023-Mon``. This rule recovers the template as written, tokenizes it as
PostgreSQL does (``FM``/``TM`` prefixes, ``TH``/``th`` suffixes, quoted text,
backslash escapes) and builds one DuckDB expression per statement (strftime
pieces, date parts, lpad/rpad, CASE), so no Python runs per row. A template that
is not a literal, or a pattern whose PostgreSQL meaning is not reproduced
exactly, is refused with 0A000 rather than answered differently.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
import sqlglot.expressions as exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.time import format_time

from server.errors import FeatureNotSupported
from server.sql.number_templates import NUMBER_TEMPLATE, number_sql

_ARG = "quiver_template_arg"
_X = f"CAST({_ARG} AS TIMESTAMP)"

# sqlglot's PostgreSQL -> strftime mapping, inverted (lowercase spellings mean the same as uppercase).
_INVERSE: dict[str, str] = {}
for _pg, _code in sorted(Postgres.TIME_MAPPING.items(), key=lambda item: item[0].islower()):
    _INVERSE.setdefault(_code, _pg)
_INVERSE_CODES = sorted(_INVERSE, key=len, reverse=True)


def recover_template(converted: str) -> str:
    """The PostgreSQL template sqlglot converted into ``converted``; refuses one it cannot recover exactly.

    The recovery is checked by converting it again: a template whose tokens sqlglot
    split differently from PostgreSQL (``Dd``) would not convert back to the same text.
    """
    out: list[str] = []
    i = 0
    while i < len(converted):
        for code in _INVERSE_CODES:
            if converted.startswith(code, i):
                out.append(_INVERSE[code])
                i += len(code)
                break
        else:
            out.append(converted[i])
            i += 1
    template = "".join(out)
    if format_time(template, Postgres.TIME_MAPPING, Postgres.TIME_TRIE) != converted:
        raise FeatureNotSupported(f'template pattern "{template}" is not supported')
    return template


# Every PostgreSQL datetime keyword, longest first so that tokenizing is greedy as in PostgreSQL.
_KEYWORD_TEXT = """A.D. A.M. AD AM B.C. BC CC D DAY DDD DD DY Day Dy FX HH12 HH24 HH IDDD ID IW IYYY IYY IY I J MI MM
    MONTH MON MS Month Mon OF P.M. PM Q RM SSSSS SSSS SS TZH TZM TZ US WW W Y,YYY YYYY YYY YY Y
    a.d. a.m. ad am b.c. bc cc day ddd dd dy d fx hh24 hh12 hh iddd id iw iyyy iyy iy i j mi mm month mon ms
    of p.m. pm q rm sssss ssss ss tz tzh tzm us ww w y,yyy yyyy yyy yy y"""
_KEYWORDS = sorted(_KEYWORD_TEXT.split(), key=len, reverse=True)
# A lowercase keyword whose output does not depend on case is its uppercase one.
_CASE_FREE = {
    "cc",
    "ddd",
    "dd",
    "d",
    "fx",
    "hh24",
    "hh12",
    "hh",
    "iddd",
    "id",
    "iw",
    "iyyy",
    "iyy",
    "iy",
    "i",
    "j",
    "mi",
    "mm",
    "ms",
    "q",
    "sssss",
    "ssss",
    "ss",
    "us",
    "ww",
    "w",
    "y,yyy",
    "yyyy",
    "yyy",
    "yy",
    "y",
    "of",
    "tzh",
    "tzm",
}


@dataclass(frozen=True)
class Token:
    """One template element: a keyword with its FM/TM prefix and TH suffix, or literal text."""

    text: str
    keyword: bool
    fill_mode: bool = False
    suffix: str = ""  # "TH", "th" or ""


def tokenize(template: str) -> list[Token]:
    """Split ``template`` into keywords and literal text the way PostgreSQL's formatting.c does."""
    tokens: list[Token] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == '"':
            end = i + 1
            text: list[str] = []
            while end < len(template) and template[end] != '"':
                if template[end] == "\\" and end + 1 < len(template):
                    end += 1
                text.append(template[end])
                end += 1
            tokens.append(Token("".join(text), False))
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(template) and template[i + 1] == '"':
            tokens.append(Token('"', False))
            i += 2
            continue
        fill = False
        j = i
        while True:
            if template.startswith(("FM", "fm"), j):
                fill, j = True, j + 2
            elif template.startswith(("TM", "tm"), j):
                fill, j = True, j + 2  # translation mode: names unpadded (C locale names)
            elif template.startswith(("SP", "sp"), j):
                raise FeatureNotSupported('template pattern "SP" is not supported')
            else:
                break
        keyword = next((k for k in _KEYWORDS if template.startswith(k, j)), None)
        if keyword is None:
            tokens.append(Token(template[i:j] if j > i else ch, False))
            i = max(j, i + 1)
            continue
        j += len(keyword)
        suffix = ""
        if template.startswith(("TH", "th"), j):
            suffix, j = template[j : j + 2], j + 2
        tokens.append(Token(keyword.upper() if keyword in _CASE_FREE else keyword, True, fill, suffix))
        i = j
    return tokens


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _number(expr: str, width: int, fill: bool) -> str:
    text = f"CAST({expr} AS VARCHAR)"
    return text if fill else f"LPAD({text}, {width}, '0')"


def _ordinal(expr: str, upper: bool) -> str:
    n = f"({expr})"
    suffix = (
        f"CASE WHEN {n} % 100 IN (11, 12, 13) THEN 'th' WHEN {n} % 10 = 1 THEN 'st' "
        f"WHEN {n} % 10 = 2 THEN 'nd' WHEN {n} % 10 = 3 THEN 'rd' ELSE 'th' END"
    )
    return f"UPPER({suffix})" if upper else suffix


def _name(strftime_code: str, case: str, pad: int, fill: bool) -> str:
    text = f"STRFTIME({_X}, '{strftime_code}')"
    text = {"upper": f"UPPER({text})", "lower": f"LOWER({text})"}.get(case, text)
    return text if fill or not pad else f"RPAD({text}, {pad}, ' ')"


_HOUR12 = f"(CASE WHEN HOUR({_X}) % 12 = 0 THEN 12 ELSE HOUR({_X}) % 12 END)"
_YEAR = f"YEAR({_X})"
_ISOYEAR = f"ISOYEAR({_X})"
# (value expression, zero-padded width) of each numeric keyword
_NUMERIC: dict[str, tuple[str, int]] = {
    "YYYY": (_YEAR, 4),
    "YYY": (f"{_YEAR} % 1000", 3),
    "YY": (f"{_YEAR} % 100", 2),
    "Y": (f"{_YEAR} % 10", 1),
    "IYYY": (_ISOYEAR, 4),
    "IYY": (f"{_ISOYEAR} % 1000", 3),
    "IY": (f"{_ISOYEAR} % 100", 2),
    "I": (f"{_ISOYEAR} % 10", 1),
    "MM": (f"MONTH({_X})", 2),
    "DD": (f"DAY({_X})", 2),
    "DDD": (f"DAYOFYEAR({_X})", 3),
    "IDDD": (f"(WEEKOFYEAR({_X}) - 1) * 7 + ISODOW({_X})", 3),
    "D": (f"DAYOFWEEK({_X}) + 1", 1),
    "ID": (f"ISODOW({_X})", 1),
    "HH": (_HOUR12, 2),
    "HH12": (_HOUR12, 2),
    "HH24": (f"HOUR({_X})", 2),
    "MI": (f"MINUTE({_X})", 2),
    "SS": (f"SECOND({_X})", 2),
    "MS": (f"MILLISECOND({_X}) % 1000", 3),
    "US": (f"MICROSECOND({_X}) % 1000000", 6),
    "SSSS": (f"HOUR({_X}) * 3600 + MINUTE({_X}) * 60 + SECOND({_X})", 1),
    "SSSSS": (f"HOUR({_X}) * 3600 + MINUTE({_X}) * 60 + SECOND({_X})", 1),
    "Q": (f"QUARTER({_X})", 1),
    "WW": (f"(DAYOFYEAR({_X}) - 1) // 7 + 1", 2),
    "IW": (f"WEEKOFYEAR({_X})", 2),
    "W": (f"(DAY({_X}) - 1) // 7 + 1", 1),
    "J": (f"DATEDIFF('day', DATE '1970-01-01', CAST({_X} AS DATE)) + 2440588", 1),
    "CC": (f"CASE WHEN {_YEAR} > 0 THEN ({_YEAR} + 99) // 100 ELSE -((99 - {_YEAR}) // 100) END", 2),
}
_NAMES: dict[str, tuple[str, str, int]] = {
    "Month": ("%B", "", 9), "MONTH": ("%B", "upper", 9), "month": ("%B", "lower", 9),
    "Mon": ("%b", "", 0), "MON": ("%b", "upper", 0), "mon": ("%b", "lower", 0),
    "Day": ("%A", "", 9), "DAY": ("%A", "upper", 9), "day": ("%A", "lower", 9),
    "Dy": ("%a", "", 0), "DY": ("%a", "upper", 0), "dy": ("%a", "lower", 0),
}  # fmt: skip
_MERIDIEM = {"AM": ("AM", "PM"), "PM": ("AM", "PM"), "am": ("am", "pm"), "pm": ("am", "pm"),
             "A.M.": ("A.M.", "P.M."), "P.M.": ("A.M.", "P.M."),
             "a.m.": ("a.m.", "p.m."), "p.m.": ("a.m.", "p.m.")}  # fmt: skip


def _piece(token: Token, zone_free: bool) -> str:
    if not token.keyword:
        return _quote(token.text)
    key = token.text
    if key in _NUMERIC:
        value, width = _NUMERIC[key]
        text = _number(value, width, token.fill_mode or width == 1)
        if key == "YYYY" and not token.fill_mode:
            text = _number(value, 4, False)
        return f"({text} || {_ordinal(value, token.suffix == 'TH')})" if token.suffix else text
    if key in _NAMES:
        code, case, pad = _NAMES[key]
        return _name(code, case, pad, token.fill_mode)
    if key in _MERIDIEM:
        am, pm = _MERIDIEM[key]
        return f"(CASE WHEN HOUR({_X}) < 12 THEN '{am}' ELSE '{pm}' END)"
    if key in _ZONE_FREE:
        if zone_free:
            return _quote(_ZONE_FREE[key])
        raise FeatureNotSupported(
            f'template pattern "{key}" is supported only on a value visibly typed timestamp (without time zone)'
        )
    raise FeatureNotSupported(f'template pattern "{key}" is not supported by to_char')


# What PostgreSQL prints for the zone patterns of a timestamp without time zone.
_ZONE_FREE = {"TZ": "", "tz": "", "OF": "+00", "TZH": "+00", "TZM": "00"}


def to_char_sql(template: str, zone_free: bool = False) -> str:
    """DuckDB SQL of ``to_char(<quiver_template_arg>, template)``: a number template, else a date/time one.

    A template made of digit positions (``9``, ``0``) and separators means nothing as a
    date/time template (digits are literal text there), so it is read as a number template.
    """
    if NUMBER_TEMPLATE.match(template):
        return number_sql(_ARG, template)
    pieces = [_piece(token, zone_free) for token in tokenize(template)]
    if not pieces:
        return "''"
    return "(" + " || ".join(pieces) + ")"


# to_date / to_timestamp: PostgreSQL keywords DuckDB's strptime reads the same way.
_STRPTIME = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d", "HH24": "%H", "HH": "%I", "HH12": "%I",
             "MI": "%M", "SS": "%S", "MS": "%g", "US": "%f", "DDD": "%j", "Mon": "%b", "MON": "%b", "mon": "%b",
             "Month": "%B", "MONTH": "%B", "month": "%B", "Dy": "%a", "DY": "%a", "dy": "%a", "Day": "%A",
             "DAY": "%A", "day": "%A", "AM": "%p", "PM": "%p", "am": "%p", "pm": "%p"}  # fmt: skip


def strptime_format(template: str) -> str:
    """The strptime format that parses what PostgreSQL's ``to_timestamp(text, template)`` parses."""
    out: list[str] = []
    for token in tokenize(template):
        if not token.keyword:
            out.append(token.text.replace("%", "%%"))
        elif token.text in _STRPTIME and not token.suffix:
            out.append(_STRPTIME[token.text])
        else:
            raise FeatureNotSupported(f'template pattern "{token.text}" is not supported by to_timestamp')
    return "".join(out)


def _literal_template(node: exp.Expr, function: str) -> str:
    fmt = node.args.get("format")
    if not isinstance(fmt, exp.Literal) or not fmt.is_string:
        raise FeatureNotSupported(f"{function} needs its template as a string literal")
    return recover_template(fmt.name)


def _substitute(sql: str, arg: exp.Expr) -> exp.Expr:
    built = sqlglot.parse_one(sql, read="duckdb")
    return built.transform(
        lambda n: arg.copy() if isinstance(n, exp.Column) and n.name == _ARG and not n.table else n, copy=False
    )


def _zone_free(arg: exp.Expr) -> bool:
    """True when ``arg`` is visibly a timestamp without time zone (a typed literal or a cast; a date is not:
    PostgreSQL reads it as timestamptz here).

    Only then are the zone patterns (``TZ``, ``OF``) known at compile time; elsewhere they are refused.
    """
    return isinstance(arg, exp.Cast) and arg.to.is_type(exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ)


def _replacement(node: exp.Expr) -> exp.Expr | None:
    if isinstance(node, exp.TimeToStr):
        return _substitute(to_char_sql(_literal_template(node, "to_char"), _zone_free(node.this)), node.this)
    if isinstance(node, exp.StrToTime):
        fmt = strptime_format(_literal_template(node, "to_timestamp"))
        return _substitute(f"CAST(STRPTIME({_ARG}, {_quote(fmt)}) AS TIMESTAMPTZ)", node.this)
    if isinstance(node, exp.StrToDate):
        fmt = strptime_format(_literal_template(node, "to_date"))
        return _substitute(f"CAST(STRPTIME({_ARG}, {_quote(fmt)}) AS DATE)", node.this)
    return None


_OUTPUT_NAMES: dict[type[exp.Expr], str] = {
    exp.TimeToStr: "to_char",
    exp.StrToTime: "to_timestamp",
    exp.StrToDate: "to_date",
}


def pg_template_functions(tree: exp.Expr) -> exp.Expr:
    """Replace every ``to_char``/``to_date``/``to_timestamp`` with a template by its DuckDB expression.

    A call that is a whole select item keeps PostgreSQL's output name (``to_char``).
    Guarantees: no TimeToStr/StrToTime/StrToDate node is left, or 0A000 is raised.
    """
    if not any(tree.find_all(exp.TimeToStr, exp.StrToTime, exp.StrToDate)):
        return tree

    def rewrite(node: exp.Expr) -> exp.Expr:
        built = _replacement(node)
        if built is None:
            return node
        parent = node.parent
        if isinstance(parent, exp.Select) and node.arg_key == "expressions":
            return exp.alias_(built, _OUTPUT_NAMES[type(node)], quoted=False)
        return built

    return tree.transform(rewrite)


__all__ = ["pg_template_functions", "recover_template", "strptime_format", "to_char_sql", "tokenize"]
