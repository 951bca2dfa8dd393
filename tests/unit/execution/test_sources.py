"""The source registry: built from connectors, each source's target read from its capabilities."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

from connectors.base import MASK_FUNCTIONS, CancelToken, Capabilities, Connector, QueryHandle
from connectors.duckdb import DuckDBConnector
from server.errors import FeatureNotSupported
from server.execution.sources import DEFAULT_SOURCE, Source, Sources, target_for
from server.render.targets import target
from server.semantic.policies import MaskFunction


class FakeConnector(Connector):
    """A connector that only declares capabilities (what the registry reads) and counts closes."""

    def __init__(self, capabilities: Capabilities) -> None:
        self.capabilities = capabilities
        self.closed = 0

    def execute(self, sql: str, *, timeout: float | None = None, token: CancelToken | None = None) -> QueryHandle:
        raise NotImplementedError

    def describe(self, sql: str) -> pa.Schema:
        raise NotImplementedError

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def duckdb_connector() -> Iterator[DuckDBConnector]:
    connector = DuckDBConnector(spill=False)
    yield connector
    connector.close()


def test_capabilities_name_every_mask_function_of_the_policies() -> None:
    assert {function.value for function in MaskFunction} == MASK_FUNCTIONS


def test_one_duckdb_source_is_the_default_and_renders_duckdb(duckdb_connector: DuckDBConnector) -> None:
    sources = Sources.single(duckdb_connector)
    assert len(sources) == 1
    assert sources.default.name == DEFAULT_SOURCE
    assert sources[DEFAULT_SOURCE] is sources.default
    assert sources.default.target is target("duckdb")
    assert sources.default.capabilities.arrow_native


def test_the_target_is_read_from_the_capabilities() -> None:
    source = Source.of("warehouse", FakeConnector(Capabilities(dialect="postgres")))
    assert source.target is target("postgres")


def test_a_target_keeps_only_the_masks_its_engine_can_express() -> None:
    limited = target_for(Capabilities(dialect="trino", masks=frozenset({"null", "redact"})))
    assert set(limited.masks) == {MaskFunction.NULL, MaskFunction.REDACT}
    assert limited.dialect == "trino"
    assert set(target("trino").masks) == set(MaskFunction)  # the registered target is unchanged


def test_unknown_dialect_and_unknown_source_are_refused() -> None:
    with pytest.raises(FeatureNotSupported, match='unknown SQL target "oracle"'):
        Source.of("x", FakeConnector(Capabilities(dialect="oracle")))
    sources = Sources.single(FakeConnector(Capabilities(dialect="duckdb")))
    with pytest.raises(FeatureNotSupported, match='unknown source "nowhere"'):
        sources["nowhere"]


def test_names_are_unique_and_the_default_must_exist() -> None:
    one = Source.of("a", FakeConnector(Capabilities(dialect="duckdb")))
    with pytest.raises(ValueError, match="two sources"):
        Sources([one, one], default="a")
    with pytest.raises(ValueError, match="default source"):
        Sources([one], default="b")


def test_close_closes_every_connector_once() -> None:
    connectors = [FakeConnector(Capabilities(dialect=name)) for name in ("duckdb", "postgres")]
    sources = Sources([Source.of(name, c) for name, c in zip(("a", "b"), connectors, strict=True)], default="a")
    sources.close()
    assert [c.closed for c in connectors] == [1, 1]
    assert [s.name for s in sources] == ["a", "b"]
