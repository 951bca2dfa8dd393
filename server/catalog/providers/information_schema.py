"""information_schema: the SQL-standard views over the same visible relations.

Metabase, Tableau and many hand-written scripts read information_schema
instead of pg_catalog; both are built from the same content, so they agree.
Quiver is read-only, so nothing is insertable or updatable.
"""

from __future__ import annotations

from server.catalog.content import OWNER, CatalogContent, ColumnInfo
from server.catalog.data import sql_info
from server.catalog.providers.base import Rows, table
from server.catalog.providers.system import system_tables
from server.catalog.typeinfo import DATETIME_PRECISION, NUMERIC_PRECISION, sql_name
from server.sql.pg_types import BY_OID
from server.sql.session_info import SERVER_VERSION_NUM

IS = "information_schema"
TEXT_OCTET_LENGTH = 1073741824


def _catalog_name(content: CatalogContent) -> Rows:
    yield (content.database,)


def _schemata(content: CatalogContent) -> Rows:
    for name, owner in (("pg_catalog", OWNER), ("public", "pg_database_owner"), (IS, OWNER)):
        yield (content.database, name, owner, None, None, None, None)


def _tables(content: CatalogContent) -> Rows:
    for relation in content.relations:
        kind = "BASE TABLE" if relation.kind == "r" else "VIEW"
        yield (content.database, "public", relation.name, kind, None, None, None, None, None, "NO", "NO", None)


def _system_tables(database: str) -> Rows:
    for system in system_tables():
        kind = "BASE TABLE" if system.kind == "r" else "VIEW"
        yield (database, system.schema, system.name, kind, None, None, None, None, None, "NO", "NO", None)


def _column_row(database: str, schema: str, table_name: str, column: ColumnInfo) -> tuple[object, ...]:
    t = column.type
    data_type = "ARRAY" if column.array else sql_name(t)
    precision, radix, scale = (None, None, None) if column.array else NUMERIC_PRECISION.get(t.name, (None,) * 3)
    if t.name == "numeric" and column.modifier >= 4 and not column.array:
        precision, radix, scale = (column.modifier - 4) >> 16, 10, (column.modifier - 4) & 0xFFFF
    octets = TEXT_OCTET_LENGTH if t.category == "S" and not column.array else None
    return (
        database, schema, table_name, column.name, column.attnum, None, "NO" if column.not_null else "YES",
        data_type, None, octets, precision, radix, scale,
        None if column.array else DATETIME_PRECISION.get(t.name), None, None,
        None, None, None, None, None, None,
        None, None, None, database, "pg_catalog", ("_" if column.array else "") + t.name,
        None, None, None, None, str(column.attnum), "NO", "NO",
        None, None, None, None, None, "NO", "NEVER", None, "NO",
    )  # fmt: skip


def _columns(content: CatalogContent) -> Rows:
    for relation in content.relations:
        for column in relation.columns:
            yield _column_row(content.database, "public", relation.name, column)


def _system_columns(database: str) -> Rows:
    for system in system_tables():
        for attnum, spec in enumerate(system.columns, start=1):
            element = BY_OID.get(spec.type_oid) or BY_OID[25]
            if spec.is_array:
                element = next((t for t in BY_OID.values() if t.array_oid == spec.type_oid), BY_OID[25])
            info = ColumnInfo(spec.name, attnum, element, spec.is_array, False, None)
            yield _column_row(database, system.schema, system.name, info)


def _views(content: CatalogContent) -> Rows:
    for relation in content.relations:
        if relation.kind == "v":
            db = content.database
            yield (db, "public", relation.name, relation.view_definition, "NONE", "NO", "NO", "NO", "NO", "NO")


def _key_column_usage(content: CatalogContent) -> Rows:
    db = content.database
    for relation in content.relations:
        for position, name in enumerate(relation.primary_key, start=1):
            yield (db, "public", relation.pkey_name, db, "public", relation.name, name, position, None)


