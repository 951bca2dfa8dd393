"""PostgreSQL's to_char / to_date / to_timestamp templates, compiled to engine expressions before planning."""

from __future__ import annotations

from dataclasses import replace

from server.compiler.passes.state import Compilation, Context
from server.sql.templates import pg_template_functions


def template_functions(state: Compilation, ctx: Context) -> Compilation:
    """Replace template calls by DuckDB expressions (:mod:`server.sql.templates`).

    Why: sqlglot's own mapping prints unknown patterns (``Mon``, ``FMDay``) as text. It runs
    after the function allowlist, so the functions it introduces need no allowance of their own.
    Guarantees: every to_char/to_date/to_timestamp with a template is exact or refused (0A000).
    """
    tree = pg_template_functions(state.tree)
    return state if tree is state.tree else replace(state, tree=tree)
