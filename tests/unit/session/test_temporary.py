"""A session's temporary tables: created once, renamed by a column list, dropped; model relations are read-only."""

from __future__ import annotations

import pyarrow as pa
import pytest

from server.errors import DuplicateObject, ReadOnlyTransaction, SqlState, UndefinedTable
from server.session import temporary


def test_a_second_table_of_the_same_name_is_42p07() -> None:
    tables = {"t": pa.table({"a": [1]})}
    with pytest.raises(DuplicateObject) as caught:
        temporary.check_new(tables, "t")
    assert caught.value.sqlstate is SqlState.DUPLICATE_TABLE
    assert caught.value.message == 'relation "t" already exists'
    temporary.check_new(tables, "u")  # a new name is fine


def test_store_renames_by_the_column_list() -> None:
    tables: dict[str, pa.Table] = {}
    stored = temporary.store(tables, "t", pa.table({"x": [1], "y": [2]}), ["a", "b"])
    assert stored.column_names == ["a", "b"]
    assert tables["t"] is stored
    assert temporary.store(tables, "u", pa.table({"x": [1]}), ()).column_names == ["x"]


def test_drop_removes_temporary_tables_only() -> None:
    tables = {"t": pa.table({"a": [1]})}
    temporary.drop(tables, ["t"], if_exists=False, governed={"orders"})
    assert tables == {}
    with pytest.raises(ReadOnlyTransaction) as read_only:
        temporary.drop(tables, ["orders"], if_exists=True, governed={"orders"})
    assert read_only.value.message == "cannot execute DROP TABLE in a read-only transaction"
    with pytest.raises(UndefinedTable) as missing:
        temporary.drop(tables, ["nope"], if_exists=False, governed={"orders"})
    assert missing.value.message == 'table "nope" does not exist'
    temporary.drop(tables, ["nope"], if_exists=True, governed={"orders"})
