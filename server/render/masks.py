"""How each mask function is written in each engine's SQL: the targets' mask renderings.

The policy stage (``server.policy.masks``) decides *which* mask applies and
leaves a neutral :class:`~server.sql.neutral.MaskCall`; the target replaces it
with one of the renderings here. Most masks are portable trees of typed sqlglot
nodes (CASE, ``||``, ``repeat``, ``right``) that sqlglot writes correctly in
every dialect. Two are not, and each target says how it writes them:

* the date bucket: DuckDB's ``time_bucket``, PostgreSQL's ``date_trunc`` (kept
  in the value's type), Trino's, Spark's, Snowflake's and BigQuery's ``date_trunc``
  (BigQuery's weeks start on Sunday unless asked for ISO weeks);
* HMAC-SHA-256, from each engine's byte primitives (``sha256`` returns hex text
  in DuckDB, bytes in PostgreSQL, Trino and BigQuery).

One more needs care, and sqlglot already gives it:

* ``regexp_replace`` on every match: sqlglot's node means every match, and
  writes the ``g`` flag for DuckDB and PostgreSQL and three arguments elsewhere
  (where a fourth argument means something else: a lambda in Trino, a position
  in Snowflake).

Every rendering keeps the column's type where the engine allows it, so a
client's schema does not change with the mask (see each target's notes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import sqlglot.expressions as exp

from server.semantic.policies import MaskFunction
from server.sql.neutral import OptionValue

REDACTED = "REDACTED"

DateBucket = Callable[[exp.Expr, str], exp.Expr]
"""``(value, unit)`` to the value truncated to the start of its ``unit`` (year ... hour)."""


def call(name: str, *args: exp.Expr) -> exp.Anonymous:
    """A function the rendering knows the engine has (masks are Quiver's SQL, not the caller's).

    Upper case, as sqlglot writes function names (BigQuery's generator keeps an anonymous name as given).
    """
    return exp.Anonymous(this=name.upper(), expressions=list(args))


def text(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def literal(value: OptionValue) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(int(value) if float(value).is_integer() else value)
    if value is None:
        return exp.Null()
    return exp.Literal.string(str(value))


def as_text(value: exp.Expr) -> exp.Expr:
    return exp.cast(value, exp.DataType.Type.VARCHAR)


# -- the two constructs each target writes its own way ---------------------------------------------------


@dataclass(frozen=True)
class Hashing:
    """The byte primitives HMAC-SHA-256 is built from, in one engine's functions.

    ``utf8`` text to bytes, ``unhex`` hex text to bytes, ``digest`` bytes to the
    SHA-256 digest as bytes, ``hex_digest`` bytes to the digest as lowercase hex.
    """

    utf8: Callable[[exp.Expr], exp.Expr]
    unhex: Callable[[exp.Expr], exp.Expr]
    digest: Callable[[exp.Expr], exp.Expr]
    hex_digest: Callable[[exp.Expr], exp.Expr]

    def hmac(self, value: exp.Expr, inner_pad: str, outer_pad: str) -> exp.Expr:
        """HMAC-SHA-256 of ``value``'s text (RFC 2104) from the padded keys, as lowercase hex."""
        inner = self.digest(exp.DPipe(this=self.unhex(text(inner_pad)), expression=self.utf8(as_text(value))))
        return self.hex_digest(exp.DPipe(this=self.unhex(text(outer_pad)), expression=inner))


def _sha2(value: exp.Expr) -> exp.Expr:
    return exp.SHA2(this=value, length=exp.Literal.number(256))


# DuckDB's sha256 returns hex text, so the inner digest is unhexed again (the SQL Quiver always sent).
DUCKDB_HASHING = Hashing(
    utf8=lambda value: exp.Encode(this=value),
    unhex=lambda value: exp.Unhex(this=value),
    digest=lambda value: exp.Unhex(this=_sha2(value)),
    hex_digest=_sha2,
)
POSTGRES_HASHING = Hashing(
    utf8=lambda value: call("convert_to", value, text("UTF8")),
    unhex=lambda value: call("decode", value, text("hex")),
    digest=lambda value: call("sha256", value),
    hex_digest=lambda value: call("encode", call("sha256", value), text("hex")),
)
TRINO_HASHING = Hashing(
    utf8=lambda value: call("to_utf8", value),
    unhex=lambda value: call("from_hex", value),
    digest=lambda value: call("sha256", value),
    hex_digest=lambda value: call("lower", call("to_hex", call("sha256", value))),
)
SPARK_HASHING = Hashing(
    utf8=lambda value: call("encode", value, text("UTF-8")),
    unhex=lambda value: call("unhex", value),
    digest=lambda value: call("unhex", call("sha2", value, exp.Literal.number(256))),
    hex_digest=lambda value: call("sha2", value, exp.Literal.number(256)),
)
SNOWFLAKE_HASHING = Hashing(
    utf8=lambda value: call("to_binary", value, text("UTF-8")),
    unhex=lambda value: call("hex_decode_binary", value),
    digest=lambda value: call("sha2_binary", value, exp.Literal.number(256)),
    hex_digest=lambda value: call("sha2", value, exp.Literal.number(256)),
)
BIGQUERY_HASHING = Hashing(
    utf8=lambda value: exp.cast(value, exp.DataType.build("BINARY")),
    unhex=lambda value: call("from_hex", value),
    digest=lambda value: call("sha256", value),
    hex_digest=lambda value: call("to_hex", call("sha256", value)),
)

# DuckDB's bucket widths: its default origins put weeks on Mondays and quarters on January,
# April, July and October, as date_trunc does elsewhere.
_WIDTHS = {"quarter": "3 months", "week": "7 days"}


def time_bucket(value: exp.Expr, unit: str) -> exp.Expr:
    """DuckDB: ``time_bucket`` keeps a DATE a DATE (its ``date_trunc`` would return a TIMESTAMP)."""
    width = _WIDTHS.get(unit, f"1 {unit}")
    return call("time_bucket", exp.Interval(this=text(width)), value)


def date_trunc(value: exp.Expr, unit: str) -> exp.Expr:
    """``date_trunc('unit', value)``: Trino and Snowflake keep the value's type; Spark returns a TIMESTAMP."""
    return call("date_trunc", text(unit), value)


def postgres_bucket(value: exp.Expr, unit: str) -> exp.Expr:
    """PostgreSQL's ``date_trunc`` returns a timestamp even for a DATE; subtracting the remainder keeps the type.

    ``v - (v - date_trunc(unit, v)::date)`` is a DATE for a DATE (date - integer), a
    TIMESTAMP for a TIMESTAMP and a TIMESTAMPTZ for a TIMESTAMPTZ (minus an interval).
    Hours have no date to cast to: ``date_trunc('hour', v)``, a timestamp.
    """
    if unit == "hour":
        return date_trunc(value, unit)
    start = exp.cast(date_trunc(value.copy(), unit), exp.DataType.Type.DATE)
    return exp.Sub(this=value, expression=exp.Paren(this=exp.Sub(this=value.copy(), expression=start)))


def bigquery_bucket(value: exp.Expr, unit: str) -> exp.Expr:
    """BigQuery: ``DATE_TRUNC(value, UNIT)``, ISO weeks (its WEEK starts on Sunday)."""
    part = "ISOWEEK" if unit == "week" else unit.upper()
    return call("date_trunc", value, exp.var(part))


# -- the renderings -------------------------------------------------------------------------------


class MaskDialect(Protocol):
    """The engine-specific pieces the mask renderings are assembled from (a target has them)."""

    @property
    def hashing(self) -> Hashing: ...

    @property
    def bucket_date(self) -> DateBucket: ...


Options = Mapping[str, OptionValue]
MaskRendering = Callable[[exp.Expr, Options, MaskDialect], exp.Expr]


def _typed_null(value: exp.Expr) -> exp.Expr:
    """NULL with ``value``'s type (no CAST target needed)."""
    return exp.Case(ifs=[exp.If(this=exp.false(), true=value)])


def _typed_constant(value: exp.Expr, constant: exp.Expr) -> exp.Expr:
    """``constant`` for every row, with ``value``'s type as far as the engine unifies them."""
    return exp.Case(ifs=[exp.If(this=exp.false(), true=value)], default=constant)


def _redact(value: exp.Expr, options: Options, dialect: MaskDialect) -> exp.Expr:
    if options.get("string"):
        return _typed_constant(value, literal(options.get("value", REDACTED)))
    return _typed_null(value)


def _partial(value: exp.Expr, options: Options, dialect: MaskDialect) -> exp.Expr:
    length = int(options.get("length") or 4)
    size = exp.Length(this=value.copy())
    if options.get("keep", "last") == "first":
        kept: exp.Expr = exp.Left(this=value.copy(), expression=exp.Literal.number(length))
    else:
        kept = exp.Right(this=value.copy(), expression=exp.Literal.number(length))
    stars = exp.Repeat(
        this=exp.Literal.string("*"), times=exp.Sub(this=size.copy(), expression=exp.Literal.number(length))
    )
    first = options.get("keep", "last") == "first"
    shown = exp.DPipe(this=kept, expression=stars) if first else exp.DPipe(this=stars, expression=kept)
    return exp.Case(
        ifs=[exp.If(this=exp.GT(this=size, expression=exp.Literal.number(length)), true=shown)],
        default=exp.Repeat(this=exp.Literal.string("*"), times=exp.Length(this=value.copy())),
    )


def _bucket_number(value: exp.Expr, options: Options, dialect: MaskDialect) -> exp.Expr:
    """Round down to a multiple of ``size``, negative values too (the remainder is made non-negative)."""
    size = literal(options["size"])
    remainder = exp.Mod(
        this=exp.Paren(this=exp.Add(this=exp.Mod(this=value.copy(), expression=size.copy()), expression=size.copy())),
        expression=size.copy(),
    )
    return exp.Sub(this=value, expression=exp.Paren(this=remainder))


def _email(value: exp.Expr, options: Options, dialect: MaskDialect) -> exp.Expr:
    return exp.RegexpReplace(this=value, expression=exp.Literal.string("^[^@]*"), replacement=text("***"))


def _regex_replace(value: exp.Expr, options: Options, dialect: MaskDialect) -> exp.Expr:
    """Every match: sqlglot writes the ``g`` flag where the engine needs it and three arguments elsewhere."""
    return exp.RegexpReplace(
        this=value, expression=text(str(options["pattern"])), replacement=text(str(options.get("replacement") or ""))
    )


MASK_RENDERINGS: Mapping[MaskFunction, MaskRendering] = {
    MaskFunction.REDACT: _redact,
    MaskFunction.NULL: lambda value, options, dialect: _typed_null(value),
    MaskFunction.CONSTANT: lambda value, options, dialect: _typed_constant(value, literal(options["value"])),
    MaskFunction.MD5: lambda value, options, dialect: exp.MD5(this=as_text(value)),
    MaskFunction.HASH: lambda value, options, dialect: dialect.hashing.hmac(
        value, str(options["inner"]), str(options["outer"])
    ),
    MaskFunction.PARTIAL: _partial,
    MaskFunction.EMAIL: _email,
    MaskFunction.BUCKET_NUMBER: _bucket_number,
    MaskFunction.BUCKET_DATE: lambda value, options, dialect: dialect.bucket_date(
        value, str(options.get("unit") or "month")
    ),
    MaskFunction.REGEX_REPLACE: _regex_replace,
}
"""Every mask function, written from a target's :class:`MaskDialect`."""
