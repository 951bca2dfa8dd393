"""Access policies as the model states them: frozen objects, read by the policy stage per caller.

A model governs its data in two spellings, both resolved here into the same objects:

* **Lens**: ``meta.secure`` on a dimension (a mask for some user groups) or on a
  segment (a row filter forced on some user groups);
* **Cube**: ``access_policy`` on a table or view, a list of entries each naming
  the groups it is for, optional ``conditions`` on the caller's attributes, which
  members they see (``member_level``), which rows (``row_level``) and which
  members they see masked (``member_masking``, using each dimension's ``mask``).

Nothing here knows a caller: values such as ``{user.region}`` stay references
until :mod:`server.policy` binds them for one caller, as literals on the AST.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError

from server.semantic.diagnostics import Issue, Origin, error
from server.semantic.spec import (
    AccessPolicySpec,
    DimensionType,
    GroupSelectionSpec,
    MaskSpec,
    MemberSelectionSpec,
    RowFilterSpec,
    SecureSpec,
)

EVERYONE = "*"
ATTRIBUTE_META = "quiver_attribute"
# {user.region}, {securityContext.region}, {security_context.tenant_id}
ATTRIBUTE_REFERENCE = re.compile(r"\{\s*(?:user|securityContext|security_context)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")


class MaskFunction(StrEnum):
    REDACT = "redact"
    NULL = "null"
    CONSTANT = "constant"
    MD5 = "md5"
    HASH = "hash"
    PARTIAL = "partial"
    EMAIL = "email"
    BUCKET_NUMBER = "bucket_number"
    BUCKET_DATE = "bucket_date"
    REGEX_REPLACE = "regex_replace"


# Which dimension types each function keeps intact (a mask never changes a column's type).
MASK_TYPES: Mapping[MaskFunction, frozenset[DimensionType]] = {
    MaskFunction.REDACT: frozenset(DimensionType),
    MaskFunction.NULL: frozenset(DimensionType),
    MaskFunction.CONSTANT: frozenset({DimensionType.STRING, DimensionType.NUMBER, DimensionType.BOOLEAN}),
    MaskFunction.MD5: frozenset({DimensionType.STRING}),
    MaskFunction.HASH: frozenset({DimensionType.STRING}),
    MaskFunction.PARTIAL: frozenset({DimensionType.STRING}),
    MaskFunction.EMAIL: frozenset({DimensionType.STRING}),
    MaskFunction.BUCKET_NUMBER: frozenset({DimensionType.NUMBER}),
    MaskFunction.BUCKET_DATE: frozenset({DimensionType.TIME}),
    MaskFunction.REGEX_REPLACE: frozenset({DimensionType.STRING}),
}
DATE_UNITS = ("year", "quarter", "month", "week", "day", "hour")


class FilterOperator(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "notEquals"
    CONTAINS = "contains"
    NOT_CONTAINS = "notContains"
    STARTS_WITH = "startsWith"
    NOT_STARTS_WITH = "notStartsWith"
    ENDS_WITH = "endsWith"
    NOT_ENDS_WITH = "notEndsWith"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    SET = "set"
    NOT_SET = "notSet"
    IN_DATE_RANGE = "inDateRange"
    NOT_IN_DATE_RANGE = "notInDateRange"
    BEFORE_DATE = "beforeDate"
    BEFORE_OR_ON_DATE = "beforeOrOnDate"
    AFTER_DATE = "afterDate"
    AFTER_OR_ON_DATE = "afterOrOnDate"


# How many values each operator takes: None = one or more.
OPERATOR_ARITY: Mapping[FilterOperator, int | None] = {
    FilterOperator.SET: 0,
    FilterOperator.NOT_SET: 0,
    FilterOperator.IN_DATE_RANGE: 2,
    FilterOperator.NOT_IN_DATE_RANGE: 2,
    FilterOperator.GT: 1,
    FilterOperator.GTE: 1,
    FilterOperator.LT: 1,
    FilterOperator.LTE: 1,
    FilterOperator.BEFORE_DATE: 1,
    FilterOperator.BEFORE_OR_ON_DATE: 1,
    FilterOperator.AFTER_DATE: 1,
    FilterOperator.AFTER_OR_ON_DATE: 1,
}


@dataclass(frozen=True)
class Mask:
    """A masking function with its options; ``aggregates`` lets model measures read raw values."""

    func: MaskFunction
    options: Mapping[str, Any]
    aggregates: bool
    origin: Origin

    def describe(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in sorted(self.options.items()) if k != "value")
        return f"{self.func}({shown})" if shown else str(self.func)


@dataclass(frozen=True)
class GroupSelection:
    """Which user groups a rule is for. Excludes win; ``*`` in includes means every group."""

    includes: tuple[str, ...]
    excludes: tuple[str, ...]

    def applies_to(self, group: str) -> bool:
        if group in self.excludes:
            return False
        return EVERYONE in self.includes or group in self.includes


@dataclass(frozen=True)
class SecureRule:
    """Lens ``meta.secure``: on a dimension, ``mask`` for the selected groups; on a segment, a forced filter."""

    groups: GroupSelection
    mask: Mask | None
    origin: Origin
    allow_derived: tuple[str, ...] = ()  # members derived from the masked columns the groups still see


@dataclass(frozen=True)
class MemberSelection:
    """``includes`` (or ``*``) minus ``excludes``, over member names."""

    includes: tuple[str, ...]
    excludes: tuple[str, ...]

    def selects(self, name: str) -> bool:
        if name in self.excludes:
            return False
        return EVERYONE in self.includes or name in self.includes


@dataclass(frozen=True)
class MemberTest:
    """``member operator values``; values may hold ``{user.x}`` references."""

    member: str
    operator: FilterOperator
    values: tuple[Any, ...]
    origin: Origin


@dataclass(frozen=True)
class AllOf:
    parts: tuple[RowFilter, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[RowFilter, ...]


RowFilter = MemberTest | AllOf | AnyOf


@dataclass(frozen=True)
class Condition:
    """An ``if:`` over the caller's attributes; ``tree`` has attribute placeholders (``meta[ATTRIBUTE_META]``)."""

    text: str
    tree: exp.Expr


