"""What a statement may ask about its own session, and the rewrite that answers it.

``current_user``, ``current_database()``, ``version()``, ``current_setting('x')``
and their friends are answered from the session, not by the engine (whose own
answers, such as DuckDB's user name, would be wrong). The rewrite replaces each
call with a literal on the AST, before any engine sees the statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sqlglot.expressions as exp

SERVER_VERSION = "16.4 (Quiver 0.1.0)"
SERVER_VERSION_NUM = "160004"


@dataclass(frozen=True)
class TempRelationInfo:
    """A session's temporary view as its catalog shows it: OID and typed columns (name, type OID, typmod)."""

    name: str
    oid: int
    kind: str  # relkind: 'v'
    columns: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class SessionInfo:
    user: str = "quiver"
    database: str = "quiver"
    search_path: tuple[str, ...] = ("public",)
    application_name: str = ""
    backend_pid: int = 0
    settings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    server_version: str = SERVER_VERSION
    temp_relations: tuple[TempRelationInfo, ...] = ()  # the session's temporary views, in pg_temp

    @property
    def version_string(self) -> str:
        """What ``SELECT version()`` returns: SQLAlchemy parses ``PostgreSQL (\\d+)\\.?(\\d+)?`` from it."""
        return f"PostgreSQL {self.server_version} on x86_64-pc-linux-gnu, compiled by Quiver, 64-bit"

    def setting(self, name: str) -> str | None:
        key = name.lower()
        if key == "server_version":
            return self.server_version
        if key == "server_version_num":
            return SERVER_VERSION_NUM
        if key == "search_path":
            return ", ".join(self.search_path)
        if key == "application_name":
            return self.application_name
        return self.settings.get(key)


def _string(value: str) -> exp.Expr:
    return exp.Literal.string(value)


def _text_array(values: tuple[str, ...]) -> exp.Expr:
    return exp.Array(expressions=[exp.Literal.string(v) for v in values])


def _function_name(node: exp.Expr) -> str | None:
    """The lower-case name of a function call node, whichever class sqlglot gave it."""
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return None


def substitute_session_functions(tree: exp.Expr, info: SessionInfo, *, copy: bool = True) -> exp.Expr:
    """``tree`` with session functions replaced by literal answers for ``info``.

    With ``copy`` (the default) ``tree`` is never changed, and copied only when it holds a
    session function: most statements have none, and copying a parse tree costs more than
    looking. ``copy=False`` rewrites a tree the caller owns in place.
    """
    simple: dict[str, Callable[[exp.Expr], exp.Expr | None]] = {
        "current_user": lambda n: _string(info.user),
        "session_user": lambda n: _string(info.user),
        "current_role": lambda n: _string(info.user),
        "user": lambda n: _string(info.user),
        "current_database": lambda n: _string(info.database),
        "current_catalog": lambda n: _string(info.database),
        "current_schema": lambda n: _string(info.search_path[0] if info.search_path else "public"),
        "version": lambda n: _string(info.version_string),
        "current_version": lambda n: _string(info.version_string),
        "pg_backend_pid": lambda n: exp.Literal.number(info.backend_pid),
        "current_schemas": lambda n: _text_array(
            ("pg_catalog", *info.search_path) if _first_arg_true(n) else info.search_path
        ),
        "current_setting": lambda n: _current_setting(n, info),
    }

    def visit(node: exp.Expr) -> exp.Expr:
        answer = _answer(node)
        if answer is None or answer is node:
            return node
        if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
            # A bare select item keeps the name PostgreSQL gives it (version, current_user...).
            return exp.alias_(answer, _label(node), quoted=True)
        return answer

    def _answer(node: exp.Expr) -> exp.Expr | None:
        if isinstance(node, exp.CurrentUser):
            return _string(info.user)
        if isinstance(node, exp.CurrentSchema):
            return _string(info.search_path[0] if info.search_path else "public")
        if (
            isinstance(node, exp.Column)
            and not node.table
            and node.name.lower()
            in (
                "current_user",
                "session_user",
                "current_role",
                "user",
                "current_catalog",
                "current_schema",
            )
            and not node.this.quoted
        ):
            return simple[node.name.lower()](node)
        name = _function_name(node)
        if name in simple:
            answer = simple[name](node)
            if answer is not None:
                return answer
        if (
            isinstance(node, exp.Dot)
            and isinstance(node.this, exp.Identifier)
            and node.this.name.lower() == "pg_catalog"
        ):
            inner = node.expression
            inner_name = _function_name(inner)
            if inner_name in simple:
                answer = simple[inner_name](inner)
                if answer is not None:
                    return answer
        return None

    if copy:
        if all(_answer(node) is None for node in tree.walk()):
            return tree
        tree = tree.copy()
    return tree.transform(visit, copy=False)


def _label(node: exp.Expr) -> str:
    """PostgreSQL's column name for a session function used as a select item."""
    if isinstance(node, exp.Dot):
        node = node.expression
    if isinstance(node, exp.CurrentUser):
        return "current_user"
    if isinstance(node, exp.CurrentSchema):
        return "current_schema"
    if isinstance(node, exp.Column):
        return node.name.lower()
    name = _function_name(node) or "?column?"
    return "version" if name == "current_version" else name


def _first_arg_true(node: exp.Expr) -> bool:
    args = node.expressions if isinstance(node, exp.Anonymous) else [node.this] if node.this else []
    return bool(args) and isinstance(args[0], exp.Boolean) and bool(args[0].this)


def _current_setting(node: exp.Expr, info: SessionInfo) -> exp.Expr | None:
    args = (
        node.expressions
        if isinstance(node, exp.Anonymous)
        else [a for a in node.args.values() if isinstance(a, exp.Expression)]
    )
    if not args or not isinstance(args[0], exp.Literal) or not args[0].is_string:
        return None
    value = info.setting(args[0].name)
    return None if value is None else _string(value)
