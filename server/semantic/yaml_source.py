"""Read model YAML into plain data while remembering where every value came from.

PyYAML's composer gives nodes with start marks; we turn them into ordinary dicts,
lists and scalars (what pydantic validates) plus a table from *key path* to
:class:`Origin`. A validation error's ``loc`` is such a path, so every problem
can be reported at the line a person must edit.

Lens files embed Jinja: ``sql: {{ load_sql('orders') }}``. Unquoted, that is a
YAML flow mapping, so before parsing we replace each ``load_sql`` call with a
quoted marker on the same line (keeping line numbers) and resolve the marker when
the model is built. Any other Jinja is reported, not silently passed through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from server.semantic.diagnostics import Issue, Origin, error

Path_ = tuple[str | int, ...]

LOAD_SQL_MARKER = "@@load_sql:"
_JINJA = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_LOAD_SQL = re.compile(r"""load_sql\(\s*['"]([A-Za-z0-9_./-]+)['"]\s*\)""")


@dataclass
class YamlDocument:
    """One parsed file: its data, and the origin of each key path inside it."""

    path: str
    data: Any
    positions: dict[Path_, Origin] = field(default_factory=dict)

    def origin(self, key_path: Path_) -> Origin:
        """The origin of ``key_path``, or of its nearest ancestor that has one."""
        probe = tuple(key_path)
        while probe:
            found = self.positions.get(probe)
            if found is not None:
                return found
            probe = probe[:-1]
        return self.positions.get((), Origin(self.path, 1, 1))


def _replace_jinja(text: str, display_path: str, issues: list[Issue]) -> str:
    """Swap ``{{ load_sql('x') }}`` for a YAML-safe marker; report other templates."""
    out_lines = []
    for line_no, line in enumerate(text.splitlines(keepends=True), start=1):

        def substitute(match: re.Match[str], line: str = line, line_no: int = line_no) -> str:
            call = _LOAD_SQL.fullmatch(match.group(1))
            if call is None:
                issues.append(
                    error(
                        "SM004",
                        f"unsupported template expression {{{{ {match.group(1)} }}}}",
                        Origin(display_path, line_no, match.start() + 1),
                        "Only {{ load_sql('name') }} is supported; it inlines sqls/name.sql.",
                    )
                )
                return '""'
            marker = f"{LOAD_SQL_MARKER}{call.group(1)}@@"
            before = line[: match.start()].rstrip()
            inside_quotes = before.endswith(("'", '"')) or line[: match.start()].count('"') % 2 == 1
            return marker if inside_quotes else f'"{marker}"'

        out_lines.append(_JINJA.sub(substitute, line))
    return "".join(out_lines)


class _Converter:
    """Turns a composed node tree into plain data, recording each node's origin."""

    def __init__(self, display_path: str, positions: dict[Path_, Origin]) -> None:
        self.display_path = display_path
        self.positions = positions
        self.constructor = yaml.SafeLoader("")

    def _origin(self, mark: yaml.Mark) -> Origin:
        return Origin(self.display_path, mark.line + 1, mark.column + 1)

    def convert(self, node: yaml.Node, key_path: Path_) -> Any:
        self.positions[key_path] = self._origin(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                child_path = (*key_path, key)
                result[key] = self.convert(value_node, child_path)
                # A key's own position serves "unknown key" problems better than its value's.
                self.positions[(*child_path, "__key__")] = self._origin(key_node.start_mark)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*key_path, index)) for index, item in enumerate(node.value)]
        # The composer already resolved the scalar's tag (bool, int, float, null, str).
        return self.constructor.construct_object(node, deep=True)


def load_yaml(path: Path, display_path: str, issues: list[Issue]) -> YamlDocument | None:
    """Parse one YAML file; on a syntax error append SM003 and return None."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        issues.append(error("SM003", f"cannot read file: {exc.strerror}", Origin(display_path, 1, 1)))
        return None
    text = _replace_jinja(text, display_path, issues)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        issues.append(error("SM003", f"invalid YAML: {exc.problem or exc.context}", Origin(display_path, line, column)))
        return None
    document = YamlDocument(display_path, None)
    if root is None:
        document.data = {}
        document.positions[()] = Origin(display_path, 1, 1)
        return document
    document.data = _Converter(display_path, document.positions).convert(root, ())
    return document
