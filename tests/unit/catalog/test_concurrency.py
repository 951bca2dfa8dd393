"""A fresh catalog answers queries from many threads at once (tables are created on first use, once)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from server.catalog.catalog import Catalog
from server.semantic.model import Manifest
from server.sql.parser import parse_statement
from server.sql.session_info import SessionInfo

QUERIES = (
    ("SELECT count(*) FROM pg_class WHERE relnamespace = 2200", 10),  # 6 relations, 4 primary key indexes
    ("SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attnum > 0", 18),
    ("SELECT count(*) FROM information_schema.columns WHERE table_name = 'sales'", 31),
    ("SELECT count(*) FROM pg_type WHERE typname = 'int4'", 1),
    ("SELECT count(*) FROM pg_description WHERE col_description(objoid, objsubid) IS NOT NULL", 99),
)


def test_parallel_first_queries_agree(manifest: Manifest) -> None:
    catalog = Catalog(manifest, manifest.relations)
    session = SessionInfo()

    def run(index: int) -> tuple[int, int]:
        sql, _ = QUERIES[index % len(QUERIES)]
        return index % len(QUERIES), catalog.execute(parse_statement(sql), session).column(0)[0].as_py()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(40)))
    assert all(count == QUERIES[index][1] for index, count in results)
