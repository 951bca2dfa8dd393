"""Flight SQL metadata answers: the specification's schemas, LIKE patterns, SqlInfo's dense union."""

from __future__ import annotations

import pyarrow as pa
import pytest

from server.config import DEMO_MODELS
from server.policy.identity import Caller
from server.protocol.flight import messages, metadata
from server.protocol.flight.service import pack, unpack
from server.semantic.store import ModelStore


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (None, "orders", True),
        ("ord%", "orders", True),
        ("ord%", "sales", False),
        ("_rders", "orders", True),
        ("order\\_items", "order_items", True),
        ("order\\_items", "orderXitems", False),
        ("%", "", True),
        ("a.b", "axb", False),
    ],
)
def test_like_patterns(pattern: str | None, value: str, matches: bool) -> None:
    assert metadata.like(pattern)(value) is matches


def test_tables_schemas_and_filters() -> None:
    manifest = ModelStore(DEMO_MODELS).manifest
    relations = {n: r for n, r in manifest.relations.items() if r.public}
    table = metadata.tables(
        "quiver", relations, catalog=None, schema_pattern="pub%", table_pattern="%s", table_types=["VIEW"],
        arrow_schema=None,
    )  # fmt: skip
    assert table.schema == metadata.TABLES_SCHEMA
    assert table.to_pylist() == [
        {"catalog_name": "quiver", "db_schema_name": "public", "table_name": "sales", "table_type": "VIEW"}
    ]
    wrong_catalog = metadata.tables(
        "quiver", relations, catalog="other", schema_pattern=None, table_pattern=None, table_types=[],
        arrow_schema=None,
    )  # fmt: skip
    assert wrong_catalog.num_rows == 0
    with_schema = metadata.tables(
        "quiver", relations, catalog=None, schema_pattern=None, table_pattern="products", table_types=[],
        arrow_schema=lambda r: pa.schema([pa.field("x", pa.int64())]),
    )  # fmt: skip
    assert with_schema.schema.field("table_schema").nullable is False
    stored = pa.ipc.read_schema(pa.py_buffer(with_schema.column("table_schema")[0].as_py()))
    assert stored.names == ["x"]


def test_primary_keys_of_tables_only() -> None:
    relations = ModelStore(DEMO_MODELS).manifest.relations
    keys = metadata.primary_keys("quiver", relations, None, "public", "orders")
    assert keys.schema == metadata.PRIMARY_KEYS_SCHEMA
    assert [(r["column_name"], r["key_sequence"]) for r in keys.to_pylist()] == [("order_id", 1)]
    assert metadata.primary_keys("quiver", relations, None, None, "sales").num_rows == 0


def test_sql_info_is_a_dense_union_of_the_declared_type() -> None:
    table = metadata.sql_info({0: "Quiver", 3: True, 504: '"', 508: ["MEASURE"], 100: 5}, [0, 3, 999, 508])
    assert table.schema == metadata.SQL_INFO_SCHEMA
    assert table.column("info_name").to_pylist() == [0, 3, 508]  # unknown ids are left out
    assert table.column("value").to_pylist() == ["Quiver", True, ["MEASURE"]]
    everything = metadata.sql_info({0: "Quiver", 100: 5}, [])
    assert everything.column("value").to_pylist() == ["Quiver", 5]


def test_xdbc_type_info_filters_by_type() -> None:
    table = metadata.xdbc_type_info(messages.CommandGetXdbcTypeInfo().data_type or None)
    assert table.schema == metadata.XDBC_TYPE_INFO_SCHEMA and table.num_rows >= 8
    assert metadata.xdbc_type_info(metadata.XDBC_BIGINT).column("type_name").to_pylist() == ["bigint"]


def test_messages_round_trip_through_any() -> None:
    command = messages.CommandGetTables(catalog="quiver", table_types=["TABLE"], include_schema=True)
    back = unpack(pack(command))
    assert isinstance(back, messages.CommandGetTables)
    assert back.HasField("catalog") and not back.HasField("db_schema_filter_pattern")
    assert list(back.table_types) == ["TABLE"] and back.include_schema
    assert unpack(b"SELECT 1") is None  # plain Flight: SQL text


def test_every_declared_message_is_a_module_name() -> None:
    # messages.py names each class itself (for the type checker); none of MESSAGES may be left out.
    for name, message_class in messages.CLASSES.items():
        assert getattr(messages, name) is message_class
        assert message_class.DESCRIPTOR.full_name == f"{messages.PACKAGE}.{name}"
    assert set(messages.CLASSES) == set(messages.MESSAGES)


def test_flight_is_a_channel_scope(engine: object) -> None:
    from server.errors import QuiverError
    from server.policy.governance import CallerGovernance

    manifest = ModelStore(DEMO_MODELS).manifest
    guest = CallerGovernance(manifest, Caller("guest", channel="flight"), b"k")
    with pytest.raises(QuiverError):
        guest.require("data")
    guest.require("meta")


def test_pandas_frames_typed_like_duckdb() -> None:
    import duckdb

    from server.protocol.flight.frames import duckdb_like_pandas

    con = duckdb.connect()
    sql = "SELECT 1::BIGINT AS i, 2.50::DECIMAL(12,2) AS d, DATE '2024-05-17' AS day, 'x' AS s, NULL::DECIMAL(9,2) AS n"
    expected = con.execute(sql).df()
    frame = duckdb_like_pandas(con.execute(sql).to_arrow_table())
    assert frame.dtypes.to_dict() == expected.dtypes.to_dict()
    assert frame.iloc[0, :4].tolist() == expected.iloc[0, :4].tolist()
