"""Names that carry the database, ``quiver.public.sales``, resolved as PostgreSQL resolves them.

PostgreSQL accepts a three-part relation name (and a four-part column name) whose
first part is the current database, and refuses any other database with 0A000
``cross-database references are not implemented: "other.public.sales"``.
ThoughtSpot, DBeaver and other tools write every relation this way. The database
part says nothing more once it is checked, so it is removed here, before the
statement is compiled; the rest of the compiler sees ``public.sales`` and resolves
it like any schema-qualified name. The check needs the session's database, which is
why it runs where the session's values are substituted, not in the compiler.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from server.errors import FeatureNotSupported


def folded(identifier: exp.Expr | None) -> str | None:
    """An identifier as PostgreSQL stores it: unquoted names fold to lower case."""
    if identifier is None:
        return None
    if isinstance(identifier, exp.Identifier):
        return identifier.name if identifier.quoted else identifier.name.lower()
    return identifier.name.lower() or None


def _written(node: exp.Table | exp.Column) -> str:
    parts = [node.args.get("catalog"), node.args.get("db")]
    if isinstance(node, exp.Column):
        parts.append(node.args.get("table"))
    parts.append(node.this)
    return ".".join(folded(part) or "" for part in parts if part is not None)


def _named_database(node: exp.Expr) -> bool:
    """A relation (not a table function) or a column whose name starts with a database part."""
    if isinstance(node, exp.Table):
        return isinstance(node.this, exp.Identifier) and node.args.get("catalog") is not None
    return isinstance(node, exp.Column) and node.args.get("catalog") is not None


def check_database(node: exp.Table | exp.Column, database: str) -> None:
    """0A000 when ``node``'s database part names another database than ``database``."""
    catalog = folded(node.args.get("catalog"))
    if catalog is not None and catalog not in (database, database.lower()):
        # PostgreSQL quotes a relation's name here but not a column's.
        written = _written(node) if isinstance(node, exp.Column) else f'"{_written(node)}"'
        raise FeatureNotSupported(f"cross-database references are not implemented: {written}")


# Set by the parser on each tree it makes: whether any name in it carries a database part.
# Looking once at parse time keeps a cached statement's later runs from walking its tree again.
HAS_DATABASE_NAMES = "quiver_database_names"


def mark_database_names(tree: exp.Expr) -> None:
    """Record on a freshly parsed ``tree`` whether any of its names carries a database part."""
    tree.meta[HAS_DATABASE_NAMES] = any(_named_database(node) for node in tree.walk())


def current_database_names(tree: exp.Expr, database: str) -> exp.Expr:
    """``tree`` without the database part of its names, each checked to be ``database`` (else 0A000).

    ``tree`` is never changed (parse trees are shared through the parse cache): it is
    copied only when a name carries a database, which few statements do.
    """
    marked = tree.meta.get(HAS_DATABASE_NAMES)
    if marked is False or (marked is None and not any(_named_database(node) for node in tree.walk())):
        return tree
    tree = tree.copy()
    tree.meta[HAS_DATABASE_NAMES] = False
    for node in list(tree.walk()):
        if _named_database(node):
            assert isinstance(node, exp.Table | exp.Column)
            check_database(node, database)
            node.set("catalog", None)
    return tree
