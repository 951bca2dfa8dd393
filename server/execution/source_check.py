"""Check a model against its live source: every column a member reads must exist.

This is what makes a renamed column fail loudly at load time (SM502) instead of
drifting silently or failing one query at a time. It runs each table's SQL with
``LIMIT 0`` on the engine, so it costs one round trip per table.
"""

from __future__ import annotations

import pyarrow as pa

from server.errors import QuiverError, did_you_mean
from server.execution.executor import Executor
from server.semantic.diagnostics import Issue, error
from server.semantic.model import Manifest
from server.semantic.templates import ReferenceKind, Template


def _templates(manifest: Manifest, table_name: str) -> list[Template]:
    table = manifest.tables[table_name]
    found: list[Template] = []
    for member in table.members:
        expression = getattr(member, "expression", None)
        if expression is not None:
            found.append(expression)
        found.extend(getattr(member, "filters", ()))
    found.extend(join.condition for join in table.joins.values())
    for other in manifest.tables.values():
        found.extend(j.condition for j in other.joins.values() if j.target == table_name)
    return found


def check_sources(manifest: Manifest, executor: Executor) -> list[Issue]:
    issues: list[Issue] = []
    schemas: dict[str, pa.Schema] = {}
    for name, table in manifest.tables.items():
        try:
            schemas[name] = executor.describe(table.sql.sql(dialect=executor.dialect), authored=True)
        except QuiverError as exc:
            issues.append(error("SM502", f'table "{name}": its SQL fails on the source: {exc.message}', table.origin))
    for name, schema in schemas.items():
        columns = {field.name.lower(): field.name for field in schema}
        reported: set[tuple[str, int, int]] = set()
        for template in _templates(manifest, name):
            for reference in template.references:
                if reference.kind is not ReferenceKind.COLUMN or reference.table != name:
                    continue
                if reference.name.lower() in columns:
                    continue
                key = (reference.name, template.origin.line, template.origin.column)
                if key in reported:
                    continue
                reported.add(key)
                issues.append(
                    error(
                        "SM502",
                        f'column "{reference.name}" of table "{name}" does not exist in its source',
                        template.origin,
                        did_you_mean(reference.name, list(columns.values()), "column")
                        or "The source changed, or the model names the column wrongly.",
                    )
                )
    return issues
