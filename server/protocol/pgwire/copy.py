"""COPY (query) TO STDOUT encoders: text, CSV and binary, a batch at a time.

Same approach as DataRow: columns are turned into text (or binary cells) by
Arrow kernels and rows are joined element-wise, so a batch becomes its CopyData
messages without a Python loop per value. Like PostgreSQL, every row is its own
CopyData message (ADBC's and psycopg's readers parse one row per message), and
the binary signature or CSV header travels inside the first one.
"""

from __future__ import annotations

import struct

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from server.protocol.pgwire.types import TextContext, assemble_rows, binary_column, text_column
from server.sql.commands import CopyFormat, CopyOut
from server.sql.pg_types import wire_type

BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
BINARY_TRAILER = struct.pack("!h", -1)


def _text_escape(strings: pa.Array, delimiter: str) -> pa.Array:
    strings = pc.replace_substring(strings, "\\", "\\\\")
    for raw, escaped in (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        strings = pc.replace_substring(strings, raw, escaped)
    if delimiter not in ("\t", "\n", "\r", "\\"):
        strings = pc.replace_substring(strings, delimiter, "\\" + delimiter)
    return strings


def _csv_quote(strings: pa.Array, delimiter: str, quote: str, null: str) -> pa.Array:
    needs = pc.or_(
        pc.match_substring_regex(strings, "[" + "".join("\\" + c for c in {delimiter, quote, "\n", "\r"}) + "]"),
        pc.equal(strings, null) if null != "" else pc.equal(pc.utf8_length(strings), 0),
    )
    doubled = pc.replace_substring(strings, quote, quote + quote)
    quoted = pc.binary_join_element_wise(quote, doubled, quote, "")
    return pc.if_else(pc.fill_null(needs, False), quoted, strings)


class CopyEncoder:
    """Encodes the batches of one result as COPY data in the requested format."""

    def __init__(self, command: CopyOut, schema: pa.Schema, context: TextContext) -> None:
        self.command = command
        self.schema = schema
        self.context = context
        self.format = command.format
        self.delimiter = command.delimiter or ("," if command.format is CopyFormat.CSV else "\t")
        self.null = command.null if command.null is not None else ("" if command.format is CopyFormat.CSV else "\\N")
        self.wire = [wire_type(f.type, f.metadata) for f in schema]

    @property
    def overall_format(self) -> int:
        return 1 if self.format is CopyFormat.BINARY else 0

    def header(self) -> bytes:
        if self.format is CopyFormat.BINARY:
            return BINARY_SIGNATURE
        if self.command.header:
            names = pa.array(self.schema.names, pa.string())
            if self.format is CopyFormat.CSV:
                names = _csv_quote(names, self.delimiter, self.command.quote, self.null)
            return (self.delimiter.join(names.to_pylist()) + "\n").encode("utf-8")
        return b""

    def trailer(self) -> bytes:
        return BINARY_TRAILER if self.format is CopyFormat.BINARY else b""

    def encode(self, batch: pa.RecordBatch, first: bytes = b"") -> bytes:
        """CopyData messages, one per row as PostgreSQL sends them; ``first`` rides on the first row."""
        if batch.num_rows == 0:
            return b""
        if self.format is CopyFormat.BINARY:
            cells = [binary_column(col, wire) for col, wire in zip(batch.columns, self.wire, strict=True)]
            count = len(cells)

            def header(lengths: np.ndarray) -> np.ndarray:
                head = np.empty(len(lengths), dtype=_BINARY_ROW_HEAD)
                head["kind"] = b"d"
                head["length"] = lengths + 6  # length field, field count, cells
                head["count"] = count
                return head

            return _prepend_to_first(assemble_rows(cells, header), first)
        columns = []
        for column in batch.columns:
            text = text_column(column, self.context)
            if self.format is CopyFormat.CSV:
                text = _csv_quote(text, self.delimiter, self.command.quote, self.null)
            else:
                text = _text_escape(text, self.delimiter)
            columns.append(pc.fill_null(text, self.null))
        lines = pc.binary_join_element_wise(*columns, self.delimiter) if len(columns) > 1 else columns[0]
        lines = pc.cast(pc.binary_join_element_wise(lines, "\n", ""), pa.binary())
        lengths = np.asarray(pc.binary_length(lines).to_numpy(zero_copy_only=False), dtype=np.int64)
        head = np.empty(len(lines), dtype=_TEXT_ROW_HEAD)
        head["kind"] = b"d"
        head["length"] = lengths + 4
        heads = pa.FixedSizeBinaryArray.from_buffers(pa.binary(5), len(lines), [None, pa.py_buffer(head.tobytes())])
        framed = pc.binary_join_element_wise(pc.cast(heads, pa.binary()), lines, b"")
        return _prepend_to_first(b"".join(_buffers_as_bytes(framed)), first)


_BINARY_ROW_HEAD = np.dtype([("kind", "S1"), ("length", ">i4"), ("count", ">i2")])
_TEXT_ROW_HEAD = np.dtype([("kind", "S1"), ("length", ">i4")])


def _prepend_to_first(messages: bytes, first: bytes) -> bytes:
    """Put ``first`` (the binary signature or a header line) inside the first CopyData message."""
    if not first or not messages:
        return messages
    (length,) = struct.unpack_from("!i", messages, 1)
    return b"d" + struct.pack("!i", length + len(first)) + first + messages[5:]


def _buffers_as_bytes(strings: pa.Array) -> list[bytes]:
    """The concatenated values of a string array (one copy of its data buffer)."""
    if strings.offset == 0 and strings.null_count == 0:
        offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32, count=len(strings) + 1)
        data = strings.buffers()[2]
        return [data.to_pybytes()[: int(offsets[-1])]] if data is not None else [b""]
    return [s.encode("utf-8") for s in strings.to_pylist() if s is not None]
