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
    pg_stat_tables,
    pg_tables,
    pg_tablespace,
    pg_type,
    pg_user,
    pg_views,
)
from server.catalog.providers.base import SESSION_PARAMETERS, Provider

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
    *information_schema.PROVIDERS,
    *empty.PROVIDERS,
)

BY_SCHEMA: dict[str, dict[str, Provider]] = {}
for _provider in PROVIDERS:
    BY_SCHEMA.setdefault(_provider.schema, {})[_provider.name] = _provider

__all__ = ["BY_SCHEMA", "PROVIDERS", "SESSION_PARAMETERS", "Provider"]
