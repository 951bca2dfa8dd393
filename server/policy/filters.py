"""Policy row filters and conditions, bound to one caller's attributes.

User attributes enter SQL only as literals built on the AST (never by formatting
strings), typed by the dimension they are compared with. Anything that cannot
be bound (a missing attribute, a value that is not a number for a number
dimension, a condition this evaluator does not understand) raises 42501: a
policy that cannot be applied never runs unapplied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlglot.expressions as exp

from server.errors import InsufficientPrivilege
from server.policy.identity import Caller
from server.semantic.policies import (
    ATTRIBUTE_META,
    ATTRIBUTE_REFERENCE,
    AllOf,
    AnyOf,
    Condition,
    FilterOperator,
    MemberTest,
    RowFilter,
)
from server.semantic.spec import DimensionType

Subject = tuple[exp.Expr, DimensionType]  # a member's raw SQL and its type


def attribute(caller: Caller, name: str) -> Any:
    if name not in caller.attributes:
        raise InsufficientPrivilege(
            "permission denied: a policy needs a user attribute the caller does not have",
            detail=f'User "{caller.user}" has no attribute "{name}".',
            hint="Add the attribute to the user (users file or token), or change the policy.",
        )
    return caller.attributes[name]


def bind_values(values: tuple[Any, ...], caller: Caller) -> list[Any]:
    """Filter values with ``{user.x}`` replaced; an attribute holding a list adds each of its items."""
    bound: list[Any] = []
    for value in values:
        if not isinstance(value, str) or not ATTRIBUTE_REFERENCE.search(value):
            bound.append(value)
            continue
        whole = ATTRIBUTE_REFERENCE.fullmatch(value.strip())
        if whole:
            found = attribute(caller, whole.group(1))
            bound.extend(found if isinstance(found, list | tuple) else [found])
        else:
            bound.append(ATTRIBUTE_REFERENCE.sub(lambda m: str(attribute(caller, m.group(1))), value))
    return bound


def typed_literal(value: Any, kind: DimensionType) -> exp.Expr:
    """``value`` as a literal of the dimension's type; 42501 when it is not one."""
    if value is None:
        return exp.Null()
    if kind is DimensionType.NUMBER:
        if isinstance(value, bool):
            raise _bad_value(value, kind)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise _bad_value(value, kind) from None
        if not number.is_finite():
            raise _bad_value(value, kind)
        return exp.Literal.number(str(number))
    if kind is DimensionType.BOOLEAN:
        if isinstance(value, bool):
            return exp.Boolean(this=value)
        text = str(value).strip().lower()
        if text in ("true", "false"):
            return exp.Boolean(this=text == "true")
        raise _bad_value(value, kind)
    if kind is DimensionType.TIME:
        return exp.cast(exp.Literal.string(str(value)), exp.DataType.Type.TIMESTAMP)
    return exp.Literal.string(str(value))


def _bad_value(value: Any, kind: DimensionType) -> InsufficientPrivilege:
    return InsufficientPrivilege(
        "permission denied: a policy filter value does not fit its member",
        detail=f"A {kind} member was compared with a value of type {type(value).__name__}.",
    )


def _like_pattern(value: Any, prefix: str, suffix: str) -> exp.Expr:
    escaped = re.sub(r"([\\%_])", r"\\\1", str(value))
    return exp.Literal.string(f"{prefix}{escaped}{suffix}")


def _ilike(subject: exp.Expr, pattern: exp.Expr) -> exp.Expr:
    return exp.Escape(this=exp.ILike(this=subject, expression=pattern), expression=exp.Literal.string("\\"))


def _any(parts: Sequence[exp.Expr]) -> exp.Expr:
    return exp.or_(*parts, copy=False) if parts else exp.false()


