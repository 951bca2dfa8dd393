"""Targets as data: each engine's functions, masks and date buckets, and 0A000 for what it cannot run."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import duckdb
import pytest
import sqlglot.expressions as exp

from server.cli import main
from server.errors import FeatureNotSupported, SqlState
from server.policy.identity import Caller
from server.policy.masks import key_pads, mask_expression
from server.render.targets import TARGETS, Target, target
from server.semantic.policies import DATE_UNITS, Mask, MaskFunction
from server.semantic.spec import DimensionType
from server.semantic.store import ModelStore
from server.sql.functions import ALLOWED
from server.sql.neutral import mask_call, mask_function, mask_options, mask_value

ADMIN = Caller("admin")
OTHER_TARGETS = sorted(name for name in TARGETS if name != "duckdb")


def select(*items: exp.Expression) -> exp.Select:
    return exp.select(*items).from_("t")


@pytest.fixture(scope="module")
def compiling_engine():  # type: ignore[no-untyped-def]
    from server.config import DEMO_MODELS
    from server.engine import Engine

    return Engine(ModelStore(DEMO_MODELS))


# -- functions ------------------------------------------------------------------------------------


def test_every_target_lists_only_functions_of_quivers_surface() -> None:
    for name in OTHER_TARGETS:
        functions = target(name).functions
        assert functions is not None and functions <= ALLOWED, (name, sorted((functions or set()) - ALLOWED))
    assert target("duckdb").functions is None  # DuckDB's meaning is Quiver's: the engine has them all


@pytest.mark.parametrize("name", OTHER_TARGETS)
def test_each_target_refuses_a_function_it_lacks_naming_it(compiling_engine, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FeatureNotSupported) as caught:
        compiling_engine.compile("SELECT epoch_ms(order_ts) FROM orders", ADMIN, target=name)
    assert caught.value.sqlstate is SqlState.FEATURE_NOT_SUPPORTED
    assert caught.value.message == f"function epoch_ms() is not supported by target {name}"


def test_duckdb_runs_any_of_its_functions_a_model_uses_which_other_targets_refuse() -> None:
    """Callers are held to ALLOWED by the compiler; a model's own DuckDB function still reaches DuckDB."""
    iff = exp.Anonymous(this="iff", expressions=[exp.column("a"), exp.Literal.number(1), exp.Literal.number(0)])
    assert "IFF(a, 1, 0)" in target("duckdb").render(select(iff.copy()), pretty=False)
    for name in OTHER_TARGETS:
        with pytest.raises(FeatureNotSupported, match=rf"function iff\(\) is not supported by target {name}"):
            target(name).render(select(iff.copy()))


def test_a_listed_function_passes_by_name() -> None:
    tree = select(exp.Anonymous(this="gcd", expressions=[exp.column("a"), exp.column("b")]))
    assert "GCD(a, b)" in target("postgres").render(tree, pretty=False)


