"""Turn a model directory into a :class:`Manifest`, collecting every problem on the way.

The steps run in order and never stop at the first problem:

1. read each YAML file, keeping positions (:mod:`yaml_source`);
2. check its shape with pydantic (:mod:`spec`): SM001 errors, SM002 unknown keys;
3. parse each table's SQL and each member's fragment (:mod:`templates`): SM004, SM501;
4. resolve every ``{reference}`` against the model: SM201, SM202;
5. build views from their join paths and includes: SM203..SM208;
6. hand the result to the rules in :mod:`validation` for cross-cutting checks.

An object whose own definition is broken is left out of the manifest, so the
remaining checks still run on the rest and report their own problems.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import sqlglot
import sqlglot.expressions as exp
from pydantic import BaseModel, ValidationError
from sqlglot.errors import ParseError, TokenError

from server.errors import did_you_mean
from server.semantic.diagnostics import Issue, Origin, error, warning
from server.semantic.lineage import build_lineage
from server.semantic.model import (
    Dimension,
    Join,
    Manifest,
    Measure,
    MemberKind,
    Relation,
    RelationKind,
    RelationMember,
    Segment,
    Table,
    UserGroup,
    View,
)
from server.semantic.policies import AccessPolicy, PolicyBuilder
from server.semantic.spec import (
    AccessPolicySpec,
    DimensionSpec,
    IncludeSpec,
    JoinSpec,
    MeasureSpec,
    SegmentSpec,
    Spec,
    TableSpec,
    UserGroupSpec,
    ViewSpec,
)
from server.semantic.templates import (
    REF_META,
    SELF_NAMES,
    ParsedFragment,
    Reference,
    ReferenceKind,
    Template,
    TemplateSyntaxError,
    parse_fragment,
    placeholder_index,
)
from server.semantic.yaml_source import LOAD_SQL_MARKER, YamlDocument, load_yaml

NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
KeyPath = tuple[str | int, ...]


@dataclass
class _Located:
    """A spec with the document and key path it was read from."""

    spec: Any
    doc: YamlDocument
    path: KeyPath

    def origin(self, *suffix: str | int) -> Origin:
        return self.doc.origin((*self.path, *suffix))

    def child(self, *suffix: str | int, spec: Any) -> _Located:
        return _Located(spec, self.doc, (*self.path, *suffix))


@dataclass
class BuildResult:
    manifest: Manifest | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.is_error]

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not self.errors


def model_files(directory: Path) -> list[Path]:
    """The YAML files of a model directory (or of its ``model/`` subdirectory, Lens's layout)."""
    if (directory / "model").is_dir() and not (directory / "tables").is_dir():
        directory = directory / "model"
    files: list[Path] = []
    for sub in ("tables", "views"):
        folder = directory / sub
        if folder.is_dir():
            files.extend(sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml")))
    for name in ("user_groups.yml", "user_groups.yaml"):
        if (directory / name).is_file():
            files.append(directory / name)
    return files


def model_root(directory: Path) -> Path:
    if (directory / "model").is_dir() and not (directory / "tables").is_dir():
        return directory / "model"
    return directory


class _Builder:
    def __init__(self, directory: Path, dialect: str) -> None:
        self.directory = model_root(directory)
        self.display_base = directory
        self.dialect = dialect
        self.issues: list[Issue] = []
        self.digest = hashlib.sha256()
        self.table_specs: dict[str, _Located] = {}
        self.view_specs: dict[str, _Located] = {}
        self.group_specs: list[_Located] = []
        # Filled as tables are built; used to resolve references between tables.
        self.member_names: dict[str, dict[str, MemberKind]] = {}
        self.policies = PolicyBuilder(self.issues, dialect)

    # -- reading ------------------------------------------------------------------------------

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def read(self) -> None:
        files = model_files(self.display_base)
        if not files:
            self.issues.append(
                error(
                    "SM005",
                    "no model files found",
                    Origin(self.display(self.display_base), 1, 1),
                    "A model directory holds tables/*.yml, views/*.yml and user_groups.yml.",
                )
            )
        for path in files:
            self.digest.update(path.name.encode())
            self.digest.update(path.read_bytes())
            doc = load_yaml(path, self.display(path), self.issues)
            if doc is None:
                continue
            if not isinstance(doc.data, dict):
                self.issues.append(error("SM001", "a model file must be a mapping", doc.origin(())))
                continue
            self._read_document(doc)
        sqls = self.directory / "sqls"
        if sqls.is_dir():
            for path in sorted(sqls.glob("*.sql")):
                self.digest.update(path.name.encode())
                self.digest.update(path.read_bytes())

    def _read_document(self, doc: YamlDocument) -> None:
        # Validate each list item on its own, so one broken table does not hide the others.
        keys: dict[str, type[BaseModel]] = {
            "tables": TableSpec,
            "cubes": TableSpec,
            "views": ViewSpec,
            "user_groups": UserGroupSpec,
        }
        for key, value in doc.data.items():
            if key not in keys:
                close = did_you_mean(key, list(keys))
                self.issues.append(
                    warning("SM002", f'unknown top-level key "{key}"', doc.origin((key, "__key__")), close)
                )
                continue
            if not isinstance(value, list):
                self.issues.append(error("SM001", f'"{key}" must be a list', doc.origin((key,))))
                continue
            for index, item in enumerate(value):
                located = self._validate(keys[key], item, doc, (key, index))
                if located is None:
                    continue
                if key in ("tables", "cubes"):
                    self._register(self.table_specs, located, "table")
                elif key == "views":
                    self._register(self.view_specs, located, "view")
                else:
                    self.group_specs.append(located)

    def _validate(self, model: type[BaseModel], item: Any, doc: YamlDocument, path: KeyPath) -> _Located | None:
        try:
            spec = model.model_validate(item)
        except ValidationError as exc:
            for problem in exc.errors():
                loc = (*path, *problem["loc"])
                where = ".".join(str(part) for part in problem["loc"]) or "item"
                given = problem.get("input")
                shown = f' (found "{given}")' if isinstance(given, str | int | float) else ""
                self.issues.append(error("SM001", f"{where}: {problem['msg'].lower()}{shown}", doc.origin(loc)))
            return None
        located = _Located(spec, doc, path)
        self._report_unknown_keys(located)
        return located

    def _report_unknown_keys(self, located: _Located) -> None:
        spec = located.spec
        if not isinstance(spec, Spec):
            return
        known = list(type(spec).model_fields)
        for key in spec.model_extra or {}:
            self.issues.append(
                warning(
                    "SM002",
                    f'unknown key "{key}" is ignored',
                    located.origin(key, "__key__"),
                    did_you_mean(key, known),
                )
            )
        for field_name, info in type(spec).model_fields.items():
            value = getattr(spec, field_name)
            key = self._authored_key(located, field_name)
            if info.validation_alias is not None and (*located.path, key) not in located.doc.positions:
                key = field_name.rstrip("_")  # ``and_`` is written ``and``
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, Spec):
                        self._report_unknown_keys(located.child(key, index, spec=item))
            elif isinstance(value, Spec):
                self._report_unknown_keys(located.child(key, spec=value))

    @staticmethod
    def _authored_key(located: _Located, field_name: str) -> str:
        """The key the author wrote for a field (``cubes`` for ``tables``, say)."""
        if field_name == "tables" and (*located.path, "cubes") in located.doc.positions:
            return "cubes"
        return field_name

    def _register(self, registry: dict[str, _Located], located: _Located, what: str) -> None:
        name = located.spec.name
        if not NAME_PATTERN.match(name):
            self.issues.append(
                error(
                    "SM103",
                    f'invalid {what} name "{name}"',
                    located.origin("name"),
                    "Names start with a letter and hold only letters, digits and underscores.",
                )
            )
            return
        clash = self.table_specs.get(name) or self.view_specs.get(name)
        if clash is not None:
            self.issues.append(
                error(
                    "SM101",
                    f'duplicate name "{name}": a table or view of that name is defined at {clash.origin()}',
                    located.origin("name"),
                )
            )
            return
        registry[name] = located

    # -- tables ----------------------------------------------------------------------------------

    def build_tables(self) -> dict[str, Table]:
        # Names first: references between tables resolve against every table's member names.
        for name, located in self.table_specs.items():
            spec: TableSpec = located.spec
            names: dict[str, MemberKind] = {}
            members: tuple[tuple[MemberKind, Sequence[DimensionSpec | MeasureSpec | SegmentSpec]], ...] = (
                (MemberKind.DIMENSION, spec.dimensions),
                (MemberKind.MEASURE, spec.measures),
                (MemberKind.SEGMENT, spec.segments),
            )
            for kind, items in members:
                for index, item in enumerate(items):
                    where = located.origin(f"{kind.value}s", index, "name")
                    if not NAME_PATTERN.match(item.name):
                        self.issues.append(error("SM103", f'invalid member name "{item.name}"', where))
                    elif item.name in names:
                        self.issues.append(
                            error("SM102", f'duplicate member name "{item.name}" in table "{name}"', where)
                        )
                    else:
                        names[item.name] = kind
            self.member_names[name] = names
        tables = {}
        for name, located in self.table_specs.items():
            table = self._build_table(located)
            if table is not None:
                tables[name] = table
        return tables

    def _table_sql(self, located: _Located) -> exp.Query | None:
        spec: TableSpec = located.spec
        if spec.sql is None and spec.sql_table is None:
            self.issues.append(
                error("SM001", f'table "{spec.name}" needs "sql" or "sql_table"', located.origin("name"))
            )
            return None
        text = spec.sql if spec.sql is not None else f"SELECT * FROM {spec.sql_table}"
        key = "sql" if spec.sql is not None else "sql_table"
        marker = re.fullmatch(re.escape(LOAD_SQL_MARKER) + r"(.+)@@", text.strip())
        if marker:
            file = self.directory / "sqls" / f"{marker.group(1).removesuffix('.sql')}.sql"
            try:
                text = file.read_text(encoding="utf-8")
            except OSError:
                self.issues.append(
                    error(
                        "SM004",
                        f'load_sql("{marker.group(1)}"): file {self.display(file)} not found',
                        located.origin(key),
                    )
                )
                return None
        try:
            parsed = sqlglot.parse(text, read=self.dialect)
        except (ParseError, TokenError) as exc:
            self.issues.append(
                error("SM501", f'table "{spec.name}": SQL does not parse: {_first_line(exc)}', located.origin(key))
            )
            return None
        statements = [p for p in parsed if p is not None]
        if len(statements) != 1 or not isinstance(statements[0], exp.Query):
            self.issues.append(
                error("SM501", f'table "{spec.name}": SQL must be exactly one SELECT', located.origin(key))
            )
            return None
        return statements[0]

    def _build_table(self, located: _Located) -> Table | None:
        spec: TableSpec = located.spec
        sql = self._table_sql(located)
        dimensions: dict[str, Dimension] = {}
        measures: dict[str, Measure] = {}
        segments: dict[str, Segment] = {}
        for index, dim in enumerate(spec.dimensions):
            built = self._build_dimension(located.child("dimensions", index, spec=dim), spec.name)
            if built is not None and built.name not in dimensions:
                dimensions[built.name] = built
        for index, measure in enumerate(spec.measures):
            built_measure = self._build_measure(located.child("measures", index, spec=measure), spec.name)
            if built_measure is not None and built_measure.name not in measures:
                measures[built_measure.name] = built_measure
        for index, segment in enumerate(spec.segments):
            built_segment = self._build_segment(located.child("segments", index, spec=segment), spec.name)
            if built_segment is not None and built_segment.name not in segments:
                segments[built_segment.name] = built_segment
        joins: dict[str, Join] = {}
        for index, join in enumerate(spec.joins):
            built_join = self._build_join(located.child("joins", index, spec=join), spec.name)
            if built_join is None:
                continue
            if built_join.target in joins:
                self.issues.append(
                    error(
                        "SM102",
                        f'table "{spec.name}" declares two joins to "{built_join.target}"',
                        built_join.origin,
                    )
                )
                continue
            joins[built_join.target] = built_join
        if sql is None:
            return None
        return Table(
            name=spec.name,
            sql=sql,
            description=spec.description,
            public=spec.public,
            meta=MappingProxyType(dict(spec.meta)),
            origin=located.origin("name"),
            joins=MappingProxyType(joins),
            dimensions=MappingProxyType(dimensions),
            measures=MappingProxyType(measures),
            segments=MappingProxyType(segments),
            access_policy=self._access_policies(located, spec.access_policy, spec.name),
            title=spec.title,
        )

    def _fragment(self, text: str, located: _Located, key: str, table: str) -> Template | None:
        return self._resolve(text, located.origin(key), table, targets=None)

    def _build_dimension(self, located: _Located, table: str) -> Dimension | None:
        spec: DimensionSpec = located.spec
        if spec.sql is not None and spec.column is not None:
            self.issues.append(
                error("SM001", f'dimension "{spec.name}" has both "sql" and "column"', located.origin("name"))
            )
        if spec.sql is not None:
            template = self._fragment(spec.sql, located, "sql", table)
        else:
            # ``column: x`` (or nothing: the column of the dimension's own name).
            column = spec.column or spec.name
            template = self._resolve(
                "{TABLE}." + _quote_if_needed(column), located.origin("column" if spec.column else "name"), table
            )
        if template is None:
            return None
        mask = self.policies.mask(spec.mask, spec.type, located.origin("mask")) if spec.mask is not None else None
        secure = spec.meta.get("secure")
        return Dimension(
            table=table,
            name=spec.name,
            type=spec.type,
            expression=template,
            primary_key=spec.primary_key,
            public=spec.public,
            description=spec.description,
            meta=MappingProxyType(dict(spec.meta)),
            origin=located.origin("name"),
            title=spec.title,
            mask=mask,
            secure=self.policies.secure(secure, spec.type, located.origin("meta", "secure"), table) if secure else None,
        )

    def _build_measure(self, located: _Located, table: str) -> Measure | None:
        spec: MeasureSpec = located.spec
        template = self._fragment(spec.sql, located, "sql", table) if spec.sql is not None else None
        if spec.sql is not None and template is None:
            return None
        filters = []
        for index, item in enumerate(spec.filters):
            resolved = self._resolve(item.sql, located.origin("filters", index, "sql"), table)
            if resolved is None:
                return None
            filters.append(resolved)
        return Measure(
            table=table,
            name=spec.name,
            type=spec.type,
            expression=template,
            filters=tuple(filters),
            public=spec.public,
            description=spec.description,
            meta=MappingProxyType(dict(spec.meta)),
            origin=located.origin("name"),
            title=spec.title,
        )

    def _build_segment(self, located: _Located, table: str) -> Segment | None:
        spec: SegmentSpec = located.spec
        template = self._fragment(spec.sql, located, "sql", table)
        if template is None:
            return None
        secure = spec.meta.get("secure")
        return Segment(
            table=table,
            name=spec.name,
            expression=template,
            public=spec.public,
            description=spec.description,
            meta=MappingProxyType(dict(spec.meta)),
            origin=located.origin("name"),
            title=spec.title,
            secure=self.policies.secure(secure, None, located.origin("meta", "secure"), table) if secure else None,
        )

    def _build_join(self, located: _Located, table: str) -> Join | None:
        spec: JoinSpec = located.spec
        if spec.name not in self.table_specs:
            self.issues.append(
                error(
                    "SM202",
                    f'table "{table}" joins unknown table "{spec.name}"',
                    located.origin("name"),
                    did_you_mean(spec.name, self.table_specs, "table"),
                )
            )
            return None
        template = self._resolve(spec.sql, located.origin("sql"), table, targets=(table, spec.name))
        if template is None:
            return None
        return Join(table, spec.name, spec.relationship, template, located.origin("name"))

    def _access_policies(
        self, located: _Located, specs: list[AccessPolicySpec], owner: str
    ) -> tuple[AccessPolicy, ...]:
        built = []
        for index, spec in enumerate(specs):
            policy = self.policies.access_policy(
                spec, lambda *keys, i=index: located.origin("access_policy", i, *keys), owner
            )
            if policy is not None:
                built.append(policy)
        return tuple(built)

    # -- references -------------------------------------------------------------------------------

    def _resolve(
        self, text: str, origin: Origin, table: str, targets: tuple[str, ...] | None = None
    ) -> Template | None:
        """Parse a fragment of ``table`` and resolve each reference; None (with issues) if it fails.

        ``targets`` limits which tables the fragment may name (a join may name only
        its two sides); None allows any table reachable by joins.
        """
        try:
            fragment = parse_fragment(text, self.dialect)
        except TemplateSyntaxError as exc:
            self.issues.append(error("SM501", f"expression does not parse: {exc}", origin))
            return None
        resolver = _FragmentResolver(self, fragment, table, origin, targets)
        return resolver.resolve()

    # -- views ------------------------------------------------------------------------------------

    def build_views(self, tables: Mapping[str, Table]) -> dict[str, View]:
        views = {}
        for name, located in self.view_specs.items():
            view = self._build_view(located, tables)
            if view is not None:
                views[name] = view
        return views

    def _build_view(self, located: _Located, tables: Mapping[str, Table]) -> View | None:
        spec: ViewSpec = located.spec
        entries_key = self._authored_key(located, "tables")
        if not spec.tables:
            self.issues.append(error("SM001", f'view "{spec.name}" lists no tables', located.origin("name")))
            return None
        members: dict[str, RelationMember] = {}
        root: str | None = None
        ok = True
        for index, entry in enumerate(spec.tables):
            entry_at = located.child(entries_key, index, spec=entry)
            path = self._view_path(entry.join_path, entry_at, tables)
            if path is None:
                ok = False
                continue
            if root is None:
                root = path[0]
            elif path[0] != root:
                self.issues.append(
                    error(
                        "SM208",
                        f'view "{spec.name}": join path "{entry.join_path}" starts at "{path[0]}", '
                        f'but the view is rooted at "{root}"',
                        entry_at.origin("join_path"),
                        "Every join_path of a view starts at the same root table.",
                    )
                )
                ok = False
                continue
            ok &= self._add_view_members(spec.name, entry_at, tables[path[-1]], path, members)
        if not ok or root is None:
            return None
        return View(
            name=spec.name,
            description=spec.description,
            public=spec.public,
            meta=MappingProxyType(dict(spec.meta)),
            origin=located.origin("name"),
            root=root,
            members=MappingProxyType(members),
            access_policy=self._access_policies(located, spec.access_policy, spec.name),
        )

    def _view_path(self, text: str, entry_at: _Located, tables: Mapping[str, Table]) -> tuple[str, ...] | None:
        steps = tuple(step.strip() for step in text.split("."))
        where = entry_at.origin("join_path")
        for step in steps:
            if step not in tables:
                self.issues.append(
                    error(
                        "SM204",
                        f'join path "{text}": unknown table "{step}"',
                        where,
                        did_you_mean(step, tables, "table"),
                    )
                )
                return None
        if len(set(steps)) != len(steps):
            self.issues.append(
                error(
                    "SM207",
                    f'join path "{text}" is cyclic: it visits a table twice',
                    where,
                    "Define a second table over the same source to join it in another role.",
                )
            )
            return None
        for source, target in itertools.pairwise(steps):
            if target not in tables[source].joins:
                self.issues.append(
                    error(
                        "SM204",
                        f'join path "{text}": table "{source}" declares no join to "{target}"',
                        where,
                        f'Add a join named "{target}" to table "{source}".',
                    )
                )
                return None
        return steps

    def _add_view_members(
        self,
        view: str,
        entry_at: _Located,
        table: Table,
        path: tuple[str, ...],
        members: dict[str, RelationMember],
    ) -> bool:
        entry = entry_at.spec
        ok = True
        if isinstance(entry.prefix, str):
            prefix = entry.prefix
        elif entry.prefix:
            prefix = f"{entry.alias or table.name}_"
        else:
            prefix = ""
        chosen: list[tuple[str, str | None, KeyPath]] = []
        if entry.includes == "*":
            chosen = [(m.name, None, ("includes",)) for m in table.members]
        elif isinstance(entry.includes, str):
            self.issues.append(
                error("SM001", 'includes must be "*" or a list of member names', entry_at.origin("includes"))
            )
            return False
        else:
            for index, item in enumerate(entry.includes):
                name, alias = (item.name, item.alias) if isinstance(item, IncludeSpec) else (item, None)
                chosen.append((name, alias, ("includes", index)))
        excluded = set()
        for index, name in enumerate(entry.excludes):
            if table.member(name) is None:
                self.issues.append(self._unknown_view_member(view, table, name, entry_at.origin("excludes", index)))
                ok = False
            excluded.add(name)
        for name, alias, key in chosen:
            member = table.member(name)
            if member is None:
                self.issues.append(self._unknown_view_member(view, table, name, entry_at.origin(*key)))
                ok = False
                continue
            if name in excluded:
                continue
            exposed = alias or f"{prefix}{name}"
            if exposed in members:
                other = members[exposed]
                self.issues.append(
                    error(
                        "SM205",
                        f'view "{view}" exposes "{exposed}" twice ({other.table}.{other.member.name} and '
                        f"{table.name}.{name})",
                        entry_at.origin(*key),
                        "Use prefix: true or an alias to tell them apart.",
                    )
                )
                ok = False
                continue
            members[exposed] = RelationMember(exposed, member, path, member.public)
        return ok

    @staticmethod
    def _unknown_view_member(view: str, table: Table, name: str, origin: Origin) -> Issue:
        return error(
            "SM203",
            f'view "{view}" includes unknown member "{name}" of table "{table.name}"',
            origin,
            did_you_mean(name, [m.name for m in table.members], "member"),
        )

    # -- user groups ------------------------------------------------------------------------------

    def build_user_groups(self) -> tuple[UserGroup, ...]:
        groups = []
        seen: set[str] = set()
        for located in self.group_specs:
            spec: UserGroupSpec = located.spec
            if spec.name in seen:
                self.issues.append(error("SM101", f'duplicate user group "{spec.name}"', located.origin("name")))
                continue
            seen.add(spec.name)
            groups.append(
                UserGroup(
                    name=spec.name,
                    description=spec.description,
                    api_scopes=tuple(spec.api_scopes),
                    includes=_as_tuple(spec.includes),
                    excludes=_as_tuple(spec.excludes),
                    origin=located.origin("name"),
                )
            )
        return tuple(groups)


class _FragmentResolver:
    """Resolves the references of one parsed fragment into a :class:`Template`."""

    def __init__(
        self,
        builder: _Builder,
        fragment: ParsedFragment,
        table: str,
        origin: Origin,
        targets: tuple[str, ...] | None,
    ) -> None:
        self.builder = builder
        self.fragment = fragment
        self.table = table
        self.origin = origin
        self.targets = targets
        self.references: list[Reference] = []
        self.failed = False

    def fail(self, code: str, message: str, hint: str | None = None) -> None:
        self.builder.issues.append(error(code, message, self.origin, hint))
        self.failed = True

    def resolve(self) -> Template | None:
        tree = self.fragment.tree.transform(self._visit, copy=True)
        if self.failed:
            return None
        for node in tree.find_all(exp.Identifier):
            stray = placeholder_index(node.name) is not None and not node.meta.get(REF_META)
            if stray and (not isinstance(node.parent, exp.Column) or REF_META not in node.parent.meta):
                self.fail("SM501", "a {reference} can only stand for a value or for a table before .column")
                break
        if self.failed:
            return None
        return Template(self.fragment.text, tree, tuple(self.references), self.origin)

    def _visit(self, node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.Column):
            return node
        name_index = placeholder_index(node.name)
        table_index = placeholder_index(node.table) if node.table else None
        raw = self.fragment.raw
        if name_index is not None and not node.table:
            ref = raw[name_index]
            return self._member_or_column(ref.head, ref.tail, node)
        if table_index is not None and name_index is None:
            ref = raw[table_index]
            if ref.tail is not None:
                self.fail("SM501", f"{{{ref.head}.{ref.tail}}}.{node.name}: a member has no columns")
                return node
            owner = self._table_named(ref.head)
            return self._tag(ReferenceKind.COLUMN, owner, node.name) if owner else node
        if name_index is None and table_index is None:
            if node.table and node.table not in (self.table, *SELF_NAMES):
                self.fail(
                    "SM201",
                    f'"{node.table}.{node.name}": refer to another table as {{{node.table}.{node.name}}}',
                )
                return node
            return self._tag(ReferenceKind.COLUMN, self.table, node.name)
        self.fail("SM501", "malformed {reference}")
        return node

    def _table_named(self, head: str) -> str | None:
        owner = self.table if head in SELF_NAMES else head
        if owner not in self.builder.table_specs:
            self.fail(
                "SM202",
                f'unknown table "{head}" in reference',
                did_you_mean(head, self.builder.table_specs, "table"),
            )
            return None
        if self.targets is not None and owner not in self.targets:
            self.fail("SM202", f'a join condition may only name "{self.targets[0]}" and "{self.targets[1]}"')
            return None
        return owner

    def _member_or_column(self, head: str, tail: str | None, node: exp.Column) -> exp.Expr:
        if tail is None:
            if head in SELF_NAMES:
                self.fail("SM501", f"{{{head}}} must be followed by .column")
                return node
            names = self.builder.member_names.get(self.table, {})
            if head in names:
                return self._tag(ReferenceKind.MEMBER, self.table, head)
            if head in self.builder.table_specs:
                self.fail("SM501", f"{{{head}}} names a table, not a value; write {{{head}.member}}")
                return node
            self.fail(
                "SM201",
                f'unknown member "{head}" of table "{self.table}"',
                did_you_mean(head, names, "member"),
            )
            return node
        owner = self._table_named(head)
        if owner is None:
            return node
        names = self.builder.member_names.get(owner, {})
        if tail in names:
            return self._tag(ReferenceKind.MEMBER, owner, tail)
        if owner == self.table:
            # {TABLE.col}: Lens's spelling of a source column.
            return self._tag(ReferenceKind.COLUMN, owner, tail)
        self.fail(
            "SM201",
            f'unknown member "{tail}" of table "{owner}"',
            did_you_mean(tail, names, "member"),
        )
        return node

    def _tag(self, kind: ReferenceKind, table: str, name: str) -> exp.Column:
        self.references.append(Reference(kind, table, name))
        column = exp.column(name, table=table)
        column.meta[REF_META] = len(self.references)  # 1-based so it is always truthy
        return column


def _as_tuple(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _quote_if_needed(column: str) -> str:
    return column if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", column) else f'"{column}"'


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def shortest_join_paths(tables: Mapping[str, Table]) -> dict[tuple[str, str], list[tuple[str, ...]]]:
    """For each reachable (source, target), every shortest directed join path."""
    result: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for source in tables:
        best: dict[str, list[tuple[str, ...]]] = {source: [(source,)]}
        queue = deque([source])
        while queue:
            current = queue.popleft()
            for target in tables[current].joins:
                if target not in tables:
                    continue
                extended = [(*p, target) for p in best[current]]
                if target not in best:
                    best[target] = extended
                    queue.append(target)
                elif len(best[target][0]) == len(extended[0]):
                    best[target].extend(p for p in extended if p not in best[target])
        for target, paths in best.items():
            if target != source:
                result[(source, target)] = paths
    return result


def relations_of(tables: Mapping[str, Table], views: Mapping[str, View]) -> dict[str, Relation]:
    relations: dict[str, Relation] = {}
    for table in tables.values():
        members = {m.name: RelationMember(m.name, m, (table.name,), m.public and table.public) for m in table.members}
        relations[table.name] = Relation(
            name=table.name,
            kind=RelationKind.TABLE,
            root=table.name,
            description=table.description,
            public=table.public,
            members=MappingProxyType(members),
            origin=table.origin,
            meta=table.meta,
            access_policy=table.access_policy,
        )
    for view in views.values():
        relations[view.name] = Relation(
            name=view.name,
            kind=RelationKind.VIEW,
            root=view.root,
            description=view.description,
            public=view.public,
            members=view.members,
            origin=view.origin,
            meta=view.meta,
            access_policy=view.access_policy,
        )
    return relations


def build_manifest(directory: Path | str, dialect: str = "duckdb") -> BuildResult:
    """Load, resolve and validate a model directory. Never raises on a model problem."""
    from server.semantic.validation import RULES, unique_join_paths

    directory = Path(directory)
    builder = _Builder(directory, dialect)
    builder.read()
    tables = builder.build_tables()
    views = builder.build_views(tables)
    groups = builder.build_user_groups()
    all_paths = shortest_join_paths(tables)
    manifest = Manifest(
        name=directory.resolve().name,
        directory=str(directory),
        dialect=dialect,
        version=builder.digest.hexdigest()[:16],
        tables=MappingProxyType(tables),
        views=MappingProxyType(views),
        user_groups=groups,
        relations=MappingProxyType(relations_of(tables, views)),
        join_paths=MappingProxyType(unique_join_paths(all_paths)),
        lineage=build_lineage(tables),
    )
    issues = builder.issues
    for rule in RULES:
        issues.extend(rule.check(manifest, all_paths))
    issues.sort(key=lambda i: (i.origin.path, i.origin.line, i.origin.column, i.code))
    return BuildResult(manifest, issues)