def _table_constraints(content: CatalogContent) -> Rows:
    db = content.database
    for relation in content.relations:
        if relation.has_primary_key:
            yield (db, "public", relation.pkey_name, db, "public", relation.name, "PRIMARY KEY", "NO", "NO", "YES",
                   None)  # fmt: skip


def _constraint_column_usage(content: CatalogContent) -> Rows:
    db = content.database
    for relation in content.relations:
        for name in relation.primary_key:
            yield (db, "public", relation.name, name, db, "public", relation.pkey_name)


def _constraint_table_usage(content: CatalogContent) -> Rows:
    db = content.database
    for relation in content.relations:
        if relation.has_primary_key:
            yield (db, "public", relation.name, db, "public", relation.pkey_name)


def _character_sets(content: CatalogContent) -> Rows:
    yield (None, None, "UTF8", "UCS", "UTF8", content.database, "pg_catalog", "C")


def _table_privileges(content: CatalogContent) -> Rows:
    for relation in content.relations:
        yield (OWNER, "PUBLIC", content.database, "public", relation.name, "SELECT", "NO", "YES")


def _implementation_info(content: CatalogContent) -> Rows:
    """PostgreSQL's rows, with the version Quiver reports (``DBMS VERSION`` reads ``16.04.0000)``)."""
    number = int(SERVER_VERSION_NUM)
    version = f"{number // 10000:02d}.{number % 100:02d}.0000)"
    for row in sql_info.SQL_IMPLEMENTATION_INFO:
        yield (*row[:3], version, *row[4:]) if row[1] == "DBMS VERSION" else row


PRIVILEGES = """
grantor sql_identifier, grantee sql_identifier, table_catalog sql_identifier, table_schema sql_identifier,
table_name sql_identifier, privilege_type character_data, is_grantable yes_or_no, with_hierarchy yes_or_no
"""

