"""Temporary views: read as the query they name, in PostgreSQL's namespace rules."""

from __future__ import annotations

import pyarrow as pa
import pytest
import sqlglot

from server.errors import DuplicateObject, ReadOnlyTransaction, UndefinedTable, WrongObjectType
from server.session import temp_views
from server.session.temp_views import FIRST_TEMP_OID, TempView, expand, relation_info
from server.sql.commands import CreateTempView, DropView
from server.sql.router import route


def parse(sql: str) -> sqlglot.exp.Expr:
    return sqlglot.parse_one(sql, dialect="postgres")


SCHEMA = pa.schema([("channel", pa.string()), ("n", pa.int64())])
VIEWS = {"v": TempView("v", "SELECT channel, COUNT(*) AS n FROM sales GROUP BY 1", SCHEMA, FIRST_TEMP_OID)}


def test_reference_becomes_the_views_query() -> None:
    tree = expand(parse("SELECT n FROM v WHERE channel = 'web'"), VIEWS, parse)
    assert tree.sql("postgres") == (
        "SELECT n FROM (SELECT channel, COUNT(*) AS n FROM sales GROUP BY 1) AS v(channel, n) WHERE channel = 'web'"
    )


def test_alias_and_pg_temp_schema_kept() -> None:
    tree = expand(parse("SELECT x.n FROM pg_temp.v AS x"), VIEWS, parse)
    assert "AS x(channel, n)" in tree.sql("postgres")


def test_other_names_and_ctes_untouched() -> None:
    for sql in ("SELECT * FROM sales", "WITH v AS (SELECT 1) SELECT * FROM v", "SELECT * FROM public.v"):
        tree = parse(sql)
        assert expand(tree, VIEWS, parse) is tree


def test_names_shared_with_temp_tables() -> None:
    with pytest.raises(DuplicateObject):
        temp_views.check_new({}, {"t"}, "t", replace=True)
    with pytest.raises(DuplicateObject):
        temp_views.check_new(VIEWS, set(), "v", replace=False)
    temp_views.check_new(VIEWS, set(), "v", replace=True)


def test_column_list_renames_and_info() -> None:
    views: dict[str, TempView] = {}
    view = temp_views.new_view(views, "w", "SELECT 1", SCHEMA, ["c"])
    assert view.schema.names == ["c", "n"] and view.oid == FIRST_TEMP_OID
    assert relation_info(view).columns == (("c", 25, -1), ("n", 20, -1))


def test_drop() -> None:
    views = dict(VIEWS)
    with pytest.raises(ReadOnlyTransaction):
        temp_views.drop(views, ["sales"], if_exists=False, tables=set(), governed={"sales"})
    with pytest.raises(WrongObjectType):
        temp_views.drop(views, ["t"], if_exists=False, tables={"t"}, governed=set())
    with pytest.raises(UndefinedTable):
        temp_views.drop(views, ["nope"], if_exists=False, tables=set(), governed=set())
    temp_views.drop(views, ["nope", "v"], if_exists=True, tables=set(), governed=set())
    assert views == {}


def test_drop_table_of_a_view_is_wrong_type() -> None:
    with pytest.raises(WrongObjectType):
        temp_views.check_not_view(VIEWS, ["v"])
    temp_views.check_not_view(VIEWS, ["t"])


def test_router_reads_create_and_drop_view() -> None:
    (create,) = route('CREATE OR REPLACE TEMPORARY VIEW "V" (a) AS SELECT 1')
    assert isinstance(create, CreateTempView)
    assert (create.name, create.columns, create.replace, create.query.text.strip()) == ("V", ("a",), True, "SELECT 1")
    assert route("DROP VIEW IF EXISTS a, b") == [DropView(("a", "b"), True)]
    with pytest.raises(ReadOnlyTransaction):
        route("CREATE VIEW v AS SELECT 1")
    with pytest.raises(ReadOnlyTransaction):
        route("CREATE TEMP VIEW public.v AS SELECT 1")
