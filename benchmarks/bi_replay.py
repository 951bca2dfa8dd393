"""Replay what BI tools send against Quiver and a real PostgreSQL, and count what Quiver refuses or gets wrong.

    python benchmarks/bi_replay.py          # writes benchmarks/results/bi_replay.{json,md}

Starts ``quiver serve`` over the demo data product (scale 1) and a throwaway
PostgreSQL (as the wire benchmark does), replays the corpus of
``tests/fixtures/bi_replay/corpus.py`` and counts, per family and overall:

* catalog statements PostgreSQL answers and Quiver refuses (issue 11's target: 3 or fewer);
* semantic statements refused for reasons other than Quiver's documented rules
  (documented = an error with a hint in a rule's SQLSTATE: 42803, 0A000, 42501, 53400,
  42P10, 25006; see ``tests/fixtures/bi_replay/replay.py``);
* answers that differ (from PostgreSQL's shape, or from the reference SQL over the raw tables);
* hangs (no answer within the per-statement timeout);
* errors whose text shows DuckDB's own phrasing (must be none).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import psycopg  # noqa: E402

from benchmarks.harness import machine, machine_markdown, write_results  # noqa: E402
from server.demo.generate import build_demo  # noqa: E402
from tests.fixtures.bi_replay.corpus import CATALOG, SEMANTIC  # noqa: E402
from tests.fixtures.bi_replay.replay import TIMEOUT_SECONDS, Outcome, replay  # noqa: E402
from tests.integration.conftest import start_server, stop_server  # noqa: E402
from tests.support.postgres import running_postgres  # noqa: E402

KINDS = ("same", "differs", "refused", "documented", "both-refuse", "pg-refuses", "hang")


def counts(outcomes: list[Outcome]) -> dict[str, Any]:
    """Outcome kinds overall and per family."""
    per_family: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in outcomes:
        per_family[outcome.statement.family][outcome.kind] += 1
    overall = Counter(o.kind for o in outcomes)
    return {
        "statements": len(outcomes),
        "engine_text_leaks": sum(1 for o in outcomes if o.leak),
        "overall": {k: overall.get(k, 0) for k in KINDS},
        "families": {f: {k: c.get(k, 0) for k in KINDS if c.get(k)} for f, c in sorted(per_family.items())},
    }


def detail(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    return [
        {
            "id": o.statement.id,
            "tool": o.statement.tool,
            "family": o.statement.family,
            "outcome": o.kind,
            "sqlstate": o.sqlstate,
            "why": o.why[:300],
            "leak": o.leak,
        }
        for o in outcomes
    ]


def markdown(data: dict[str, Any]) -> str:
    lines = ["# BI-tool replay", "", machine_markdown(data["machine"]), ""]
    for part in ("catalog", "semantic"):
        section = data[part]
        lines += [f"## {part.capitalize()} statements ({section['statements']})", ""]
        lines += ["| family | " + " | ".join(KINDS) + " |", "|---" * (len(KINDS) + 1) + "|"]
        for family, kinds in section["families"].items():
            lines.append(f"| {family} | " + " | ".join(str(kinds.get(k, 0)) for k in KINDS) + " |")
        lines.append("| **all** | " + " | ".join(str(section["overall"][k]) for k in KINDS) + " |")
        lines.append("")
    lines += [
        "## Targets (issue 11)",
        "",
        f"- catalog statements PostgreSQL answers and Quiver refuses: {data['catalog']['overall']['refused']}"
        " (target: 3 or fewer)",
        f"- semantic statements refused for reasons other than documented rules: "
        f"{data['semantic']['overall']['refused']} (target: a quarter of the count before the fixes)",
        f"- answers that differ: {data['catalog']['overall']['differs'] + data['semantic']['overall']['differs']}",
        f"- hangs: {data['catalog']['overall']['hang'] + data['semantic']['overall']['hang']} (target: 0)",
        f"- errors showing the engine's own text: "
        f"{data['catalog']['engine_text_leaks'] + data['semantic']['engine_text_leaks']} (target: 0)",
        "",
        "## Statements that fall short",
        "",
        "| statement | family | outcome | why |",
        "|---|---|---|---|",
    ]
    for row in data["statements"]:
        if row["outcome"] in ("differs", "refused", "hang", "documented"):
            why = row["why"].replace("|", "\\|").replace("\n", " ")[:160]
            lines.append(f"| {row['id']} | {row['family']} | {row['outcome']} {row['sqlstate']} | {why} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, help="per-statement timeout, seconds")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="quiver-bi-replay-") as tmp:
        directory = Path(tmp)
        demo = directory / "demo.duckdb"
        build_demo(demo, scale=1.0)
        server = start_server(directory, demo, "--workers", "1")
        try:
            with running_postgres() as pg, duckdb.connect(str(demo), read_only=True) as raw:

                def quiver() -> psycopg.Connection[Any]:
                    return psycopg.connect(server.dsn("admin"), autocommit=True)

                def postgres() -> psycopg.Connection[Any]:
                    return psycopg.connect(pg.dsn, autocommit=True)

                catalog = replay(CATALOG, quiver, postgres, None, args.timeout)
                semantic = replay(SEMANTIC, quiver, None, raw, args.timeout)
        finally:
            stop_server(server)
    data = {
        "machine": machine(),
        "timeout_seconds": args.timeout,
        "seconds": round(time.monotonic() - started, 1),
        "documented_refusal": "an error carrying a hint whose SQLSTATE is one of 42803, 0A000, 42501, 53400, 42P10, "
        "25006 (Quiver's rules: measure misuse, refused constructs, policies, limits)",
        "catalog": counts(catalog),
        "semantic": counts(semantic),
        "statements": detail(catalog) + detail(semantic),
    }
    json_path, _ = write_results("bi_replay", data, markdown(data))
    print(markdown(data))
    print(f"\nwrote {json_path}")


if __name__ == "__main__":
    main()
