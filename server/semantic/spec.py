"""The authored shape of a model file, as pydantic validates it.

These classes say which keys a Lens (or Cube) YAML file may hold and of what
type. They are deliberately close to the text: names are not resolved here and
``{TABLE}`` references are still strings. :mod:`server.semantic.build` turns them
into the resolved, frozen :mod:`server.semantic.model`.

Cube's spellings are accepted as synonyms (``cubes`` for ``tables``,
``sql_table``, ``has_many`` style relationships) so Cube users can bring their
models. Unknown keys are kept (``extra="allow"``) and reported as warnings, so a
typo is visible but does not drop the whole table.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator


class DimensionType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    TIME = "time"
    BOOLEAN = "boolean"


class MeasureType(StrEnum):
    COUNT = "count"
    COUNT_DISTINCT = "count_distinct"
    COUNT_DISTINCT_APPROX = "count_distinct_approx"
    SUM = "sum"
    AVG = "avg"
    MIN = "min"
    MAX = "max"
    NUMBER = "number"


class Relationship(StrEnum):
    ONE_TO_ONE = "one_to_one"
    ONE_TO_MANY = "one_to_many"
    MANY_TO_ONE = "many_to_one"

    def reversed(self) -> Relationship:
        if self is Relationship.ONE_TO_MANY:
            return Relationship.MANY_TO_ONE
        if self is Relationship.MANY_TO_ONE:
            return Relationship.ONE_TO_MANY
        return self


# Cube's older and camel-case spellings of the same three relationships.
RELATIONSHIP_SYNONYMS = {
    "has_one": "one_to_one",
    "hasone": "one_to_one",
    "onetoone": "one_to_one",
    "has_many": "one_to_many",
    "hasmany": "one_to_many",
    "onetomany": "one_to_many",
    "belongs_to": "many_to_one",
    "belongsto": "many_to_one",
    "manytoone": "many_to_one",
}


class Spec(BaseModel):
    """Base of every spec: unknown keys are kept so they can be reported, not rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class FilterSpec(Spec):
    sql: str


class MaskSpec(Spec):
    """How a dimension's value is shown to callers a policy masks it for (``mask: hash`` is short for this).

    Options are read by the mask function that uses them: ``length``/``keep`` (partial),
    ``value`` (constant, redact), ``size`` (bucket_number), ``unit`` (bucket_date),
    ``pattern``/``replacement`` (regex_replace). ``aggregates: true`` lets the table's
    model measures read the unmasked value (the policy author accepts that totals reveal it).
    """

    func: str
    length: int | None = None
    keep: str | None = None
    value: Any = None
    size: float | None = None
    unit: str | None = None
    pattern: str | None = None
    replacement: str | None = None
    aggregates: bool = False


class GroupSelectionSpec(Spec):
    """Lens ``user_groups``: which groups a ``meta.secure`` rule applies to."""

    includes: str | list[str] = "*"
    excludes: list[str] = Field(default_factory=list)


class SecureSpec(Spec):
    """Lens ``meta.secure``: on a dimension, a mask (``func``); on a segment, a forced filter.

    ``allow_derived`` names members built on the masked dimension's columns that the
    selected groups may still see whole (policies follow derivation otherwise).
    """

    func: str | MaskSpec | None = None
    user_groups: GroupSelectionSpec = Field(default_factory=GroupSelectionSpec)
    allow_derived: list[str] = Field(default_factory=list)


class MemberSelectionSpec(Spec):
    includes: str | list[str] = "*"
    excludes: list[str] = Field(default_factory=list)


class RowFilterSpec(Spec):
    """One Cube row-level filter: a member test, or an ``and``/``or`` of filters."""

    member: str | None = None
    operator: str | None = None
    values: list[Any] | None = None
    and_: list[RowFilterSpec] | None = Field(default=None, validation_alias=AliasChoices("and", "and_"))
    or_: list[RowFilterSpec] | None = Field(default=None, validation_alias=AliasChoices("or", "or_"))


class RowLevelSpec(Spec):
    filters: list[RowFilterSpec] = Field(default_factory=list)
    allow_all: bool = False


class ConditionSpec(Spec):
    if_: str = Field(validation_alias=AliasChoices("if", "if_"))


class AccessPolicySpec(Spec):
    """One Cube ``access_policy`` entry: who it is for, and what they see."""

    group: str | None = Field(default=None, validation_alias=AliasChoices("group", "role"))
    groups: list[str] | None = None
    conditions: list[ConditionSpec] = Field(default_factory=list)
    member_level: MemberSelectionSpec | None = None
    row_level: RowLevelSpec | None = None
    member_masking: MemberSelectionSpec | None = None
    propagate: bool = True
    # Members derived from what this entry withholds that its groups may still see, by name.
    allow_derived: list[str] = Field(default_factory=list)


class DimensionSpec(Spec):
    name: str
    type: DimensionType = DimensionType.STRING
    sql: str | None = None
    column: str | None = None
    primary_key: bool = False
    public: bool = Field(default=True, validation_alias=AliasChoices("public", "shown"))
    description: str = ""
    title: str | None = None
    format: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    mask: str | MaskSpec | None = None


class MeasureSpec(Spec):
    name: str
    type: MeasureType
    sql: str | None = None
    filters: list[FilterSpec] = Field(default_factory=list)
    public: bool = Field(default=True, validation_alias=AliasChoices("public", "shown"))
    description: str = ""
    title: str | None = None
    format: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    drill_members: list[str] = Field(default_factory=list)

    @field_validator("type", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value


class SegmentSpec(Spec):
    name: str
    sql: str
    public: bool = Field(default=True, validation_alias=AliasChoices("public", "shown"))
    description: str = ""
    title: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class JoinSpec(Spec):
    name: str
    relationship: Relationship
    sql: str

    @field_validator("relationship", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> Any:
        if isinstance(value, str):
            key = value.strip().lower()
            return RELATIONSHIP_SYNONYMS.get(key.replace("_", ""), RELATIONSHIP_SYNONYMS.get(key, key))
        return value


class TableSpec(Spec):
    name: str
    sql: str | None = None
    sql_table: str | None = None
    description: str = ""
    title: str | None = None
    public: bool = Field(default=True, validation_alias=AliasChoices("public", "shown"))
    data_source: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    joins: list[JoinSpec] = Field(default_factory=list)
    dimensions: list[DimensionSpec] = Field(default_factory=list)
    measures: list[MeasureSpec] = Field(default_factory=list)
    segments: list[SegmentSpec] = Field(default_factory=list)
    access_policy: list[AccessPolicySpec] = Field(default_factory=list)


class IncludeSpec(Spec):
    name: str
    alias: str | None = None


class ViewTableSpec(Spec):
    join_path: str
    includes: str | list[str | IncludeSpec] = "*"
    excludes: list[str] = Field(default_factory=list)
    prefix: bool | str = False
    alias: str | None = None


class ViewSpec(Spec):
    name: str
    description: str = ""
    title: str | None = None
    public: bool = Field(default=True, validation_alias=AliasChoices("public", "shown"))
    meta: dict[str, Any] = Field(default_factory=dict)
    tables: list[ViewTableSpec] = Field(default_factory=list, validation_alias=AliasChoices("tables", "cubes"))
    access_policy: list[AccessPolicySpec] = Field(default_factory=list)


class UserGroupSpec(Spec):
    name: str
    description: str = ""
    api_scopes: list[str] = Field(default_factory=lambda: ["meta", "data", "sql"])
    includes: str | list[str] = Field(default_factory=list)
    excludes: str | list[str] = Field(default_factory=list)
