"""Member SQL with ``{...}`` references, parsed once into a sqlglot tree.

A dimension, measure, segment or join in a model is a SQL fragment that names
other things in braces:

=========================  =====================================================
``{TABLE}.col``            a column of this table's source (``{CUBE}`` in Cube)
``{TABLE.x}``, ``{x}``     member ``x`` of this table, else the column ``x``
``{other.x}``              member ``x`` of table ``other`` (reached by a join)
``{other}.col``            a column of table ``other``'s source
``col``                    a bare column of this table's source (Lens allows it)
=========================  =====================================================

We replace each brace with a placeholder identifier, parse the result with
sqlglot in the model's dialect, and then tag each reference node with
``meta["qref"]``: an index into :attr:`Template.references`. The compiler later
copies the tree and swaps the tagged nodes for the right table alias or the
referenced member's own expression, without ever formatting strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError

from server.semantic.diagnostics import Origin

SELF_NAMES = frozenset({"TABLE", "CUBE"})
_BRACE = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*)?\}")
_PLACEHOLDER = "__qref_"
REF_META = "qref"


class ReferenceKind(StrEnum):
    COLUMN = "column"
    MEMBER = "member"


@dataclass(frozen=True, slots=True)
class RawReference:
    """A brace as written: ``{head}`` or ``{head.tail}``, plus whether a ``.col`` followed it."""

    head: str
    tail: str | None


@dataclass(frozen=True, slots=True)
class Reference:
    """A resolved reference: a source column or a member of a named table."""

    kind: ReferenceKind
    table: str
    name: str

    def __str__(self) -> str:
        return f"{self.table}.{self.name}"


@dataclass(frozen=True)
class Template:
    """A parsed member expression. ``tree`` must be copied before it is changed."""

    text: str
    tree: exp.Expr
    references: tuple[Reference, ...]
    origin: Origin

    def __deepcopy__(self, memo: dict[int, object]) -> Template:
        return self  # immutable once built; trees that reference it share it

    def member_references(self) -> tuple[Reference, ...]:
        return tuple(ref for ref in self.references if ref.kind is ReferenceKind.MEMBER)

    def column_references(self) -> tuple[Reference, ...]:
        return tuple(ref for ref in self.references if ref.kind is ReferenceKind.COLUMN)

    def has_aggregate(self) -> bool:
        return self.tree.find(exp.AggFunc) is not None


class TemplateSyntaxError(Exception):
    """The fragment does not parse as SQL once braces are replaced."""


@dataclass(frozen=True)
class ParsedFragment:
    """A fragment parsed but not yet resolved against the model."""

    text: str
    tree: exp.Expr
    raw: tuple[RawReference, ...]


def parse_fragment(text: str, dialect: str) -> ParsedFragment:
    """Parse ``text`` as a SQL expression with brace references replaced by placeholders."""
    raw: list[RawReference] = []

    def substitute(match: re.Match[str]) -> str:
        raw.append(RawReference(match.group(1), match.group(2)))
        return f"{_PLACEHOLDER}{len(raw) - 1}"

    sql = _BRACE.sub(substitute, text)
    if "{" in sql or "}" in sql:
        raise TemplateSyntaxError("unbalanced or malformed {reference}")
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except (ParseError, TokenError) as exc:
        raise TemplateSyntaxError(str(exc).splitlines()[0]) from exc
    if tree is None or isinstance(tree, exp.Query):
        raise TemplateSyntaxError("expected an expression, found a query")
    return ParsedFragment(text, tree, tuple(raw))


def placeholder_index(name: str) -> int | None:
    """The raw-reference index a placeholder identifier stands for, else None."""
    if name.startswith(_PLACEHOLDER):
        suffix = name[len(_PLACEHOLDER) :]
        if suffix.isdigit():
            return int(suffix)
    return None
