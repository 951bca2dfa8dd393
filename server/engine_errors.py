"""The engine's failures as PostgreSQL would report them: a table of small mapping rules.

DuckDB names its failures by class (``Binder Error: ...``, ``Conversion Error: ...``)
and words them for its own users: DuckDB type names (``INT32``), candidate bindings,
``LINE`` markers, generated aliases and table paths. A client of a PostgreSQL server
expects PostgreSQL's SQLSTATE and wording, and must never see the engine's text (it
can describe SQL Quiver generated, which may hold policy predicates or physical
names). So every engine message goes through :func:`map_engine_error`:

* each :class:`Rule` matches one engine class and one message pattern, and builds an
  error type from :mod:`server.errors` with a PostgreSQL-style message;
* the variable parts of that message come from the engine text only when they are the
  client's own values or names (a literal that does not convert, a column name that
  is a plain identifier), never an engine-internal name (see :func:`client_name`);
* a class with no matching rule gets that class's generic error; an unknown class is
  an internal error;
* the engine's own text always goes to the log, under a request id; errors that cannot
  be described to the client carry that id in their message.

The module sits at the bottom layer with :mod:`server.errors`, so the catalog route,
the executor and temporary tables all share the one table.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from server.errors import (
    AmbiguousFunction,
    DatetimeFieldOverflow,
    DivisionByZero,
    FeatureNotSupported,
    IntegrityConstraintViolation,
    InternalError,
    InvalidArgumentForLogarithm,
    InvalidArgumentForPower,
    InvalidDatetimeFormat,
    InvalidParameterValue,
    InvalidTextRepresentation,
    NotNullViolation,
    NumericValueOutOfRange,
    QuiverError,
    SqlSyntaxError,
    UndefinedColumn,
    UndefinedFunction,
    UndefinedObject,
    UndefinedTable,
    UniqueViolation,
)

log = logging.getLogger("quiver.engine")

# Builds the client's error from a rule's match; the flag says whether values from the message may be shown.
Builder = Callable[[re.Match[str], bool], QuiverError]

# DuckDB's class prefix: "Binder Error: ", "Out of Range Error: ", "Not implemented Error: ".
_CLASS = re.compile(r"^(?:[A-Za-z]+Error: )?([A-Za-z][A-Za-z ]*?) Error: ")

# DuckDB's type names as PostgreSQL names them (the literal kinds the binder reports too).
PG_TYPE_NAMES: dict[str, str] = {
    "BOOL": "boolean",
    "BOOLEAN": "boolean",
    "INT8": "smallint",  # DuckDB's TINYINT, which PostgreSQL lacks: the nearest type
    "TINYINT": "smallint",
    "INT16": "smallint",
    "SMALLINT": "smallint",
    "INT32": "integer",
    "INTEGER": "integer",
    "INTEGER_LITERAL": "integer",
    "INT64": "bigint",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "INT128": "numeric",
    "UINT8": "smallint",
    "UINT16": "integer",
    "UINT32": "bigint",
    "UINT64": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DECIMAL": "numeric",
    "VARCHAR": "text",
    "STRING_LITERAL": "unknown",
    "BLOB": "bytea",
    "DATE": "date",
    "TIME": "time without time zone",
    "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "TIMESTAMP_NS": "timestamp without time zone",
    "TIMESTAMP_MS": "timestamp without time zone",
    "TIMESTAMP_S": "timestamp without time zone",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "NULL": "unknown",
}
_OPERATORS = frozenset({"+", "-", "*", "/", "%", "//", "^", "**", "||", "<", ">", "<=", ">=", "=", "<>", "!=", "~~"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
# Names the compiler and the catalog translator generate; never a name a client wrote.
# (``_w0`` is the window pass's alias for an inner aggregate, see server/compiler/passes/windows.py.)
_GENERATED = re.compile(r"^(?:_+q|__|_quiver|quiver_|_w\d+$|col\d|t\d+$|sq_|subquery\d)", re.IGNORECASE)


def pg_type(engine_type: str) -> str:
    """PostgreSQL's name for a DuckDB type as the engine prints it (``DECIMAL(38,2)`` is numeric)."""
    base = engine_type.strip().upper()
    base = re.sub(r"\(.*\)$", "", base).strip()
    if base.endswith("[]"):
        return pg_type(base[:-2]) + "[]"
    return PG_TYPE_NAMES.get(base, "unknown")


