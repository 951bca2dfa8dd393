"""What ``SELECT *`` lists when it reads a semantic relation directly.

``SELECT *`` is answered at the grain of every dimension it lists. On a view
whose joins fan out (``sales``: orders x their products), a measure of a table
on the *one* side of such a join (``net_revenue`` of an order) would repeat on
each many-side row, and a client that sums the rows (``pandas.read_sql_table``,
a spreadsheet) would get an inflated total (51.2M against a true 17.77M).

The rule: ``SELECT *`` lists every dimension, and only the measures whose table's
rows are not repeated by the joins that reach the dimensions (a measure of the
many side, like ``item_revenue``, adds up across the rows). Every measure is still
there when named (``SELECT *, net_revenue FROM sales`` or ``SELECT product_name,
net_revenue ...``), and the catalog lists all members, so tools that read the
catalog and name columns (Ibis, BI tools) see each of them. A relation whose joins
do not fan out (a table, ``customer_360``) lists everything, as before.
"""

from __future__ import annotations

from server.semantic.model import Manifest, MemberKind, Relation, RelationMember
from server.semantic.spec import Relationship

Path = tuple[str, ...]


def star_members(manifest: Manifest, relation: Relation) -> tuple[RelationMember, ...]:
    """The members ``SELECT *`` lists on ``relation``, in the relation's order."""
    members = relation.public_members()
    dimensions = [m for m in members if m.kind is not MemberKind.MEASURE]
    joins = {path[:length] for m in dimensions for path in (m.path,) for length in range(2, len(path) + 1)}
    return tuple(m for m in members if m.kind is not MemberKind.MEASURE or not _repeated(manifest, m.path, joins))


def _repeated(manifest: Manifest, owner: Path, joins: set[Path]) -> bool:
    """Do the joins along ``joins`` repeat the rows of the table at ``owner``?

    A join towards the owner repeats it when, seen from the owner, it is one-to-many
    (declared many_to_one in the other direction); a join elsewhere repeats it when
    it is one-to-many. The same reasoning as the planner's fan-out check.
    """
    for path in joins:
        join = manifest.join_between(path[-2], path[-1])
        if join is None:
            return True  # unknown: be safe, leave the measure out of *
        if owner[: len(path)] == path:
            if join.relationship is Relationship.MANY_TO_ONE:
                return True
        elif join.relationship is Relationship.ONE_TO_MANY:
            return True
    return False
