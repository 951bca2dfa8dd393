"""Generate the demo data product's raw tables, deterministically, into a DuckDB file.

The same ``scale`` always produces the same rows, on any machine and any NumPy
version: values come from the raw 64-bit output of PCG64 (a stream NumPy keeps
stable), turned into integers and choices here rather than by NumPy's
distribution methods (whose streams may change between releases). All work is
vectorised; scale 1 builds in well under a second.

The file is written next to its final path and renamed into place, so a server
never opens a half-built database.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import duckdb
import numpy as np
import pyarrow as pa

SEED = 20261121
BASE_CUSTOMERS = 2_000
BASE_PRODUCTS = 120
BASE_ORDERS = 20_000

REGIONS = {
    "EU": ["Germany", "France", "Spain", "Italy", "Netherlands", "Poland", "Sweden"],
    "NA": ["United States", "Canada", "Mexico"],
    "APAC": ["Japan", "Australia", "India", "Singapore", "South Korea"],
    "LATAM": ["Brazil", "Argentina", "Chile", "Colombia"],
}
REGION_WEIGHTS = [0.35, 0.3, 0.2, 0.15]
SEGMENTS = ["consumer", "smb", "enterprise"]
SEGMENT_WEIGHTS = [0.7, 0.22, 0.08]
STATUSES = ["placed", "shipped", "returned", "cancelled"]
STATUS_WEIGHTS = [0.12, 0.72, 0.09, 0.07]
CHANNELS = ["web", "store", "app"]
CHANNEL_WEIGHTS = [0.5, 0.2, 0.3]
CATEGORIES = ["books", "electronics", "garden", "kitchen", "sports", "toys", "clothing", "beauty"]
FIRST_NAMES = [
    "Ada",
    "Ben",
    "Chloe",
    "Dario",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kenji",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Olsen",
    "Petrov",
    "Rossi",
    "Silva",
    "Tanaka",
    "Weber",
]
ADJECTIVES = ["Classic", "Compact", "Deluxe", "Eco", "Essential", "Pro", "Smart", "Ultra", "Vintage", "Wild"]
NOUNS = ["Kit", "Set", "Pack", "Box", "Edition", "Bundle", "Series", "Model"]
DOMAINS = ["example.com", "mail.example", "post.example", "inbox.example"]

# Days since 1970-01-01 for the date ranges below.
SIGNUP_START = np.datetime64("2021-01-01", "D").astype(np.int64)
SIGNUP_END = np.datetime64("2024-12-31", "D").astype(np.int64)
ORDER_START = np.datetime64("2023-01-01T00:00:00", "s").astype(np.int64)
ORDER_END = np.datetime64("2025-06-30T23:59:59", "s").astype(np.int64)


class Stream:
    """Deterministic vectorised draws built only on PCG64's raw output."""

    def __init__(self, seed: int, label: str) -> None:
        salt = sum(ord(c) * 31**i for i, c in enumerate(label)) % (2**32)
        self._bits = np.random.PCG64([seed, salt])

    def raw(self, n: int) -> np.ndarray:
        return self._bits.random_raw(n).astype(np.uint64)

    def uniform(self, n: int) -> np.ndarray:
        """Floats in [0, 1) with 53 random bits."""
        return (self.raw(n) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))

    def integers(self, n: int, low: int, high: int) -> np.ndarray:
        """Integers in [low, high] inclusive."""
        span = high - low + 1
        drawn: np.ndarray = np.floor(self.uniform(n) * span).astype(np.int64) + low  # numpy's arithmetic is untyped
        return drawn

    def choice(self, n: int, k: int, weights: Sequence[float] | None = None) -> np.ndarray:
        """Indices in [0, k) drawn with the given weights (uniform when None)."""
        if weights is None:
            return self.integers(n, 0, k - 1)
        cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
        cumulative /= cumulative[-1]
        return np.minimum(np.searchsorted(cumulative, self.uniform(n), side="right"), k - 1)


@dataclass(frozen=True)
class DemoSizes:
    customers: int
    products: int
    orders: int

    @classmethod
    def for_scale(cls, scale: float) -> DemoSizes:
        if scale <= 0:
            raise ValueError("scale must be positive")
        return cls(
            customers=max(10, round(BASE_CUSTOMERS * scale)),
            products=max(10, round(BASE_PRODUCTS * min(scale, 10))),
            orders=max(20, round(BASE_ORDERS * scale)),
        )


def _pick(values: Sequence[str], index: np.ndarray) -> np.ndarray:
    picked: np.ndarray = np.asarray(values, dtype=object)[index]  # numpy's indexing is untyped
    return picked


