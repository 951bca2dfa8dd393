"""A session's temporary tables: CREATE TEMP TABLE and DROP TABLE, as PostgreSQL answers them.

Temporary tables belong to one session and are the only tables a client may
create or drop; the model's relations are read-only, so dropping one is 25006
rather than "does not exist". Which names are the model's is the caller's to
say (the engine knows the model; a session does not).
"""

from __future__ import annotations

from collections.abc import Collection, MutableMapping, Sequence

import pyarrow as pa

from server.errors import DuplicateObject, ReadOnlyTransaction, SqlState, UndefinedTable


def check_new(tables: MutableMapping[str, pa.Table], name: str) -> None:
    """CREATE TEMP TABLE of a name the session already has: 42P07."""
    if name in tables:
        raise DuplicateObject(f'relation "{name}" already exists', SqlState.DUPLICATE_TABLE)


def store(tables: MutableMapping[str, pa.Table], name: str, table: pa.Table, column_names: Sequence[str]) -> pa.Table:
    """Keep ``table`` as ``name``, its columns renamed by the statement's column list when it gives one."""
    if column_names:
        table = table.rename_columns(list(column_names)[: table.num_columns])
    tables[name] = table
    return table


def drop(
    tables: MutableMapping[str, pa.Table], names: Sequence[str], *, if_exists: bool, governed: Collection[str]
) -> None:
    """DROP TABLE: temporary tables go; a governed relation is read-only (25006); others 42P01 unless IF EXISTS."""
    for name in names:
        if name in tables:
            del tables[name]
        elif name in governed:
            raise ReadOnlyTransaction("cannot execute DROP TABLE in a read-only transaction")
        elif not if_exists:
            raise UndefinedTable(f'table "{name}" does not exist')