def client_name(name: str) -> str | None:
    """``name`` when it can be the client's own identifier, else None (generated aliases, paths, expressions)."""
    bare = name.strip().strip('"')
    if "." in bare:
        bare = bare.rsplit(".", 1)[1]
    if not _IDENTIFIER.match(bare) or _GENERATED.match(bare):
        return None
    return bare


def client_value(value: str) -> str | None:
    """A value from the engine message when it is short enough to be the client's literal or datum."""
    return value if len(value) <= 200 and "\n" not in value else None


def _arguments(text: str) -> str:
    return ", ".join(pg_type(part) for part in _split_types(text) if part)


def _split_types(text: str) -> list[str]:
    """The comma-separated types of a binder signature, commas inside ``DECIMAL(18,3)`` kept."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


# ---------------------------------------------------------------- builders, one per rule


def _invalid_text(m: re.Match[str], show_values: bool = True) -> QuiverError:
    value = client_value(m.group("value")) if show_values else None
    type_name = pg_type(m.group("type"))
    if value is None:
        return InvalidTextRepresentation(f"invalid input syntax for type {type_name}")
    return InvalidTextRepresentation(f'invalid input syntax for type {type_name}: "{value}"')


def _invalid_datetime(m: re.Match[str], show_values: bool = True) -> QuiverError:
    value = client_value(m.group("value")) if show_values else None
    type_name = {"date": "date", "timestamp": "timestamp", "time": "time"}.get(m.group("kind").lower(), "timestamp")
    suffix = f': "{value}"' if value is not None else ""
    return InvalidDatetimeFormat(f"invalid input syntax for type {type_name}{suffix}")


def _field_overflow(m: re.Match[str], show_values: bool = True) -> QuiverError:
    value = client_value(m.group("value")) if show_values else None
    suffix = f': "{value}"' if value is not None else ""
    return DatetimeFieldOverflow(f"date/time field value out of range{suffix}")


def _type_out_of_range(m: re.Match[str], show_values: bool = True) -> QuiverError:
    type_name = pg_type(m.group("type"))
    if type_name in ("smallint", "integer", "bigint"):
        return NumericValueOutOfRange(f"{type_name} out of range")
    if type_name == "numeric":
        return NumericValueOutOfRange("numeric field overflow")
    return NumericValueOutOfRange("value out of range")


def _undefined_column(m: re.Match[str], show_values: bool = True) -> QuiverError:
    name = client_name(m.group("name"))
    if name is None:
        return UndefinedColumn("column does not exist")
    return UndefinedColumn(f'column "{name}" does not exist')


def _undefined_table(m: re.Match[str], show_values: bool = True) -> QuiverError:
    name = client_name(m.group("name"))
    if name is None:
        return UndefinedTable("relation does not exist")
    return UndefinedTable(f'relation "{name}" does not exist')


def _undefined_function(m: re.Match[str], show_values: bool = True) -> QuiverError:
    name = client_name(m.group("name"))
    if name is None:
        return UndefinedFunction("function does not exist", hint=_FUNCTION_HINT)
    return UndefinedFunction(f"function {name}() does not exist", hint=_FUNCTION_HINT)


_FUNCTION_HINT = "No function matches the given name and argument types. You might need to add explicit type casts."
_OPERATOR_HINT = "No operator matches the given name and argument types. You might need to add explicit type casts."


def _no_function_matches(m: re.Match[str], show_values: bool = True) -> QuiverError:
    name, arguments = m.group("name"), _split_types(m.group("args"))
    if name in _OPERATORS:
        types = [pg_type(a) for a in arguments if a]
        shown = f"{types[0]} {name} {types[1]}" if len(types) == 2 else f"{name} {' '.join(types)}"
        return UndefinedFunction(f"operator does not exist: {shown}", hint=_OPERATOR_HINT)
    shown_name = client_name(name)
    if shown_name is None:
        return UndefinedFunction("function does not exist", hint=_FUNCTION_HINT)
    return UndefinedFunction(
        f"function {shown_name}({_arguments(m.group('args'))}) does not exist", hint=_FUNCTION_HINT
    )


def _ambiguous(m: re.Match[str], show_values: bool = True) -> QuiverError:
    name, args = m.group("name"), m.group("args")
    types = [pg_type(a) for a in _split_types(args) if a]
    if name in _OPERATORS and len(types) == 2:
        return AmbiguousFunction(
            f"operator is not unique: {types[0]} {name} {types[1]}",
            hint="Could not choose a best candidate operator. You might need to add explicit type casts.",
        )
    shown_name = client_name(name) or "function"
    return AmbiguousFunction(
        f"function {shown_name}({', '.join(types)}) is not unique",
        hint="Could not choose a best candidate function. You might need to add explicit type casts.",
    )


def _cannot_compare(m: re.Match[str], show_values: bool = True) -> QuiverError:
    return UndefinedFunction(
        f"operator does not exist: {pg_type(m.group('left'))} = {pg_type(m.group('right'))}",
        detail="The values compared have different types.",
        hint=_OPERATOR_HINT,
    )


def _syntax_near(m: re.Match[str], show_values: bool = True) -> QuiverError:
    token = client_value(m.group("token"))
    return SqlSyntaxError(f'syntax error at or near "{token}"' if token else "syntax error")


def _fixed(error: Callable[[], QuiverError]) -> Builder:
    return lambda _m, _show: error()


def _not_null(m: re.Match[str], show_values: bool = True) -> QuiverError:
    name = client_name(m.group("name"))
    where = f' in column "{name}"' if name else ""
    return NotNullViolation(f"null value{where} violates not-null constraint")


def _undefined_type(m: re.Match[str], show_values: bool = True) -> QuiverError:
    name = client_name(m.group("name"))
    return UndefinedObject(f'type "{name}" does not exist' if name else "type does not exist")


@dataclass(frozen=True)
class Rule:
    """One engine class (``Binder``) and message pattern, and the error a client sees for it."""

    engine_class: str
    pattern: re.Pattern[str]
    build: Builder

    def apply(self, engine_class: str, body: str, show_values: bool = True) -> QuiverError | None:
        if engine_class != self.engine_class:
            return None
        match = self.pattern.search(body)
        return self.build(match, show_values) if match else None


def _rule(engine_class: str, pattern: str, build: Builder) -> Rule:
    return Rule(engine_class, re.compile(pattern, re.IGNORECASE | re.DOTALL), build)


_TYPE = r"(?P<type>[A-Z][A-Z0-9_ ]*(?:\(\d+(?:,\s*\d+)?\))?)"

RULES: tuple[Rule, ...] = (
    # values the client wrote (or data it cast) that do not read as the type
    _rule("Conversion", r"Could not convert string '(?P<value>.*?)' to " + _TYPE, _invalid_text),
    _rule("Conversion", r"Could not convert string \"(?P<value>.*?)\" to " + _TYPE, _invalid_text),
    _rule("Conversion", r"(?:date|timestamp|time) field value out of range: \"(?P<value>.*?)\"", _field_overflow),
    _rule("Conversion", r"invalid (?P<kind>date|timestamp|time) field format: \"(?P<value>.*?)\"", _invalid_datetime),
    _rule(
        "Conversion",
        r"(?:Type \S+ with value .* can't be cast because the value is out of range for the "
        r"destination type|Failed to cast decimal value .* to type|out of range for the destination type) " + _TYPE,
        _type_out_of_range,
    ),
    _rule("Conversion", r"Could not cast value .* to " + _TYPE, _type_out_of_range),
    _rule("Conversion", r"division by zero", _fixed(lambda: DivisionByZero("division by zero"))),
    # arithmetic
    _rule(
        "Out of Range",
        r"Overflow in (?:addition|subtraction|multiplication|negation|division) of " + _TYPE,
        _type_out_of_range,
    ),
    _rule(
        "Out of Range",
        r"cannot take square root of a negative number",
        _fixed(lambda: InvalidArgumentForPower("cannot take square root of a negative number")),
    ),
    _rule(
        "Out of Range",
        r"cannot take logarithm of (?:zero|a negative number)",
        lambda m, _show: InvalidArgumentForLogarithm(m.group(0).lower()),
    ),
    _rule("Out of Range", r"division by zero", _fixed(lambda: DivisionByZero("division by zero"))),
    _rule("Out of Range", r"out of range for (?:type )?" + _TYPE, _type_out_of_range),
    _rule("Invalid Input", r"division by zero", _fixed(lambda: DivisionByZero("division by zero"))),
    _rule("Invalid Input", r"Could not convert string '(?P<value>.*?)' to " + _TYPE, _invalid_text),
    # names
    _rule("Binder", r"Referenced column \"?(?P<name>[^\"\s]+)\"? not found", _undefined_column),
    _rule("Binder", r"column \"?(?P<name>[^\"\s]+)\"? (?:not found|does not exist)", _undefined_column),
    _rule("Catalog", r"Table with name \"?(?P<name>[^\"\s!]+)\"? does not exist", _undefined_table),
    _rule(
        "Catalog",
        r"(?:Scalar Function|Table Function|Aggregate Function|Function|Macro Function) with name "
        r"\"?(?P<name>[^\"\s(]+)\"? does not exist",
        _undefined_function,
    ),
    _rule("Catalog", r"Type with name \"?(?P<name>[^\"\s]+)\"? does not exist", _undefined_type),
    # functions and operators over the wrong types
    _rule(
        "Binder",
        r"No function matches the given name and argument types '(?P<name>[^(']+)\((?P<args>.*)\)'",
        _no_function_matches,
    ),
    _rule(
        "Binder",
        r"Could not choose a best candidate function for the function call "
        r"\"(?P<name>[^(\"]+)\((?P<args>.*)\)\"",
        _ambiguous,
    ),
    _rule("Binder", r"Cannot compare values of type (?P<left>\S+) and type (?P<right>\S+)", _cannot_compare),
    _rule("Binder", r"Cannot mix values of type (?P<left>\S+) and (?P<right>\S+)", _cannot_compare),
    # syntax
    _rule("Parser", r"syntax error at or near \"(?P<token>[^\"]*)\"", _syntax_near),
    _rule("Parser", r"syntax error at end of input", _fixed(lambda: SqlSyntaxError("syntax error at end of input"))),
    # constraints (temporary tables)
    _rule("Constraint", r"NOT NULL constraint failed: (?P<name>\S+)", _not_null),
    _rule(
        "Constraint",
        r"Duplicate key .* violates (?:primary key|unique) constraint",
        _fixed(lambda: UniqueViolation("duplicate key value violates unique constraint")),
    ),
)


# What a class means when no rule above describes the message: PostgreSQL's code for the family.
_GENERIC: dict[str, Callable[[str], QuiverError]] = {
    "Conversion": lambda rid: InvalidTextRepresentation("invalid input syntax"),
    "Out of Range": lambda rid: NumericValueOutOfRange("value out of range"),
    "Invalid Input": lambda rid: InvalidParameterValue("invalid input value for the function called"),
    "Binder": lambda rid: UndefinedFunction(
        "function or operator does not exist for the given argument types", hint=_FUNCTION_HINT
    ),
    "Catalog": lambda rid: UndefinedTable("relation or object does not exist"),
    "Parser": lambda rid: SqlSyntaxError("syntax error"),
    "Not implemented": lambda rid: FeatureNotSupported(f"the engine does not support this query (request id {rid})"),
    "Constraint": lambda rid: IntegrityConstraintViolation("integrity constraint violated"),
}


def engine_class(message: str) -> tuple[str, str]:
    """The engine's class name (``Binder``) and the message body after its prefix; ``""`` when it has none."""
    match = _CLASS.match(message)
    if match is None:
        return "", message
    return match.group(1), message[match.end() :]


