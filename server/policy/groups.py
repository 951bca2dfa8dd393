"""Which user group a caller belongs to, and what that group's api scopes let it do.

The rule, stated once (and in the README): groups are tried in the order
``user_groups.yml`` lists them; a group *matches* when one of its ``includes``
selects the caller and none of its ``excludes`` does; the caller's group is the
first group that matches. A caller no group matches has no group and may do
nothing. Selectors are ``users:id:NAME``, ``roles:id:ROLE`` or ``"*"`` (anyone).
"""

from __future__ import annotations

from server.errors import InsufficientPrivilege
from server.policy.identity import Caller
from server.semantic.diagnostics import UNKNOWN_ORIGIN
from server.semantic.model import UserGroup

META = "meta"
DATA = "data"
# Engine SQL and model expressions in EXPLAIN (physical tables, policy predicates): data product owners only.
EXPLAIN = "explain"
CHANNELS = frozenset({"sql", "flight", "rest", "graphql", "mcp"})


def selects(selector: str, caller: Caller) -> bool:
    if selector == "*":
        return True
    kind, _, name = selector.partition(":id:")
    if kind == "users":
        return name == caller.user
    if kind == "roles":
        return name in caller.roles
    return False


# A model without user_groups.yml is open to every authenticated user, on every channel (as in Lens).
IMPLICIT_DEFAULT = UserGroup(
    name="default",
    description="Every user: the model declares no user groups.",
    api_scopes=("meta", "data", EXPLAIN, *sorted(CHANNELS)),
    includes=("*",),
    excludes=(),
    origin=UNKNOWN_ORIGIN,
)


def group_of(groups: tuple[UserGroup, ...], caller: Caller) -> UserGroup | None:
    """The first group whose includes select ``caller`` and whose excludes do not."""
    if not groups:
        return IMPLICIT_DEFAULT
    for group in groups:
        if any(selects(s, caller) for s in group.includes) and not any(selects(s, caller) for s in group.excludes):
            return group
    return None


def require_scope(group: UserGroup | None, caller: Caller, scope: str) -> None:
    """Raise 42501 unless ``caller``'s group grants ``scope``.

    Reading the catalog needs ``meta``; reading data needs ``data`` and the scope of
    the channel in use (``sql`` for the PostgreSQL wire protocol and the CLI,
    ``flight``, ``rest``, ``graphql``, ``mcp``).
    """
    needed = (scope, caller.channel) if scope == DATA and caller.channel in CHANNELS else (scope,)
    if group is None:
        raise InsufficientPrivilege(
            f'user "{caller.user}" belongs to no user group of this data product',
            hint="Ask the data product's owner to add the user (or one of its roles) to user_groups.yml.",
        )
    missing = [s for s in needed if s not in group.api_scopes]
    if missing:
        what = "query data" if scope == DATA else "read the catalog"
        raise InsufficientPrivilege(
            f'permission denied: user group "{group.name}" may not {what} over {caller.channel}',
            detail=f"The group's api_scopes lack {', '.join(missing)}.",
        )
