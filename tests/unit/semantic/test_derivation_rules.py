"""``allow_derived`` in a model: checked at build time (SM702, SM706), explained by ``quiver validate --explain``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.cli import main
from server.config import DEMO_MODELS
from server.semantic.build import build_manifest
from server.semantic.derivation import Candidate, Rule, Withheld, Withholding, derive, explain
from server.semantic.lineage import Source

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "models"


def demo_with(tmp_path: Path, entry: str) -> Path:
    """A copy of the demo whose eu_analyst entry on orders is ``entry``."""
    copy = tmp_path / "orders"
    shutil.copytree(DEMO_MODELS, copy)
    path = copy / "tables" / "orders.yml"
    text = path.read_text()
    start = text.index("      - group: eu_analyst")
    end = text.index("    segments:")
    path.write_text(text[:start] + entry + text[end:])
    return copy


def issues(directory: Path) -> list[str]:
    return [f"{i.code} {i.severity.value} {i.message}" for i in build_manifest(directory).issues]


def test_allowing_net_revenue_while_refunds_stay_visible_is_a_warning(tmp_path: Path) -> None:
    entry = """      - group: eu_analyst
        member_level:
          excludes: [gross_revenue, gross_amount]
        allow_derived: [net_revenue]
"""
    assert issues(demo_with(tmp_path, entry)) == [
        'SM706 warning allow_derived on "orders" lets "net_revenue" through, which reads the hidden '
        'orders.gross_amount together with orders.refunded_amount; "refunded_amount" shows orders.refunded_amount '
        "to the same groups, so the hidden value can be recomputed from the two"
    ]


def test_allowing_net_revenue_with_refunds_hidden_too_is_clean(tmp_path: Path) -> None:
    entry = """      - group: eu_analyst
        member_level:
          excludes: [gross_revenue, gross_amount, refunded_amount, refunded_revenue]
        allow_derived: [net_revenue, orders.average_order_value]
"""
    directory = demo_with(tmp_path, entry)
    assert issues(directory) == []
    manifest = build_manifest(directory).manifest
    assert manifest is not None
    text = explain(manifest)
    assert (
        "    orders.net_revenue: visible, because allowed by allow_derived of access_policy entry 2 of orders, "
        "although it reads orders.gross_amount, hidden by access_policy entry 2 of orders"
    ) in text.splitlines()


@pytest.mark.parametrize(
    ("allow", "expected"),
    [
        ("[no_such_member]", 'SM702 error policy on "orders" allow_derived names unknown member "no_such_member"'),
        ("[gross_amount]", 'SM706 warning allow_derived on "orders" names "gross_amount", which the same entry '
         "hides; it stays hidden"),
        ("[return_rate]", 'SM706 warning allow_derived on "orders" names "return_rate", which derives from nothing '
         "the entry hides"),
    ],
)  # fmt: skip
def test_allow_derived_names_are_checked(tmp_path: Path, allow: str, expected: str) -> None:
    entry = f"""      - group: eu_analyst
        member_level:
          excludes: [gross_revenue, gross_amount]
        allow_derived: {allow}
"""
    assert issues(demo_with(tmp_path, entry)) == [expected]


def test_lens_secure_allow_derived_names_are_checked(tmp_path: Path) -> None:
    copy = tmp_path / "derived"
    shutil.copytree(FIXTURES / "derived", copy)
    path = copy / "tables" / "customers.yml"
    path.write_text(path.read_text().replace("allow_derived: [first]\n", "allow_derived: [frist]\n", 1))
    found = issues(copy)
    assert len(found) == 1 and found[0].startswith(
        'SM702 error meta.secure of "customers.display": allow_derived names unknown member "frist"'
    )


def test_validate_explain_says_what_is_hidden_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DEMO_MODELS), "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    group = out[out.index("group eu_analyst:") : out.index("group analyst:")]
    assert "  orders: access_policy entry 2" in group
    assert "    orders.gross_amount: hidden by access_policy entry 2 of orders" in group
    assert (
        "    orders.net_revenue: hidden because it reads orders.gross_amount, hidden by access_policy entry 2 of orders"
    ) in group
    assert (
        "    orders.average_order_value: hidden because it reads orders.gross_amount, hidden by access_policy entry 2 "
        "of orders"
    ) in group
    assert (
        "    order_items.item_revenue: hidden because it reads order_items.discount, hidden by access_policy entry 1 "
        "of order_items"
    ) in group
    assert "    customers.email: masked (hash) by meta.secure of customers.email" in group
    assert "    sales.net_revenue: hidden, as orders.net_revenue is" in group
    assert "  customers: access_policy entry 3; rows filtered" in group
    assert not any("refunded" in line for line in group)
    admin = out[out.index("group admin:") + 1]
    assert admin == "  every member of every relation"


def test_validate_explain_shows_the_entries_conditions_lead_to(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(FIXTURES / "governed"), "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  accounts: access_policy entry 2 (when {user.clearance} >= 2); rows filtered" in out
    assert (
        "    accounts.well_paid: hidden because it reads accounts.salary, hidden by access_policy entry 2 of accounts"
    ) in out
    fallback = out.index("group regional, when the conditions before entry 3 of accounts fail:")
    assert out[fallback + 1] == "  accounts: access_policy entry 3; rows filtered"
    derived = FIXTURES / "derived"
    assert main(["validate", str(derived), "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        "    orders_again.amount: hidden because it reads orders_again.amount (the same source column as "
        "sales_orders.gross: src.orders.gross), hidden by access_policy entry 2 of sales_orders"
    ) in out
    assert "    sales_orders.top_gross: hidden because its lineage cannot be decided: it reads a subquery" in out


def test_every_rule_protecting_a_column_must_allow_a_member_for_it_to_stay() -> None:
    manifest = build_manifest(FIXTURES / "derived").manifest
    assert manifest is not None and manifest.lineage is not None
    both = frozenset({Source("customers", "first"), Source("customers", "last")})
    allows_first = Rule("rule A", "customers", frozenset({"first"}))
    allows_nothing = Rule("rule B", "customers")
    first = Candidate("customers", "first", "first")
    withheld = [
        Withheld(Candidate("customers", "full_name", "full_name"), Withholding.MASKED, allows_first, both),
        Withheld(Candidate("customers", "display", "display"), Withholding.MASKED, allows_nothing, both),
    ]
    decisions = derive(manifest.lineage, [first], withheld, restricted=True)
    assert decisions[first].hidden and decisions[first].rule == allows_nothing
    decisions = derive(manifest.lineage, [first], withheld[:1], restricted=True)
    assert not decisions[first].hidden
