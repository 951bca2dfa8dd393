"""pg_description: relation and member descriptions, which obj_description/col_description read.

Column comments carry the measure or segment marker (see content.member_comment),
so psql's ``\\d+``, SQLAlchemy's column ``comment`` and JDBC's REMARKS all say
which columns are measures.
"""

from __future__ import annotations

from server.catalog.content import CatalogContent
from server.catalog.providers.base import Rows, table

PG_CLASS = 1259


def _rows(content: CatalogContent) -> Rows:
    for relation in content.relations:
        if relation.comment:
            yield (relation.oid, PG_CLASS, 0, relation.comment)
        for column in relation.columns:
            if column.comment:
                yield (relation.oid, PG_CLASS, column.attnum, column.comment)


PROVIDER = table("pg_description", "objoid oid, classoid oid, objsubid int4, description text", oid=2609, rows=_rows)