def map_engine_error(message: str, *, generated: bool = False) -> QuiverError:
    """The PostgreSQL-style error a client sees for engine ``message``; the engine text goes to the log.

    ``generated`` says the SQL the engine ran is Quiver's own rendering (the semantic
    route): a syntax, binder or catalog failure there is Quiver's fault, not the
    client's, so it is not described as if the client wrote it; and a value the
    engine quotes there may be a row's datum the client never saw (a masked column
    cast before its mask, a row a filter removes later), so values are left out.
    """
    request_id = uuid.uuid4().hex[:12]
    error = _mapped(message, generated, request_id)
    # The client's own mistake (a bad cast, a wrong type) is routine; anything else is worth an error line.
    level = logging.ERROR if isinstance(error, InternalError) or "request id" in error.message else logging.INFO
    log.log(level, "engine error (request %s): %s", request_id, message[:2000])
    return error


def _mapped(message: str, generated: bool, request_id: str) -> QuiverError:
    """The first rule that matches; else the class's generic error; else an internal error naming ``request_id``."""
    klass, body = engine_class(message)
    first = body.split("\n", 1)[0]
    if generated and klass in ("Parser", "Catalog"):
        return FeatureNotSupported(f"the engine cannot run this query (request id {request_id})")
    for rule in RULES:
        error = rule.apply(klass, first, show_values=not generated)
        if error is not None:
            return error
    if klass in _GENERIC and not (generated and klass == "Binder"):
        return _GENERIC[klass](request_id)
    if generated and klass == "Binder":
        return FeatureNotSupported(f"the engine cannot run this query (request id {request_id})")
    return InternalError(f"internal error in the engine (request id {request_id})")
