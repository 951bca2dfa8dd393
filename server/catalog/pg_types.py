"""PostgreSQL's type table lives in :mod:`server.sql.pg_types` (the SQL layer needs it for parameters)."""

from server.sql.pg_types import *  # noqa: F403
from server.sql.pg_types import ALIASES, BY_NAME, BY_OID, ELEMENT_OF_ARRAY, TYPES, PgType, array_name, type_named

__all__ = ["ALIASES", "BY_NAME", "BY_OID", "ELEMENT_OF_ARRAY", "TYPES", "PgType", "array_name", "type_named"]