def _customers(sizes: DemoSizes) -> pa.Table:
    n = sizes.customers
    s = Stream(SEED, "customers")
    ids = np.arange(1, n + 1, dtype=np.int64)
    first = _pick(FIRST_NAMES, s.choice(n, len(FIRST_NAMES)))
    last = _pick(LAST_NAMES, s.choice(n, len(LAST_NAMES)))
    names = first + " " + last
    domains = _pick(DOMAINS, s.choice(n, len(DOMAINS)))
    emails = np.char.lower((first + "." + last).astype(str)).astype(object) + ids.astype(str).astype(object)
    emails = emails + "@" + domains
    region_index = s.choice(n, len(REGIONS), REGION_WEIGHTS)
    regions = _pick(list(REGIONS), region_index)
    country_draw = s.uniform(n)
    countries = np.empty(n, dtype=object)
    for position, options in enumerate(REGIONS.values()):
        mask = region_index == position
        countries[mask] = _pick(options, np.floor(country_draw[mask] * len(options)).astype(np.int64))
    phone_digits = s.integers(n, 1000000, 9999999).astype(str).astype(object)
    phones = "+1-555-" + phone_digits
    phones[s.uniform(n) < 0.06] = None  # some customers never gave a phone number
    segments = _pick(SEGMENTS, s.choice(n, len(SEGMENTS), SEGMENT_WEIGHTS))
    signup = s.integers(n, int(SIGNUP_START), int(SIGNUP_END)).astype("datetime64[D]")
    return pa.table(
        {
            "customer_id": ids,
            "name": pa.array(names, pa.string()),
            "email": pa.array(emails, pa.string()),
            "phone": pa.array(phones, pa.string()),
            "country": pa.array(countries, pa.string()),
            "region": pa.array(regions, pa.string()),
            "segment": pa.array(segments, pa.string()),
            "signup_date": pa.array(signup, pa.date32()),
        }
    )


def _products(sizes: DemoSizes) -> tuple[pa.Table, np.ndarray]:
    n = sizes.products
    s = Stream(SEED, "products")
    ids = np.arange(1, n + 1, dtype=np.int64)
    names = (
        _pick(ADJECTIVES, s.choice(n, len(ADJECTIVES)))
        + " "
        + _pick(NOUNS, s.choice(n, len(NOUNS)))
        + " "
        + ids.astype(str).astype(object)
    )
    categories = _pick(CATEGORIES, s.choice(n, len(CATEGORIES)))
    price_cents = s.integers(n, 299, 49999)
    table = pa.table(
        {
            "product_id": ids,
            "name": pa.array(names, pa.string()),
            "category": pa.array(categories, pa.string()),
            "unit_price_cents": price_cents,
        }
    )
    return table, price_cents