PROVIDERS = (
    table("information_schema_catalog_name", "catalog_name sql_identifier", oid=13227, schema=IS, kind="v",
          rows=_catalog_name),
    table("schemata", """catalog_name sql_identifier, schema_name sql_identifier, schema_owner sql_identifier,
          default_character_set_catalog sql_identifier, default_character_set_schema sql_identifier,
          default_character_set_name sql_identifier, sql_path character_data""",
          oid=13382, schema=IS, kind="v", rows=_schemata),
    table("tables", """table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier,
          table_type character_data, self_referencing_column_name sql_identifier,
          reference_generation character_data, user_defined_type_catalog sql_identifier,
          user_defined_type_schema sql_identifier, user_defined_type_name sql_identifier,
          is_insertable_into yes_or_no, is_typed yes_or_no, commit_action character_data""",
          oid=13425, schema=IS, kind="v", rows=_tables, fixed=_system_tables),
    table("columns", """table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier,
          column_name sql_identifier, ordinal_position cardinal_number, column_default character_data,
          is_nullable yes_or_no, data_type character_data, character_maximum_length cardinal_number,
          character_octet_length cardinal_number, numeric_precision cardinal_number,
          numeric_precision_radix cardinal_number, numeric_scale cardinal_number,
          datetime_precision cardinal_number, interval_type character_data, interval_precision cardinal_number,
          character_set_catalog sql_identifier, character_set_schema sql_identifier,
          character_set_name sql_identifier, collation_catalog sql_identifier, collation_schema sql_identifier,
          collation_name sql_identifier, domain_catalog sql_identifier, domain_schema sql_identifier,
          domain_name sql_identifier, udt_catalog sql_identifier, udt_schema sql_identifier,
          udt_name sql_identifier, scope_catalog sql_identifier, scope_schema sql_identifier,
          scope_name sql_identifier, maximum_cardinality cardinal_number, dtd_identifier sql_identifier,
          is_self_referencing yes_or_no, is_identity yes_or_no, identity_generation character_data,
          identity_start character_data, identity_increment character_data, identity_maximum character_data,
          identity_minimum character_data, identity_cycle yes_or_no, is_generated character_data,
          generation_expression character_data, is_updatable yes_or_no""",
          oid=13295, schema=IS, kind="v", rows=_columns, fixed=_system_columns),
    table("views", """table_catalog sql_identifier, table_schema sql_identifier, table_name sql_identifier,
          view_definition character_data, check_option character_data, is_updatable yes_or_no,
          is_insertable_into yes_or_no, is_trigger_updatable yes_or_no, is_trigger_deletable yes_or_no,
          is_trigger_insertable_into yes_or_no""",
          oid=13483, schema=IS, kind="v", rows=_views),
    table("key_column_usage", """constraint_catalog sql_identifier, constraint_schema sql_identifier,
          constraint_name sql_identifier, table_catalog sql_identifier, table_schema sql_identifier,
          table_name sql_identifier, column_name sql_identifier, ordinal_position cardinal_number,
          position_in_unique_constraint cardinal_number""",
          oid=13329, schema=IS, kind="v", rows=_key_column_usage),
    table("table_constraints", """constraint_catalog sql_identifier, constraint_schema sql_identifier,
          constraint_name sql_identifier, table_catalog sql_identifier, table_schema sql_identifier,
          table_name sql_identifier, constraint_type character_data, is_deferrable yes_or_no,
          initially_deferred yes_or_no, enforced yes_or_no, nulls_distinct yes_or_no""",
          oid=13411, schema=IS, kind="v", rows=_table_constraints),
    table("constraint_column_usage", """table_catalog sql_identifier, table_schema sql_identifier,
          table_name sql_identifier, column_name sql_identifier, constraint_catalog sql_identifier,
          constraint_schema sql_identifier, constraint_name sql_identifier""",
          oid=13300, schema=IS, kind="v", rows=_constraint_column_usage),
    table("constraint_table_usage", """table_catalog sql_identifier, table_schema sql_identifier,
          table_name sql_identifier, constraint_catalog sql_identifier, constraint_schema sql_identifier,
          constraint_name sql_identifier""",
          oid=13305, schema=IS, kind="v", rows=_constraint_table_usage),
    table("character_sets", """character_set_catalog sql_identifier, character_set_schema sql_identifier,
          character_set_name sql_identifier, character_repertoire sql_identifier, form_of_use sql_identifier,
          default_collate_catalog sql_identifier, default_collate_schema sql_identifier,
          default_collate_name sql_identifier""",
          oid=13250, schema=IS, kind="v", rows=_character_sets),
    table("table_privileges", PRIVILEGES, oid=13416, schema=IS, kind="v", rows=_table_privileges),
    table("role_table_grants", PRIVILEGES, oid=13421, schema=IS, kind="v", rows=_table_privileges),
    table("enabled_roles", "role_name sql_identifier", oid=13325, schema=IS, kind="v",
          session_sql="SELECT s_user AS role_name"),
    # PostgreSQL's own rows: what the SQL standard's features and limits are (QuickSight reads these).
    table("sql_features", """feature_id character_data, feature_name character_data, sub_feature_id character_data,
          sub_feature_name character_data, is_supported yes_or_no, is_verified_by character_data,
          comments character_data""", oid=13391, schema=IS, rows=lambda _: sql_info.SQL_FEATURES, static=True),
    table("sql_implementation_info", """implementation_info_id character_data,
          implementation_info_name character_data, integer_value cardinal_number, character_value character_data,
          comments character_data""", oid=13396, schema=IS, rows=_implementation_info,
          static=True),
    table("sql_sizing", """sizing_id cardinal_number, sizing_name character_data, supported_value cardinal_number,
          comments character_data""", oid=13406, schema=IS, rows=lambda _: sql_info.SQL_SIZING, static=True),
)  # fmt: skip
