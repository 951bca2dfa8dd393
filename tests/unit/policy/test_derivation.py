"""Policies follow derivation (invariant 0) on the demo: what eu_analyst may not see cannot be recomputed.

eu_analyst may not see ``orders.gross_amount`` / ``gross_revenue``. Members built on
the same source columns (``net_revenue = gross - refunded``, ``average_order_value``
over it) and the order lines that add up to the gross amount must not give it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.duckdb import DuckDBConnector
from server.config import DEMO_MODELS
from server.engine import Engine
from server.errors import QuiverError
from server.execution.executor import Executor
from server.policy.identity import Caller
from server.policy.users import UserStore
from server.semantic.derivation import Derivation, Entry
from server.semantic.policies import AccessPolicy
from server.semantic.store import ModelStore
from server.sql.session_info import SessionInfo
from server.statement import StatementService

USERS = UserStore.load(DEMO_MODELS / "users.yml")


def caller(name: str) -> Caller:
    user = USERS.get(name)
    assert user is not None
    return user.caller("sql")


def ask(engine: Engine, user: str, sql: str) -> list[tuple[Any, ...]]:
    who = caller(user)
    table = StatementService(engine).query(sql, who, SessionInfo(user=who.user)).read_all()
    columns = [c.to_pylist() for c in table.columns]
    return [tuple(c[i] for c in columns) for i in range(table.num_rows)]


def refused(engine: Engine, user: str, sql: str) -> str:
    with pytest.raises(QuiverError) as caught:
        ask(engine, user, sql)
    return caught.value.sqlstate.value


def eu_gross(raw: duckdb.DuckDBPyConnection) -> float:
    row = raw.execute(
        "SELECT sum(gross_amount) FROM raw.orders o JOIN raw.customers c USING (customer_id) WHERE c.region = 'EU'"
    ).fetchone()
    assert row is not None
    return float(row[0])


RECOMPUTATIONS = (
    "SELECT MEASURE(net_revenue) + MEASURE(refunded_revenue) FROM orders",
    "SELECT MEASURE(average_order_value) * MEASURE(order_count) + MEASURE(refunded_revenue) FROM orders",
    "SELECT net_revenue + refunded_revenue FROM sales",
    "SELECT item_revenue FROM order_items",
    "SELECT item_revenue FROM sales",
    "SELECT sum(quantity * unit_price - discount) FROM order_items",
    "SELECT net_revenue + refunded_revenue FROM customer_360",
)


@pytest.mark.parametrize("sql", RECOMPUTATIONS)
def test_eu_analyst_cannot_recompute_the_hidden_gross(engine: Engine, sql: str) -> None:
    assert refused(engine, "eu_analyst", sql) == "42703"


def test_admin_still_gets_the_gross_back_from_its_parts(engine: Engine, raw: duckdb.DuckDBPyConnection) -> None:
    total = raw.execute("SELECT sum(gross_amount) FROM raw.orders").fetchone()
    assert total is not None
    (got,) = ask(engine, "admin", RECOMPUTATIONS[0])[0]
    assert float(got) == pytest.approx(float(total[0]))
    assert eu_gross(raw) == pytest.approx(6_694_244.95)


# -- every way of deriving a member, on a small model with data (tests/fixtures/models/derived) ------------

MODEL = Path(__file__).resolve().parents[2] / "fixtures" / "models" / "derived"
ORDERS = [
    # id, customer_id, status, gross, refund
    (1, 1, "open", 120.0, 0.0),
    (2, 1, "returned", 80.0, 80.0),
    (3, 2, "open", 300.0, 30.0),
    (4, 2, "shipped", 50.0, 0.0),
]
CUSTOMERS = [(1, "Ann Lee", "Ann", "Lee"), (2, "Bo Chan", "Bo", "Chan")]
OLGA = Caller("olga")
ANA = Caller("ana", roles=("analyst",))
PAT = Caller("pat", roles=("partner",))
TRU = Caller("tru", roles=("trusted",))


@pytest.fixture(scope="module")
def derived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("derived") / "data.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA src")
    con.execute(
        "CREATE TABLE src.orders (id INTEGER, customer_id INTEGER, status VARCHAR, gross DOUBLE, refund DOUBLE)"
    )
    con.executemany("INSERT INTO src.orders VALUES (?, ?, ?, ?, ?)", ORDERS)
    con.execute("CREATE TABLE src.customers (id INTEGER, name VARCHAR, first VARCHAR, last VARCHAR)")
    con.executemany("INSERT INTO src.customers VALUES (?, ?, ?, ?)", CUSTOMERS)
    con.close()
    connector = DuckDBConnector(path)
    yield Engine(ModelStore(MODEL), Executor(connector), mask_secret=b"k")
    connector.close()


def run(engine: Engine, who: Caller, sql: str) -> list[tuple[Any, ...]]:
    table = StatementService(engine).query(sql, who, SessionInfo(user=who.user)).read_all()
    columns = [c.to_pylist() for c in table.columns]
    return [tuple(c[i] for c in columns) for i in range(table.num_rows)]


def columns(engine: Engine, who: Caller, relation: str) -> set[str]:
    return set(engine.governance(who).relations()[relation].members)


def fails(engine: Engine, who: Caller, sql: str) -> QuiverError:
    with pytest.raises(QuiverError) as caught:
        run(engine, who, sql)
    return caught.value


ALL_ORDERS = {
    "id", "customer_id", "status", "gross", "refund", "label", "top_gross", "customer_name", "order_count",
    "gross_total", "net_total", "refund_total", "net_per_order", "net_per_order_x2", "big_orders", "statuses",
    "big", "open",
}  # fmt: skip


def test_owner_sees_every_member(derived: Engine) -> None:
    assert columns(derived, OLGA, "sales_orders") == ALL_ORDERS
    assert columns(derived, OLGA, "orders_again") == {"id", "amount", "amount_total"}
    assert run(derived, OLGA, "SELECT gross_total, net_total FROM sales_orders") == [(550.0, 440.0)]


def test_hiding_a_column_hides_measures_number_measures_filtered_measures_dimensions_and_segments(
    derived: Engine,
) -> None:
    hidden = {"gross", "label", "top_gross", "gross_total", "net_total", "net_per_order", "net_per_order_x2",
              "big_orders", "big"}  # fmt: skip
    assert columns(derived, ANA, "sales_orders") == ALL_ORDERS - hidden
    for name in sorted(hidden):
        error = fails(derived, ANA, f"SELECT {name} FROM sales_orders")
        missing = fails(derived, ANA, "SELECT no_such_member FROM sales_orders")
        assert error.sqlstate.value == missing.sqlstate.value == "42703"
        assert error.message == f'column "{name}" does not exist'
    assert fails(derived, ANA, "SELECT count(*) FROM sales_orders WHERE big").sqlstate.value == "42703"
    # What reads only other columns stays, with its values.
    assert run(derived, ANA, "SELECT refund_total, order_count, statuses FROM sales_orders") == [(110.0, 4, 3)]
    assert run(derived, ANA, "SELECT count(*) FROM sales_orders WHERE open") == [(2,)]


def test_a_second_table_over_the_same_source_column_is_hidden_too(derived: Engine) -> None:
    assert columns(derived, ANA, "orders_again") == {"id"}
    assert fails(derived, ANA, "SELECT sum(amount) FROM orders_again").sqlstate.value == "42703"
    assert fails(derived, ANA, "SELECT amount_total FROM orders_again").sqlstate.value == "42703"
    assert run(derived, OLGA, "SELECT amount_total FROM orders_again") == [(550.0,)]


def test_allow_derived_lets_named_members_through_and_is_not_transitive(derived: Engine) -> None:
    # partners: gross and refunds hidden, net_total and net_per_order allowed by name.
    visible = columns(derived, PAT, "sales_orders")
    assert {"net_total", "net_per_order"} <= visible
    assert not visible & {"gross", "refund", "refund_total", "gross_total", "net_per_order_x2", "label", "big"}
    assert run(derived, PAT, "SELECT net_total, net_per_order FROM sales_orders") == [(440.0, 110.0)]
    assert fails(derived, PAT, "SELECT net_per_order_x2 FROM sales_orders").sqlstate.value == "42703"


def test_undecidable_lineage_is_hidden_unless_its_own_entry_allows_it(derived: Engine) -> None:
    assert "top_gross" not in columns(derived, ANA, "sales_orders")
    assert "top_gross" not in columns(derived, PAT, "sales_orders")
    assert "top_gross" in columns(derived, TRU, "sales_orders")  # allow_derived: [sales_orders.top_gross]
    assert "top_gross" in columns(derived, OLGA, "sales_orders")  # nothing is withheld from owners


def test_a_masked_computed_dimension_protects_the_columns_it_reads(derived: Engine) -> None:
    # analysts: full_name (first || last) masked; first allowed by name; last, initials and display
    # (last || first) hidden.
    assert columns(derived, ANA, "customers") == {"id", "name", "first", "full_name", "customer_count"}
    assert run(derived, ANA, 'SELECT id, full_name, "first" FROM customers ORDER BY id') == [
        (1, "REDACTED", "Ann"),
        (2, "REDACTED", "Bo"),
    ]
    # trusted: Lens meta.secure masks display (last || first) and its allow_derived lets first through.
    assert columns(derived, TRU, "customers") == {"id", "name", "first", "display", "customer_count"}
    assert run(derived, TRU, "SELECT id, display FROM customers ORDER BY id") == [(1, "REDACTED"), (2, "REDACTED")]
    assert columns(derived, PAT, "customers") == {
        "id", "name", "first", "last", "full_name", "initials", "display", "customer_count"
    }  # fmt: skip


def test_views_keep_their_tables_decisions_and_derive_within_their_own_policy(derived: Engine) -> None:
    # analysts: the view shows what the table shows (net_total hidden at the table).
    assert columns(derived, ANA, "order_view") == {
        "id", "status", "refund", "order_count", "statuses", "open", "customers_name"
    }  # fmt: skip
    # partners: the view hides status; open (built on it) goes too, statuses is allowed by the view's entry.
    assert columns(derived, PAT, "order_view") == {"id", "order_count", "statuses", "net_total", "customers_name"}
    assert run(derived, PAT, "SELECT statuses, net_total FROM order_view") == [(3, 440.0)]
    # The view's policy is the view's: the table itself still shows status and open to partners.
    assert {"status", "open"} <= columns(derived, PAT, "sales_orders")


def test_row_level_semantics_are_unchanged(derived: Engine) -> None:
    for who in (OLGA, ANA, PAT, TRU):
        assert run(derived, who, "SELECT count(*) FROM sales_orders") == [(len(ORDERS),)]


def test_a_callers_explanation_names_what_is_hidden_and_why(engine: Engine) -> None:
    """What ``quiver query --explain`` can print for the operator: the caller's own entries, conditions applied."""
    text = engine.governance(caller("eu_analyst")).explain_hidden().splitlines()
    assert text[0] == "group eu_analyst:"
    assert (
        "    orders.net_revenue: hidden because it reads orders.gross_amount, hidden by access_policy entry 2 of orders"
    ) in text
    assert "    sales.item_revenue: hidden, as order_items.item_revenue is" in text
    assert engine.governance(caller("admin")).explain_hidden().splitlines()[1:] == ["  every member of every relation"]


def test_a_member_reading_a_denied_tables_column_is_hidden() -> None:
    """customers denied, sales_orders whole: customer_name ({customers.name}) goes with customers."""
    manifest = ModelStore(MODEL).manifest
    customers = manifest.tables["customers"].access_policy

    def choose(policies: tuple[AccessPolicy, ...]) -> Entry | None:
        return None if policies is customers else Entry(policies[0] if policies else None, 1)

    derivation = Derivation(manifest, "owners", choose)
    assert ("customers", "name") in derivation.hidden and ("sales_orders", "customer_name") in derivation.hidden
    (decision,) = [d for c, d in derivation.decisions.items() if c.key == ("sales_orders", "customer_name")]
    assert decision.hidden and decision.reason.startswith("it is built on customers.name, denied by access_policy of")
    # A denial is about the relation: another table over the same source keeps its columns.
    sales_orders = manifest.tables["sales_orders"].access_policy

    def deny_orders(policies: tuple[AccessPolicy, ...]) -> Entry | None:
        return None if policies is sales_orders else Entry(policies[0] if policies else None, 1)

    assert not {k for k in Derivation(manifest, "owners", deny_orders).hidden if k[0] == "orders_again"}
