"""Expand a member template down to source columns, outside any query plan.

The planner expands members over a join tree. The policy stage and model
validation need something smaller: a dimension, segment or join condition
written out over the raw columns of one or two tables, each table under an
alias the caller chooses (``governed.region``), with ``{member}`` references
replaced by the referenced member's own SQL, recursively.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sqlglot.expressions as exp

from server.semantic.model import Measure, Table
from server.semantic.templates import REF_META, Reference, ReferenceKind, Template

_ATOMIC = (exp.Column, exp.Literal, exp.Func, exp.Paren, exp.Boolean, exp.Null, exp.Cast)


class CannotExpand(Exception):
    """The template reads something the caller of :func:`expand` cannot place (another table, a measure)."""


def wrap(node: exp.Expr, replaced: exp.Expr | None = None) -> exp.Expr:
    """Parenthesise a substituted expression unless it is atomic (sqlglot does not add precedence parens).

    ``replaced`` is the node being substituted; at the root of a tree no parentheses are needed.
    """
    if isinstance(node, _ATOMIC) or (replaced is not None and replaced.parent is None):
        return node
    return exp.Paren(this=node)


def expand(
    template: Template,
    tables: Mapping[str, Table],
    column: Callable[[Reference, bool], exp.Expr],
) -> exp.Expr:
    """``template`` with every reference replaced: columns by ``column(ref, quoted)``, members by their SQL.

    ``column`` raises :class:`CannotExpand` for a table it cannot place.
    """

    def visit(node: exp.Expr) -> exp.Expr:
        index = node.meta.get(REF_META) if isinstance(node, exp.Column) else None
        if not index:
            return node
        reference = template.references[index - 1]
        if reference.kind is ReferenceKind.COLUMN:
            quoted = bool(node.this.quoted) if isinstance(node.this, exp.Identifier) else False
            return column(reference, quoted)
        member = tables[reference.table].member(reference.name)
        if member is None or isinstance(member, Measure):
            raise CannotExpand(f'"{reference}" is a measure, not a row-level value')
        return wrap(expand(member.expression, tables, column), node)

    return template.tree.transform(visit, copy=True)


def columns_read(template: Template, tables: Mapping[str, Table]) -> set[Reference]:
    """Every source column ``template`` reads once its member references are expanded."""
    found: set[Reference] = set()

    def record(reference: Reference, quoted: bool) -> exp.Expr:
        found.add(reference)
        return exp.column(reference.name)

    expand(template, tables, record)
    return found


def over_alias(table: str, alias: str) -> Callable[[Reference, bool], exp.Expr]:
    """A ``column`` callback placing ``table``'s columns under ``alias`` and refusing any other table."""

    def place(reference: Reference, quoted: bool) -> exp.Expr:
        if reference.table != table:
            raise CannotExpand(f'reads "{reference.table}", not only "{table}"')
        return exp.column(exp.to_identifier(reference.name, quoted=quoted), table=alias)

    return place


def single_column(template: Template) -> Reference | None:
    """The column a template is exactly (``{TABLE}.email``), else None."""
    tree = template.tree
    index = tree.meta.get(REF_META) if isinstance(tree, exp.Column) else None
    if not index:
        return None
    reference = template.references[index - 1]
    return reference if reference.kind is ReferenceKind.COLUMN else None
