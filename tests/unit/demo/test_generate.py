"""The demo data is deterministic, consistent and sized by --scale."""

from __future__ import annotations

from pathlib import Path

import duckdb

from server.demo.generate import DemoSizes, build_demo

FINGERPRINT = "SELECT COUNT(*), SUM(hash(t)) FROM raw.{table} t"
TABLES = ("customers", "products", "orders", "order_items")


def fingerprint_of(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return [con.execute(FINGERPRINT.format(table=t)).fetchone() for t in TABLES]


def fingerprint(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return fingerprint_of(con)
    finally:
        con.close()


def test_same_scale_same_rows(tmp_path: Path, raw: duckdb.DuckDBPyConnection) -> None:
    again = tmp_path / "again.duckdb"
    build_demo(again, scale=1.0)
    assert fingerprint(again) == fingerprint_of(raw)


def test_scale_sets_the_size(tmp_path: Path) -> None:
    path = tmp_path / "small.duckdb"
    sizes = build_demo(path, scale=0.1)
    assert sizes == DemoSizes.for_scale(0.1) == DemoSizes(customers=200, products=12, orders=2000)
    counts = [row[0] for row in fingerprint(path)]
    assert counts[:3] == [200, 12, 2000]


def test_invariants_of_the_demo(raw: duckdb.DuckDBPyConnection) -> None:
    q = raw.execute
    assert q("SELECT DISTINCT region FROM raw.customers ORDER BY 1").fetchall() == [
        ("APAC",),
        ("EU",),
        ("LATAM",),
        ("NA",),
    ]
    assert q("SELECT DISTINCT segment FROM raw.customers ORDER BY 1").fetchall() == [
        ("consumer",),
        ("enterprise",),
        ("smb",),
    ]
    assert q("SELECT DISTINCT status FROM raw.orders ORDER BY 1").fetchall() == [
        ("cancelled",),
        ("placed",),
        ("returned",),
        ("shipped",),
    ]
    # An order's gross amount is the sum of its lines; returned orders are fully refunded.
    mismatched = q(
        "SELECT COUNT(*) FROM raw.orders o JOIN (SELECT order_id, SUM(quantity * unit_price - discount) AS s "
        "FROM raw.order_items GROUP BY 1) i USING (order_id) WHERE o.gross_amount <> i.s"
    ).fetchone()
    assert mismatched == (0,)
    assert q(
        "SELECT COUNT(*) FROM raw.orders WHERE status = 'returned' AND refunded_amount <> gross_amount"
    ).fetchone() == (0,)
    # Some customers never ordered, some have no phone: the demo exercises LEFT JOINs and NULLs.
    assert (
        q(
            "SELECT COUNT(*) FROM raw.customers c WHERE NOT EXISTS "
            "(SELECT 1 FROM raw.orders o WHERE o.customer_id = c.customer_id)"
        ).fetchone()[0]
        > 0
    )
    assert q("SELECT COUNT(*) FROM raw.customers WHERE phone IS NULL").fetchone()[0] > 0
