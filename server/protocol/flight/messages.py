"""The Flight SQL protocol messages Quiver reads and writes, declared as data and built at import.

Flight SQL's messages are protobuf (FlightSql.proto, package
``arrow.flight.protocol.sql``). Instead of generated code we declare the fields
of the messages we use (names, numbers, types) and let protobuf build the
classes from that description; the wire format depends only on field numbers
and types, so these classes read and write exactly what ADBC and JDBC drivers
send. Messages we do not declare (transactions, Substrait, bulk ingestion) are
refused by type name.

Fields are declared proto2-style ``optional``: on the wire that is the same as
proto3's implicit and explicit presence, and ``HasField`` tells set from unset.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

PACKAGE = "arrow.flight.protocol.sql"
_F = descriptor_pb2.FieldDescriptorProto
STRING, BYTES, BOOL, INT32, INT64, UINT32 = (
    _F.TYPE_STRING,
    _F.TYPE_BYTES,
    _F.TYPE_BOOL,
    _F.TYPE_INT32,
    _F.TYPE_INT64,
    _F.TYPE_UINT32,
)
REPEATED = "repeated"

# message -> (field name, number, type[, "repeated"]); numbers as in FlightSql.proto.
Field = tuple[str, int, int] | tuple[str, int, int, str]
_KEY_FIELDS: list[Field] = [("catalog", 1, STRING), ("db_schema", 2, STRING), ("table", 3, STRING)]
MESSAGES: dict[str, list[Field]] = {
    "CommandGetSqlInfo": [("info", 1, UINT32, REPEATED)],
    "CommandGetXdbcTypeInfo": [("data_type", 1, INT32)],
    "CommandGetCatalogs": [],
    "CommandGetDbSchemas": [("catalog", 1, STRING), ("db_schema_filter_pattern", 2, STRING)],
    "CommandGetTables": [
        ("catalog", 1, STRING),
        ("db_schema_filter_pattern", 2, STRING),
        ("table_name_filter_pattern", 3, STRING),
        ("table_types", 4, STRING, REPEATED),
        ("include_schema", 5, BOOL),
    ],
    "CommandGetTableTypes": [],
    "CommandGetPrimaryKeys": _KEY_FIELDS,
    "CommandGetExportedKeys": _KEY_FIELDS,
    "CommandGetImportedKeys": _KEY_FIELDS,
    "CommandGetCrossReference": [
        ("pk_catalog", 1, STRING),
        ("pk_db_schema", 2, STRING),
        ("pk_table", 3, STRING),
        ("fk_catalog", 4, STRING),
        ("fk_db_schema", 5, STRING),
        ("fk_table", 6, STRING),
    ],
    "CommandStatementQuery": [("query", 1, STRING), ("transaction_id", 2, BYTES)],
    "TicketStatementQuery": [("statement_handle", 1, BYTES)],
    "CommandPreparedStatementQuery": [("prepared_statement_handle", 1, BYTES)],
    "CommandStatementUpdate": [("query", 1, STRING), ("transaction_id", 2, BYTES)],
    "CommandPreparedStatementUpdate": [("prepared_statement_handle", 1, BYTES)],
    "DoPutUpdateResult": [("record_count", 1, INT64)],
    "ActionCreatePreparedStatementRequest": [("query", 1, STRING), ("transaction_id", 2, BYTES)],
    "ActionCreatePreparedStatementResult": [
        ("prepared_statement_handle", 1, BYTES),
        ("dataset_schema", 2, BYTES),
        ("parameter_schema", 3, BYTES),
    ],
    "ActionClosePreparedStatementRequest": [("prepared_statement_handle", 1, BYTES)],
    "ActionCancelQueryRequest": [("info", 1, BYTES)],
    "ActionCancelQueryResult": [("result", 1, INT32)],  # an enum on the wire: a varint
}

# SqlInfo ids (FlightSql.proto's SqlInfo enum) this server answers.
FLIGHT_SQL_SERVER_NAME = 0
FLIGHT_SQL_SERVER_VERSION = 1
FLIGHT_SQL_SERVER_ARROW_VERSION = 2
FLIGHT_SQL_SERVER_READ_ONLY = 3
FLIGHT_SQL_SERVER_SQL = 4
FLIGHT_SQL_SERVER_SUBSTRAIT = 5
FLIGHT_SQL_SERVER_TRANSACTION = 8
FLIGHT_SQL_SERVER_CANCEL = 9
SQL_DDL_CATALOG = 500
SQL_DDL_SCHEMA = 501
SQL_DDL_TABLE = 502
SQL_IDENTIFIER_QUOTE_CHAR = 504
SQL_KEYWORDS = 508


def _build() -> dict[str, type[Message]]:
    file = descriptor_pb2.FileDescriptorProto(name="quiver_flight_sql.proto", package=PACKAGE, syntax="proto2")
    for name, fields in MESSAGES.items():
        message = file.message_type.add(name=name)
        for field_name, number, kind, *label in fields:
            message.field.add(
                name=field_name,
                number=number,
                type=kind,
                label=_F.LABEL_REPEATED if label else _F.LABEL_OPTIONAL,
            )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.{name}")) for name in MESSAGES}


CLASSES = _build()

# Each class under its own name, as generated code would read (messages.CommandStatementQuery(...)).
# Declared one by one rather than poured into globals() so the type checker knows them; a unit test
# checks this list and MESSAGES name the same classes.
CommandGetSqlInfo: type[Message] = CLASSES["CommandGetSqlInfo"]
CommandGetXdbcTypeInfo: type[Message] = CLASSES["CommandGetXdbcTypeInfo"]
CommandGetCatalogs: type[Message] = CLASSES["CommandGetCatalogs"]
CommandGetDbSchemas: type[Message] = CLASSES["CommandGetDbSchemas"]
CommandGetTables: type[Message] = CLASSES["CommandGetTables"]
CommandGetTableTypes: type[Message] = CLASSES["CommandGetTableTypes"]
CommandGetPrimaryKeys: type[Message] = CLASSES["CommandGetPrimaryKeys"]
CommandGetExportedKeys: type[Message] = CLASSES["CommandGetExportedKeys"]
CommandGetImportedKeys: type[Message] = CLASSES["CommandGetImportedKeys"]
CommandGetCrossReference: type[Message] = CLASSES["CommandGetCrossReference"]
CommandStatementQuery: type[Message] = CLASSES["CommandStatementQuery"]
TicketStatementQuery: type[Message] = CLASSES["TicketStatementQuery"]
CommandPreparedStatementQuery: type[Message] = CLASSES["CommandPreparedStatementQuery"]
CommandStatementUpdate: type[Message] = CLASSES["CommandStatementUpdate"]
CommandPreparedStatementUpdate: type[Message] = CLASSES["CommandPreparedStatementUpdate"]
DoPutUpdateResult: type[Message] = CLASSES["DoPutUpdateResult"]
ActionCreatePreparedStatementRequest: type[Message] = CLASSES["ActionCreatePreparedStatementRequest"]
ActionCreatePreparedStatementResult: type[Message] = CLASSES["ActionCreatePreparedStatementResult"]
ActionClosePreparedStatementRequest: type[Message] = CLASSES["ActionClosePreparedStatementRequest"]
ActionCancelQueryRequest: type[Message] = CLASSES["ActionCancelQueryRequest"]
ActionCancelQueryResult: type[Message] = CLASSES["ActionCancelQueryResult"]
