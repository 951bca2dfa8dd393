"""Settings that would change how statement text is read: only the value Quiver's lexer implements is accepted.

The lexer (:mod:`server.sql.lexer`) and the parser read strings as PostgreSQL does
with ``standard_conforming_strings = on``: a backslash is an ordinary character in
``'...'``. A client that turns the setting off expects ``'a\\'b'`` to be one string
and escapes quotes with backslashes; were the setting accepted and ignored, such a
client's ``'a\\'; SELECT ...'`` would run as two statements. So ``off`` is refused
wherever a setting can be changed (SET, start-up options, ``set_config()``) with
0A000, and ``on`` stays accepted.

``backslash_quote`` and ``escape_string_warning`` need no guard: with conforming
strings, backslash_quote only decides whether ``E'\\''`` is an error, and the
warning is only a notice; neither changes where a string ends.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.errors import FeatureNotSupported, InvalidParameterValue

STANDARD_CONFORMING_STRINGS = "standard_conforming_strings"
_TRUE = frozenset({"on", "true", "yes", "1", "t", "y", "tr", "tru", "ye"})  # PostgreSQL takes prefixes
_FALSE = frozenset({"off", "false", "no", "0", "f", "n", "of", "fa", "fal", "fals"})


def _refused() -> FeatureNotSupported:
    return FeatureNotSupported(
        "standard_conforming_strings = off is not supported",
        detail="Quiver reads a backslash in an ordinary string literal as itself, as PostgreSQL does by default.",
        hint="Leave standard_conforming_strings on; write E'...' strings for backslash escapes, and '' for a quote.",
    )


def conforming_strings(value: str) -> str:
    """The stored value of standard_conforming_strings: ``on``; 0A000 for off, 22023 for a non-boolean."""
    word = value.strip().strip("'\"").lower()
    if word in _TRUE:
        return "on"
    if word in _FALSE:
        raise _refused()
    raise InvalidParameterValue(f'parameter "{STANDARD_CONFORMING_STRINGS}" requires a Boolean value')


def check_set_config(args: list[exp.Expr]) -> None:
    """``set_config(name, value, is_local)`` may not turn standard_conforming_strings off either.

    A value that is not a literal cannot be checked before it runs, so it is refused
    for this one setting.
    """
    if len(args) < 2:
        return
    name = args[0]
    if not (isinstance(name, exp.Literal) and name.is_string):
        return
    if name.name.strip().lower() != STANDARD_CONFORMING_STRINGS:
        return
    value = args[1]
    if isinstance(value, exp.Literal) and value.is_string:
        conforming_strings(value.name)
        return
    raise _refused()
