"""Arrow tables as pandas frames with the column types DuckDB's ``.df()`` gives (float64, datetime64[us]).

Arrow's own ``to_pandas`` keeps exactness: ``decimal128`` becomes Python ``Decimal``
objects and ``date32`` Python ``date`` objects, one object per value. Analysts
comparing with DuckDB expect float64 and datetime64 columns, converted by Arrow's
vectorised casts in milliseconds.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa


def duckdb_types(schema: pa.Schema) -> pa.Schema:
    def convert(data_type: pa.DataType) -> pa.DataType:
        if pa.types.is_decimal(data_type):
            return pa.float64()
        if pa.types.is_date(data_type):
            return pa.timestamp("us")
        return data_type

    return pa.schema([pa.field(f.name, convert(f.type), f.nullable) for f in schema])


def duckdb_like_pandas(table: pa.Table) -> Any:
    """``table`` as a pandas DataFrame typed as DuckDB's ``.df()`` types the same result."""
    return table.cast(duckdb_types(table.schema)).to_pandas(date_as_object=False)