@dataclass(frozen=True)
class AccessPolicy:
    """One access_policy entry. ``row_filter`` None means every row; ``member_level`` None means every member."""

    groups: tuple[str, ...]
    conditions: tuple[Condition, ...]
    member_level: MemberSelection | None
    row_filter: RowFilter | None
    member_masking: MemberSelection | None
    propagate: bool
    origin: Origin
    # Members derived from what this entry withholds that its groups still see (``name`` or ``table.name``).
    allow_derived: tuple[str, ...] = ()

    def is_for(self, group: str) -> bool:
        return EVERYONE in self.groups or group in self.groups


def member_tests(row_filter: RowFilter | None) -> list[MemberTest]:
    if row_filter is None:
        return []
    if isinstance(row_filter, MemberTest):
        return [row_filter]
    return [test for part in row_filter.parts for test in member_tests(part)]


# -- building from specs ----------------------------------------------------------------------------

Locate = Callable[..., Origin]  # key path below the object -> position in its file


class PolicyBuilder:
    """Turns policy specs into model objects, appending SM7xx issues instead of raising."""

    def __init__(self, issues: list[Issue], dialect: str) -> None:
        self.issues = issues
        self.dialect = dialect

    def mask(self, spec: str | MaskSpec, dimension_type: DimensionType, where: Origin) -> Mask | None:
        if isinstance(spec, str):
            spec = MaskSpec(func=spec)
        try:
            func = MaskFunction(spec.func.strip().lower())
        except ValueError:
            names = ", ".join(f.value for f in MaskFunction)
            self.issues.append(error("SM703", f'unknown mask function "{spec.func}"', where, f"Known: {names}."))
            return None
        if dimension_type not in MASK_TYPES[func]:
            kinds = ", ".join(sorted(t.value for t in MASK_TYPES[func]))
            self.issues.append(
                error(
                    "SM703",
                    f"mask {func} does not apply to a {dimension_type} dimension (it applies to: {kinds})",
                    where,
                    "Masks keep the column's type; redact, null and constant apply to every type.",
                )
            )
            return None
        options = {
            key: value
            for key in ("length", "keep", "value", "size", "unit", "pattern", "replacement")
            if (value := getattr(spec, key)) is not None
        }
        problem = _mask_option_problem(func, options)
        if problem:
            self.issues.append(error("SM703", f"mask {func}: {problem}", where))
            return None
        return Mask(func, options, spec.aggregates, where)

    def secure(
        self, raw: Any, dimension_type: DimensionType | None, where: Origin, owner: str = ""
    ) -> SecureRule | None:
        """``meta.secure`` of a dimension (``dimension_type`` set) or of a segment (None), on table ``owner``."""
        try:
            spec = SecureSpec.model_validate(raw)
        except Exception as exc:  # pydantic.ValidationError: report its first line
            self.issues.append(error("SM001", f"meta.secure: {str(exc).splitlines()[0]}", where))
            return None
        mask = None
        if dimension_type is not None:
            if spec.func is None:
                self.issues.append(error("SM703", "meta.secure on a dimension needs func (the mask)", where))
                return None
            mask = self.mask(spec.func, dimension_type, where)
            if mask is None:
                return None
        allowed = tuple(own_name(name, owner) for name in spec.allow_derived)
        return SecureRule(self.groups(spec.user_groups), mask, where, allowed)

    @staticmethod
    def groups(spec: GroupSelectionSpec) -> GroupSelection:
        return GroupSelection(_names(spec.includes), tuple(spec.excludes))

    def access_policy(self, spec: AccessPolicySpec, locate: Locate, owner: str) -> AccessPolicy | None:
        """One entry of table or view ``owner``; members may be written ``name`` or ``owner.name``."""
        groups = (*([spec.group] if spec.group else []), *(spec.groups or []))
        if not groups:
            self.issues.append(
                error("SM701", "access_policy entry names no group", locate(), 'Add group: NAME (or group: "*").')
            )
            return None
        conditions = []
        for index, condition in enumerate(spec.conditions):
            built = self.condition(condition.if_, locate("conditions", index, "if"))
            if built is None:
                return None
            conditions.append(built)
        row_filter: RowFilter | None = None
        if spec.row_level is not None and not spec.row_level.allow_all:
            parts = []
            for index, item in enumerate(spec.row_level.filters):
                part = self.row_filter(item, lambda *k, i=index: locate("row_level", "filters", i, *k), owner)
                if part is None:
                    return None
                parts.append(part)
            # row_level with neither filters nor allow_all admits no row.
            row_filter = AllOf(tuple(parts)) if len(parts) > 1 else parts[0] if parts else AnyOf(())
        return AccessPolicy(
            groups=groups,
            conditions=tuple(conditions),
            member_level=_selection(spec.member_level, owner),
            row_filter=row_filter,
            member_masking=_selection(spec.member_masking, owner),
            propagate=spec.propagate,
            origin=locate(),
            allow_derived=tuple(own_name(name, owner) for name in spec.allow_derived),
        )

    def row_filter(self, spec: RowFilterSpec, locate: Locate, owner: str) -> RowFilter | None:
        if spec.and_ is not None or spec.or_ is not None:
            if spec.member is not None or (spec.and_ is not None and spec.or_ is not None):
                self.issues.append(error("SM704", "a row filter is a member test, an and, or an or", locate()))
                return None
            key, items = ("and", spec.and_) if spec.and_ is not None else ("or", spec.or_)
            parts = []
            for index, item in enumerate(items or []):
                part = self.row_filter(item, lambda *k, i=index: locate(key, i, *k), owner)
                if part is None:
                    return None
                parts.append(part)
            return AllOf(tuple(parts)) if key == "and" else AnyOf(tuple(parts))
        if spec.member is None or spec.operator is None:
            self.issues.append(error("SM704", "a row filter needs member and operator", locate()))
            return None
        try:
            operator = FilterOperator(spec.operator)
        except ValueError:
            known = ", ".join(o.value for o in FilterOperator)
            self.issues.append(
                error("SM704", f'unknown row filter operator "{spec.operator}"', locate("operator"), f"Known: {known}.")
            )
            return None
        values = tuple(spec.values or ())
        arity = OPERATOR_ARITY.get(operator)
        if (arity is None and not values and spec.values is None) or (arity is not None and len(values) != arity):
            wanted = "one or more values" if arity is None else f"{arity} value(s)"
            self.issues.append(error("SM704", f"operator {operator} takes {wanted}", locate("values")))
            return None
        for value in values:
            if isinstance(value, dict | list):
                self.issues.append(error("SM704", "filter values are scalars", locate("values")))
                return None
            if isinstance(value, str) and "{" in ATTRIBUTE_REFERENCE.sub("", value):
                self.issues.append(
                    error(
                        "SM704",
                        f'malformed attribute reference in "{value}"',
                        locate("values"),
                        "Write {user.attribute} or {securityContext.attribute}.",
                    )
                )
                return None
        return MemberTest(own_name(spec.member, owner), operator, values, locate("member"))

    def condition(self, text: str, where: Origin) -> Condition | None:
        names: list[str] = []

        def placeholder(match: re.Match[str]) -> str:
            names.append(match.group(1))
            return f"__quiver_attr_{len(names) - 1}"

        sql = ATTRIBUTE_REFERENCE.sub(placeholder, text)
        try:
            tree = sqlglot.parse_one(sql, read=self.dialect)
        except (ParseError, TokenError) as exc:
            self.issues.append(error("SM704", f"condition does not parse: {str(exc).splitlines()[0]}", where))
            return None
        for column in tree.find_all(exp.Column):
            match = re.fullmatch(r"__quiver_attr_(\d+)", column.name)
            if match is None or column.table:
                self.issues.append(
                    error(
                        "SM704",
                        f'condition "{text}" may only test {{user.attribute}} values, not "{column.sql()}"',
                        where,
                    )
                )
                return None
            column.meta[ATTRIBUTE_META] = names[int(match.group(1))]
        return Condition(text, tree)


