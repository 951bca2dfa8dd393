"""Record batches cut to fit a gRPC message (clients refuse messages over 4 or 16 MiB)."""

from __future__ import annotations

import pyarrow as pa

from server.protocol.flight.service import within_message_size


def test_a_small_batch_is_sent_whole() -> None:
    batch = pa.record_batch([pa.array(range(10))], names=["n"])
    assert list(within_message_size(batch, limit=1024)) == [batch]


def test_a_large_batch_is_cut_into_slices_under_the_limit_in_order() -> None:
    batch = pa.record_batch([pa.array(range(100_000)), pa.array(["x" * 50] * 100_000)], names=["n", "s"])
    pieces = list(within_message_size(batch, limit=512 * 1024))
    assert len(pieces) > 1
    assert all(piece.nbytes <= 512 * 1024 for piece in pieces)
    assert pa.Table.from_batches(pieces).equals(pa.Table.from_batches([batch]))


def test_one_row_larger_than_the_limit_is_still_sent() -> None:
    batch = pa.record_batch([pa.array(["x" * 10_000])], names=["s"])
    assert list(within_message_size(batch, limit=1024)) == [batch]
