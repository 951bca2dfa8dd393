"""Every emulated catalog table, one provider each, in one registry.

Populated tables have a module of their own; tables that are always empty on
Quiver are declared together in :mod:`.empty`.
"""

from __future__ import annotations

from server.catalog.providers import (
    empty,
    information_schema,
    pg_am,
    pg_attribute,
    pg_authid,
    pg_available_extensions,
    pg_class,
    pg_collation,
    pg_constraint,
    pg_conversion,
    pg_database,
    pg_description,
    pg_extension,
    pg_index,
    pg_indexes,
    pg_language,
    pg_namespace,
    pg_opclass,
    pg_proc,
    pg_rewrite,
    pg_roles,
    pg_settings,
    pg_stat_activity,
    pg_stat_database,
    pg_stat_ssl,
    pg_stat_tables,
    pg_tables,
    pg_tablespace,
    pg_timezones,
    pg_type,
    pg_user,
    pg_views,
)
from server.catalog.providers.base import SESSION_PARAMETERS, Provider

# Tables declared empty in .empty that a module of their own now fills.
_POPULATED = frozenset({"pg_stat_ssl", "pg_stat_gssapi", "pg_timezone_names", "pg_timezone_abbrevs", "pg_conversion"})

PROVIDERS: tuple[Provider, ...] = (
    pg_namespace.PROVIDER,
    pg_class.PROVIDER,
    pg_attribute.PROVIDER,
    pg_type.PROVIDER,
    pg_index.PROVIDER,
    pg_constraint.PROVIDER,
    pg_description.PROVIDER,
    pg_database.PROVIDER,
    pg_settings.PROVIDER,
    pg_proc.PROVIDER,
    pg_roles.PROVIDER,
    pg_user.PROVIDER,
    pg_authid.PROVIDER,
    pg_am.PROVIDER,
    pg_collation.PROVIDER,
    pg_tables.PROVIDER,
    pg_views.PROVIDER,
    pg_indexes.PROVIDER,
    pg_extension.PROVIDER,
    pg_available_extensions.PROVIDER,
    pg_stat_activity.PROVIDER,
    pg_rewrite.PROVIDER,
    pg_tablespace.PROVIDER,
    pg_language.PROVIDER,
    pg_opclass.PROVIDER,
    pg_stat_tables.USER_TABLES,
    pg_stat_tables.ALL_TABLES,
    pg_stat_database.PROVIDER,
    pg_stat_ssl.SSL,
    pg_stat_ssl.GSSAPI,
    pg_timezones.NAMES,
    pg_timezones.ABBREVS,
    pg_conversion.PROVIDER,
    *information_schema.PROVIDERS,
    *(p for p in empty.PROVIDERS if p.name not in _POPULATED),
)

BY_SCHEMA: dict[str, dict[str, Provider]] = {}
for _provider in PROVIDERS:
    BY_SCHEMA.setdefault(_provider.schema, {})[_provider.name] = _provider


# information_schema's domains are described as their base types, as PostgreSQL describes them.
_DESCRIBED_AS = {"sql_identifier": "name", "character_data": "varchar", "yes_or_no": "varchar"}
_DESCRIBED_TYPES = frozenset({"name", "char", "_aclitem", "varchar"})


def _string_column_types() -> dict[str, str]:
    """Catalog columns described with a text-like type of their own, by column name (names with one type only).

    ``name``, ``"char"``, ``aclitem[]`` and information_schema's ``sql_identifier`` (a name) and
    ``character_data``/``yes_or_no`` (varchar): each is text on the wire, but clients see its type OID.
    """
    types: dict[str, set[str]] = {}
    for provider in PROVIDERS:
        for column in provider.columns:
            types.setdefault(column.name, set()).add(_DESCRIBED_AS.get(column.pg_type, column.pg_type))
    return {name: kinds.pop() for name, kinds in types.items() if len(kinds) == 1 and kinds & _DESCRIBED_TYPES}


# Result columns projecting these catalog columns are described with their PostgreSQL type.
STRING_COLUMN_TYPES: dict[str, str] = _string_column_types()

__all__ = ["BY_SCHEMA", "PROVIDERS", "SESSION_PARAMETERS", "STRING_COLUMN_TYPES", "Provider"]