def test_compile_command_refuses_a_duckdb_function_for_postgres(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", "--dialect", "postgres", "SELECT epoch_ms(order_ts) FROM orders"]) != 0
    captured = capsys.readouterr()
    assert "EPOCH_MS" not in captured.out
    assert "epoch_ms() is not supported by target postgres" in captured.err


# -- constructs sqlglot cannot write -------------------------------------------------------------


def test_a_construct_the_dialect_cannot_write_is_refused_naming_it_and_the_target() -> None:
    tree = select(
        exp.RegexpReplace(
            this=exp.column("v"),
            expression=exp.Literal.string("a"),
            replacement=exp.Literal.string("b"),
            modifiers=exp.Literal.string("i"),
        )
    )
    with pytest.raises(FeatureNotSupported) as caught:
        target("bigquery").render(tree)
    assert "RegexpReplace" in caught.value.message
    assert caught.value.message.endswith("(target bigquery)")


def test_a_window_bigquery_would_order_differently_is_refused(compiling_engine) -> None:  # type: ignore[no-untyped-def]
    sql = "SELECT customer_region, net_revenue, SUM(net_revenue) OVER (ORDER BY customer_region) AS r FROM sales"
    with pytest.raises(FeatureNotSupported, match=r"NULLS LAST.*target bigquery"):
        compiling_engine.compile(sql, ADMIN, target="bigquery")
    assert "SUM(" in compiling_engine.compile(sql, ADMIN, target="postgres").sql


# -- masks ----------------------------------------------------------------------------------------


def test_a_mask_is_a_neutral_node_until_a_target_renders_it() -> None:
    node = mask_expression(Mask(MaskFunction.BUCKET_DATE, {"unit": "year"}, False, ""), DimensionType.TIME, b"k")
    assert mask_function(node) == "bucket_date"
    assert mask_options(node) == {"unit": "year"}
    assert node.copy() == node and mask_function(node.copy()) == "bucket_date"
    assert isinstance(mask_value(node), exp.Column)
    for found in TARGETS.values():
        assert "QUIVER_MASK(" not in found.render(select(node.copy())).upper()


BUCKETS = {
    "duckdb": "SELECT TIME_BUCKET(INTERVAL '1 month', d) FROM t",
    "postgres": "SELECT d - (d - CAST(DATE_TRUNC('month', d) AS DATE)) FROM t",
    "trino": "SELECT DATE_TRUNC('month', d) FROM t",
    "spark": "SELECT DATE_TRUNC('month', d) FROM t",
    "snowflake": "SELECT DATE_TRUNC('month', d) FROM t",
    "bigquery": "SELECT DATE_TRUNC(d, MONTH) FROM t",
}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_bucket_date_per_target(name: str) -> None:
    node = mask_call("bucket_date", exp.column("d"), {"unit": "month"})
    assert target(name).render(select(node), pretty=False) == BUCKETS[name]


def test_bucket_date_weeks_start_on_monday_everywhere() -> None:
    node = mask_call("bucket_date", exp.column("d"), {"unit": "week"})
    assert "ISOWEEK" in target("bigquery").render(select(node.copy()), pretty=False)
    assert "INTERVAL '7 days'" in target("duckdb").render(select(node.copy()), pretty=False)


def as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


@pytest.mark.parametrize("unit", DATE_UNITS)
def test_duckdb_bucket_date_keeps_the_type_and_truncates_like_date_trunc(unit: str) -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT DATE '2023-11-15' + CAST(i * 11 AS INTEGER) AS d, "
        "TIMESTAMP '2023-11-15 13:47:11' + i * INTERVAL 269 HOUR AS ts FROM range(60) r(i)"
    )
    for column in ("d", "ts"):
        node = mask_call("bucket_date", exp.column(column), {"unit": unit})
        sql = target("duckdb").render(select(node, exp.column(column)))
        for bucketed, value in con.execute(sql).fetchall():
            assert type(bucketed) is type(value)
            truncated = con.execute(f"SELECT date_trunc('{unit}', ?::TIMESTAMP)", [as_datetime(value)]).fetchone()
            assert truncated is not None
            assert as_datetime(bucketed) == truncated[0], (column, value)


def test_hash_renders_from_each_targets_primitives() -> None:
    pads = key_pads(b"secret")
    node = mask_call("hash", exp.column("v"), {"inner": pads[0], "outer": pads[1]})
    expected = {
        "postgres": ("DECODE(", "CONVERT_TO(", "ENCODE(SHA256("),
        "trino": ("FROM_HEX(", "TO_UTF8(", "LOWER(TO_HEX(SHA256("),
        "spark": ("UNHEX(", "ENCODE(CAST(v AS STRING), 'UTF-8')", "SHA2("),
        "snowflake": ("HEX_DECODE_BINARY(", "TO_BINARY(", "SHA2_BINARY("),
        "bigquery": ("FROM_HEX(", "AS BYTES)", "TO_HEX(SHA256("),
    }
    for name, pieces in expected.items():
        sql = target(name).render(select(node.copy()), pretty=False)
        for piece in pieces:
            assert piece in sql, (name, piece, sql)
        assert "UNHEX(SHA256" not in sql or name == "duckdb"


def test_duckdb_hash_is_hmac_sha256() -> None:
    pads = key_pads(b"secret")
    node = mask_call("hash", exp.column("v"), {"inner": pads[0], "outer": pads[1]})
    sql = target("duckdb").render(select(node))
    got = duckdb.connect().execute(sql.replace("FROM t", "FROM (SELECT 'ada@example.com' AS v) AS t")).fetchone()[0]
    assert got == hmac.new(b"secret", b"ada@example.com", hashlib.sha256).hexdigest()


def test_a_target_without_a_mask_refuses_it_instead_of_sending_the_raw_value() -> None:
    import dataclasses

    limited: Target = dataclasses.replace(target("postgres"), masks={})
    node = mask_call("email", exp.column("email"), {})
    with pytest.raises(FeatureNotSupported, match="mask email is not supported by target postgres"):
        limited.render(select(node))


def test_regex_replace_replaces_every_match_in_each_dialect() -> None:
    node = mask_call("regex_replace", exp.column("v"), {"pattern": "[0-9]", "replacement": "#"})
    assert target("duckdb").render(select(node.copy()), pretty=False).endswith("'#', 'g') FROM t")
    assert target("postgres").render(select(node.copy()), pretty=False).endswith("'#', 'g') FROM t")
    for name in ("trino", "spark", "snowflake", "bigquery"):
        assert target(name).render(select(node.copy()), pretty=False).endswith("'[0-9]', '#') FROM t"), name
