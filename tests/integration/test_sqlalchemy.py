"""SQLAlchemy 2 (psycopg2 dialect) against ``quiver serve``: the inspector's catalog queries, and Core
select() on tables and views reflected from the server.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
import sqlalchemy
from sqlalchemy import MetaData, Table, func, inspect, select

from tests.integration.clients import (
    NET,
    TABLES,
    VIEWS,
    Endpoint,
    columns_of,
    comment_mismatches,
    descriptions,
    rows,
    sales_by_region,
)
from tests.integration.conftest import QuiverServer

pytestmark = pytest.mark.integration

# The many_to_one joins of the model: the only foreign keys a catalog could truthfully show.
MANY_TO_ONE = {
    ("orders", ("customer_id",), "customers", ("customer_id",)),
    ("order_items", ("order_id",), "orders", ("order_id",)),
    ("order_items", ("product_id",), "products", ("product_id",)),
}


@pytest.fixture(scope="module")
def engine(quiver_server: QuiverServer) -> Iterator[sqlalchemy.Engine]:
    engine = sqlalchemy.create_engine(
        Endpoint.quiver(quiver_server).url("postgresql+psycopg2"), connect_args={"connect_timeout": 20}
    )
    yield engine
    engine.dispose()


def test_server_version(engine: sqlalchemy.Engine) -> None:
    with engine.connect() as conn:
        info = conn.dialect.server_version_info
        assert info is not None and info[0] >= 12
        assert conn.execute(sqlalchemy.text("select current_schema()")).scalar() == "public"


def test_schema_names(engine: sqlalchemy.Engine) -> None:
    assert "public" in inspect(engine).get_schema_names()


def test_table_and_view_names(engine: sqlalchemy.Engine) -> None:
    inspector = inspect(engine)
    assert sorted(inspector.get_table_names()) == sorted(TABLES)
    assert sorted(inspector.get_view_names()) == sorted(VIEWS)
    assert sorted(inspector.get_table_names(schema="public")) == sorted(TABLES)


def test_columns(engine: sqlalchemy.Engine) -> None:
    columns = {column["name"]: column for column in inspect(engine).get_columns("sales")}
    assert set(columns) == set(columns_of("sales"))
    kinds = {name: type(column["type"]) for name, column in columns.items()}
    assert issubclass(kinds["order_id"], sqlalchemy.BigInteger)
    assert issubclass(kinds["order_count"], sqlalchemy.BigInteger)
    assert issubclass(kinds["customer_region"], sqlalchemy.String)
    assert issubclass(kinds["net_revenue"], sqlalchemy.Numeric)
    assert issubclass(kinds["return_rate"], sqlalchemy.Float)
    assert issubclass(kinds["order_ts"], sqlalchemy.DateTime)
    assert issubclass(kinds["customer_signup_date"], sqlalchemy.Date)
    assert issubclass(kinds["returned"], sqlalchemy.Boolean)
    assert comment_mismatches({name: column["comment"] for name, column in columns.items()}, "sales") == {}


def test_primary_keys(engine: sqlalchemy.Engine) -> None:
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("orders")["constrained_columns"] == ["order_id"]
    assert inspector.get_pk_constraint("order_items")["constrained_columns"] == ["order_item_id"]
    assert inspector.get_pk_constraint("customers")["constrained_columns"] == ["customer_id"]
    assert inspector.get_pk_constraint("products")["constrained_columns"] == ["product_id"]


def test_foreign_keys_and_indexes(engine: sqlalchemy.Engine) -> None:
    inspector = inspect(engine)
    for table in TABLES:
        for fk in inspector.get_foreign_keys(table):
            found = (table, tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
            assert found in MANY_TO_ONE
        columns = set(columns_of(table))
        for index in inspector.get_indexes(table):
            assert set(index["column_names"]) <= columns


def test_comments(engine: sqlalchemy.Engine) -> None:
    inspector = inspect(engine)
    notes = descriptions()
    for relation in (*TABLES, *VIEWS):
        assert inspector.get_table_comment(relation)["text"] == notes[relation][0]


def test_core_select_on_reflected_table(engine: sqlalchemy.Engine, raw: duckdb.DuckDBPyConnection) -> None:
    orders = Table("orders", MetaData(), autoload_with=engine)
    assert orders.primary_key.columns.keys() == ["order_id"]
    query = (
        select(orders.c.channel, orders.c.order_count, orders.c.net_revenue)
        .where(orders.c.status == "returned")
        .order_by(orders.c.channel)
    )
    with engine.connect() as conn:
        got = [tuple(row) for row in conn.execute(query)]
        count = conn.execute(select(func.count()).select_from(orders)).scalar()
    assert got == rows(
        raw,
        f"SELECT channel, COUNT(*), SUM({NET}) FROM raw.orders o WHERE status = 'returned' GROUP BY 1 ORDER BY 1",
    )
    assert count == rows(raw, "SELECT COUNT(*) FROM raw.orders")[0][0]


def test_core_select_on_reflected_view(engine: sqlalchemy.Engine, raw: duckdb.DuckDBPyConnection) -> None:
    sales = Table("sales", MetaData(), autoload_with=engine)
    query = select(sales.c.customer_region, sales.c.net_revenue, sales.c.order_count).order_by(sales.c.customer_region)
    with engine.connect() as conn:
        assert [tuple(row) for row in conn.execute(query)] == sales_by_region(raw)