def test_expression(test: MemberTest, subject: Subject, caller: Caller) -> exp.Expr:
    """One member test as SQL. NULL values never pass a positive test (a row with no region is not EU)."""
    sql, kind = subject
    op = test.operator
    values = bind_values(test.values, caller)

    def lit(value: Any) -> exp.Expr:
        return typed_literal(value, kind)

    def ref() -> exp.Expr:
        return sql.copy()

    if op is FilterOperator.SET:
        return exp.Not(this=exp.Is(this=ref(), expression=exp.Null()))
    if op is FilterOperator.NOT_SET:
        return exp.Is(this=ref(), expression=exp.Null())
    if op is FilterOperator.EQUALS:
        present = [v for v in values if v is not None]
        parts: list[exp.Expr] = [exp.In(this=ref(), expressions=[lit(v) for v in present])] if present else []
        if len(present) != len(values):
            parts.append(exp.Is(this=ref(), expression=exp.Null()))
        return _any(parts)
    if op is FilterOperator.NOT_EQUALS:
        present = [v for v in values if v is not None]
        if not present:
            return exp.Not(this=exp.Is(this=ref(), expression=exp.Null()))
        # PostgreSQL's and Cube's reading: a NULL member is "not equal" unless NULL is listed.
        test_in = exp.Not(this=exp.In(this=ref(), expressions=[lit(v) for v in present]))
        if len(present) != len(values):
            return test_in
        return exp.or_(exp.Is(this=ref(), expression=exp.Null()), test_in, copy=False)
    text_ops = {
        FilterOperator.CONTAINS: ("%", "%", False),
        FilterOperator.NOT_CONTAINS: ("%", "%", True),
        FilterOperator.STARTS_WITH: ("", "%", False),
        FilterOperator.NOT_STARTS_WITH: ("", "%", True),
        FilterOperator.ENDS_WITH: ("%", "", False),
        FilterOperator.NOT_ENDS_WITH: ("%", "", True),
    }
    if op in text_ops:
        prefix, suffix, negate = text_ops[op]
        subject_text = exp.cast(ref(), exp.DataType.Type.VARCHAR)
        matches = _any([_ilike(subject_text.copy(), _like_pattern(v, prefix, suffix)) for v in values])
        if not negate:
            return matches
        return exp.or_(exp.Is(this=ref(), expression=exp.Null()), exp.Not(this=exp.Paren(this=matches)), copy=False)
    comparisons: dict[FilterOperator, type[exp.Binary]] = {
        FilterOperator.GT: exp.GT,
        FilterOperator.GTE: exp.GTE,
        FilterOperator.LT: exp.LT,
        FilterOperator.LTE: exp.LTE,
        FilterOperator.BEFORE_DATE: exp.LT,
        FilterOperator.BEFORE_OR_ON_DATE: exp.LTE,
        FilterOperator.AFTER_DATE: exp.GT,
        FilterOperator.AFTER_OR_ON_DATE: exp.GTE,
    }
    if op in comparisons:
        if len(values) != 1:
            raise InsufficientPrivilege("permission denied: a policy comparison needs exactly one value")
        return comparisons[op](this=ref(), expression=lit(values[0]))
    if op in (FilterOperator.IN_DATE_RANGE, FilterOperator.NOT_IN_DATE_RANGE):
        if len(values) != 2:
            raise InsufficientPrivilege("permission denied: a policy date range needs two values")
        between = exp.Between(this=ref(), low=lit(values[0]), high=lit(values[1]))
        if op is FilterOperator.IN_DATE_RANGE:
            return between
        return exp.or_(exp.Is(this=ref(), expression=exp.Null()), exp.Not(this=between), copy=False)
    raise InsufficientPrivilege(f"permission denied: row filter operator {op} cannot be applied")


def filter_expression(row_filter: RowFilter, subject: Callable[[str], Subject], caller: Caller) -> exp.Expr:
    """A whole row filter as SQL; ``subject`` gives each named member's raw SQL and type."""
    if isinstance(row_filter, MemberTest):
        return exp.Paren(this=test_expression(row_filter, subject(row_filter.member), caller))
    parts = [filter_expression(part, subject, caller) for part in row_filter.parts]
    if isinstance(row_filter, AllOf):
        return exp.and_(*parts, copy=False) if parts else exp.true()
    assert isinstance(row_filter, AnyOf)
    return exp.Paren(this=_any(parts))


# -- conditions on the caller -------------------------------------------------------------------------


def condition_holds(condition: Condition, caller: Caller) -> bool:
    """Evaluate an ``if:`` over the caller's attributes; only constants and comparisons are understood."""
    value = _evaluate(condition.tree, caller)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InsufficientPrivilege(
            "permission denied: a policy condition is not true or false",
            detail=f"The condition {condition.text!r} evaluated to a {type(value).__name__}.",
        )
    return value


def _evaluate(node: exp.Expr, caller: Caller) -> Any:
    if isinstance(node, exp.Paren):
        return _evaluate(node.this, caller)
    if isinstance(node, exp.Column) and ATTRIBUTE_META in node.meta:
        return attribute(caller, node.meta[ATTRIBUTE_META])
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else Decimal(node.this)
    if isinstance(node, exp.Not):
        inner = _evaluate(node.this, caller)
        return None if inner is None else not inner
    if isinstance(node, exp.And | exp.Or):
        left, right = _evaluate(node.this, caller), _evaluate(node.expression, caller)
        if isinstance(node, exp.And):
            return False if left is False or right is False else (None if None in (left, right) else True)
        return True if left is True or right is True else (None if None in (left, right) else False)
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        return _evaluate(node.this, caller) is None
    if isinstance(node, exp.In):
        subject = _evaluate(node.this, caller)
        options = [_evaluate(e, caller) for e in node.expressions]
        return None if subject is None else any(_same(subject, o) for o in options)
    comparisons = {exp.EQ: "eq", exp.NEQ: "ne", exp.GT: "gt", exp.GTE: "ge", exp.LT: "lt", exp.LTE: "le"}
    for kind, name in comparisons.items():
        if isinstance(node, kind):
            left, right = _evaluate(node.this, caller), _evaluate(node.expression, caller)
            if left is None or right is None:
                return None
            left, right = _comparable(left, right)
            return getattr(left, f"__{name}__")(right)
    raise InsufficientPrivilege(
        "permission denied: a policy condition uses something Quiver cannot evaluate",
        detail=f"Unsupported construct: {node.sql()}",
    )


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """Numbers compare as numbers (``{user.tenant_id} = 42`` with tenant_id "42" too); else as text."""
    left, right = (str(v).lower() if isinstance(v, bool) else v for v in (left, right))
    try:
        return Decimal(str(left)), Decimal(str(right))
    except InvalidOperation:
        return str(left), str(right)


def _same(left: Any, right: Any) -> bool:
    a, b = _comparable(left, right)
    return bool(a == b)