def _orders_and_items(sizes: DemoSizes, price_cents: np.ndarray) -> tuple[pa.Table, pa.Table]:
    s = Stream(SEED, "orders")
    n = sizes.orders
    order_ids = np.arange(1, n + 1, dtype=np.int64)
    # Skewed customers: a few buy often, some never (they still exist, with no orders).
    active = max(1, int(sizes.customers * 0.9))
    customer_ids = (np.floor(s.uniform(n) ** 1.6 * active)).astype(np.int64) + 1
    order_ts = s.integers(n, int(ORDER_START), int(ORDER_END)).astype("datetime64[s]")
    statuses = s.choice(n, len(STATUSES), STATUS_WEIGHTS)
    channels = _pick(CHANNELS, s.choice(n, len(CHANNELS), CHANNEL_WEIGHTS))

    lines_per_order = s.choice(n, 5, [0.35, 0.3, 0.18, 0.1, 0.07]) + 1
    item_order = np.repeat(order_ids, lines_per_order)
    m = item_order.size
    items = Stream(SEED, "order_items")
    product_ids = items.integers(m, 1, sizes.products)
    quantity = items.choice(m, 5, [0.55, 0.25, 0.1, 0.06, 0.04]) + 1
    unit_cents = price_cents[product_ids - 1]
    discounted = items.uniform(m) < 0.2
    discount_cents = np.where(discounted, (quantity * unit_cents * items.integers(m, 5, 15)) // 100, 0)
    line_cents = quantity * unit_cents - discount_cents

    gross_cents = np.bincount(item_order - 1, weights=line_cents, minlength=n).astype(np.int64)
    returned = statuses == STATUSES.index("returned")
    partial = (statuses == STATUSES.index("shipped")) & (s.uniform(n) < 0.05)
    refunded_cents = np.where(returned, gross_cents, 0)
    refunded_cents = np.where(partial, gross_cents * s.integers(n, 10, 50) // 100, refunded_cents)

    orders = pa.table(
        {
            "order_id": order_ids,
            "customer_id": customer_ids,
            "order_ts": pa.array(order_ts, pa.timestamp("s")),
            "status": pa.array(_pick(STATUSES, statuses), pa.string()),
            "channel": pa.array(channels, pa.string()),
            "gross_cents": gross_cents,
            "refunded_cents": refunded_cents.astype(np.int64),
        }
    )
    order_items = pa.table(
        {
            "order_item_id": np.arange(1, m + 1, dtype=np.int64),
            "order_id": item_order,
            "product_id": product_ids,
            "quantity": quantity.astype(np.int32),
            "unit_cents": unit_cents.astype(np.int64),
            "discount_cents": discount_cents.astype(np.int64),
        }
    )
    return orders, order_items


DDL = """
CREATE SCHEMA raw;
CREATE TABLE raw.customers (
    customer_id BIGINT PRIMARY KEY, name VARCHAR, email VARCHAR, phone VARCHAR, country VARCHAR,
    region VARCHAR, segment VARCHAR, signup_date DATE);
CREATE TABLE raw.products (
    product_id BIGINT PRIMARY KEY, name VARCHAR, category VARCHAR, unit_price DECIMAL(10,2));
CREATE TABLE raw.orders (
    order_id BIGINT PRIMARY KEY, customer_id BIGINT, order_ts TIMESTAMP, status VARCHAR, channel VARCHAR,
    gross_amount DECIMAL(12,2), refunded_amount DECIMAL(12,2));
CREATE TABLE raw.order_items (
    order_item_id BIGINT PRIMARY KEY, order_id BIGINT, product_id BIGINT, quantity INTEGER,
    unit_price DECIMAL(10,2), discount DECIMAL(10,2));
"""

# Money is generated in integer cents and converted exactly by the engine.
INSERTS = {
    "customers": "INSERT INTO raw.customers SELECT * FROM src",
    "products": "INSERT INTO raw.products SELECT product_id, name, category, "
    "(unit_price_cents::DECIMAL(18,0) / 100)::DECIMAL(10,2) FROM src",
    "orders": "INSERT INTO raw.orders SELECT order_id, customer_id, order_ts, status, channel, "
    "(gross_cents::DECIMAL(18,0) / 100)::DECIMAL(12,2), (refunded_cents::DECIMAL(18,0) / 100)::DECIMAL(12,2) "
    "FROM src",
    "order_items": "INSERT INTO raw.order_items SELECT order_item_id, order_id, product_id, quantity, "
    "(unit_cents::DECIMAL(18,0) / 100)::DECIMAL(10,2), (discount_cents::DECIMAL(18,0) / 100)::DECIMAL(10,2) "
    "FROM src",
}

Progress = Callable[[str, float], None]


def text_progress(stream: TextIO | None = None) -> Progress:
    """A one-line progress bar on stderr (redrawn in place on a terminal)."""
    out = stream or sys.stderr
    tty = getattr(out, "isatty", lambda: False)()

    def report(step: str, fraction: float) -> None:
        filled = int(fraction * 30)
        line = f"[{'#' * filled}{'.' * (30 - filled)}] {fraction * 100:3.0f}%  {step}"
        if tty:
            out.write("\r" + line.ljust(70) + ("\n" if fraction >= 1 else ""))
        else:
            out.write(line + "\n")
        out.flush()

    return report


def build_demo(path: Path | str, scale: float = 1.0, progress: Progress | None = None) -> DemoSizes:
    """Write the demo's raw tables to a DuckDB file at ``path``, replacing it atomically."""
    report = progress or (lambda step, fraction: None)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sizes = DemoSizes.for_scale(scale)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    report("customers", 0.05)
    customers = _customers(sizes)
    report("products", 0.2)
    products, price_cents = _products(sizes)
    report("orders and order items", 0.3)
    orders, order_items = _orders_and_items(sizes, price_cents)
    con = duckdb.connect(str(temporary))
    try:
        con.execute(DDL)
        steps = [
            ("customers", customers),
            ("products", products),
            ("orders", orders),
            ("order_items", order_items),
        ]
        for done, (name, table) in enumerate(steps, start=1):
            report(f"writing raw.{name} ({table.num_rows:,} rows)", 0.4 + 0.55 * done / len(steps))
            con.register("src", table)
            con.execute(INSERTS[name])
            con.unregister("src")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(temporary, path)
    report(f"done: {path}", 1.0)
    return sizes