def _names(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def own_name(written: str, owner: str) -> str:
    """``region`` for ``customers.region`` written in a policy of ``customers``."""
    head, _, tail = written.partition(".")
    return tail if tail and head == owner else written


def _selection(spec: MemberSelectionSpec | None, owner: str) -> MemberSelection | None:
    if spec is None:
        return None
    return MemberSelection(
        tuple(own_name(n, owner) for n in _names(spec.includes)), tuple(own_name(n, owner) for n in spec.excludes)
    )


def _mask_option_problem(func: MaskFunction, options: Mapping[str, Any]) -> str | None:
    if func is MaskFunction.CONSTANT and "value" not in options:
        return "needs value"
    if func is MaskFunction.PARTIAL:
        length = options.get("length", 4)
        if not isinstance(length, int) or length < 0:
            return "length must be a non-negative integer"
        if options.get("keep", "last") not in ("first", "last"):
            return "keep must be first or last"
    if func is MaskFunction.BUCKET_NUMBER:
        size = options.get("size")
        if size is None or size <= 0:
            return "needs size > 0 (the width of each bucket)"
    if func is MaskFunction.BUCKET_DATE and options.get("unit", "month") not in DATE_UNITS:
        return "unit must be one of " + ", ".join(DATE_UNITS)
    if func is MaskFunction.REGEX_REPLACE:
        if not options.get("pattern"):
            return "needs pattern"
        try:
            re.compile(options["pattern"])
        except re.error as exc:
            return f"pattern does not compile: {exc}"
    return None
