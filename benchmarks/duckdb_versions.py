"""Side-by-side measurement of DuckDB 1.5.5 against DuckDB 2.0.0 for Quiver.

Why this exists
---------------
Quiver pins ``duckdb==1.5.5`` because it is the newest release whose extension wheels on PyPI
(``duckdb-extension-tpch``, ``-iceberg``, ``-avro``, ``-postgres-scanner``) can be loaded with
``LOAD '<file>'`` on machines that reach only package registries: ``INSTALL x`` from DuckDB's own
extension repository cannot work there. DuckDB 2.0.0 was reported to run TPC-H Q1 about 1.8x faster,
but also to refuse those extension files. This script settles both claims in one reproducible run:

1. it builds two throwaway venvs under ``benchmarks/.cache/duckdb_versions/`` (gitignored), one with
   ``duckdb==1.5.5`` plus the four 1.5.5 extension wheels, one with ``duckdb==2.0.0`` plus the same
   extension wheels installed with ``--no-deps`` (their metadata pins ``duckdb==1.5.5``);
2. it records, per version, whether each extension file loads, with the exact error when it does not;
3. it generates TPC-H data once with 1.5.5 (``CALL dbgen``) and writes it to Parquet, so both versions
   read identical data, which each loads into native in-memory tables before any timing;
4. it times TPC-H Q1, Q6 and Q3 and a 1,000,000-row ``SELECT *`` fetched as an Arrow table, with the
   two versions interleaved query by query (each version lives in its own long-running subprocess of
   its own venv's python, driven over a JSON-lines pipe; only one runs at a time);
5. it writes ``benchmarks/results/duckdb_versions.json`` and ``.md`` with a description of the machine.

The same file is both the driver (run it with any Python 3.11) and the worker (``--worker``, run by the
driver with a venv's python). The driver imports nothing outside the standard library.

Usage::

    python benchmarks/duckdb_versions.py                # SF1, 1 warm-up, 5 timed repetitions
    python benchmarks/duckdb_versions.py --sf 0.1 --reps 3
    python benchmarks/duckdb_versions.py --fresh        # rebuild venvs and data from scratch
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

OLD_VERSION = "1.5.5"
NEW_VERSION = "2.0.0"
# The pyarrow used by Quiver's own venv when this script was written; the same in both venvs.
PYARROW_VERSION = "26.0.1"
# Load order matters: iceberg needs avro loaded first.
EXTENSIONS: tuple[tuple[str, str], ...] = (
    ("tpch", "duckdb-extension-tpch"),
    ("avro", "duckdb-extension-avro"),
    ("iceberg", "duckdb-extension-iceberg"),
    ("postgres_scanner", "duckdb-extension-postgres-scanner"),
)
TPCH_TABLES = ("lineitem", "orders", "customer", "part", "partsupp", "supplier", "nation", "region")
TPCH_QUERIES = (1, 6, 3)
ARROW_QUERY = "SELECT * FROM lineitem LIMIT 1000000"
# Both versions have ``to_arrow_table()``; 2.0.0 removed ``fetch_arrow_table()`` and ``arrow()`` from the
# DB-API result (1.5.5 already flags ``fetch_arrow_table()`` as deprecated), and ``arrow()`` on a relation
# returns a RecordBatchReader in both. So the Arrow fetch is timed both ways, with the same method name:
ARROW_WAYS = {
    "arrow_rel": "con.sql(q).to_arrow_table()",
    "arrow_dbapi": "con.execute(q).to_arrow_table()",
}

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = REPO_ROOT / "benchmarks" / ".cache" / "duckdb_versions"
DEFAULT_RESULTS = REPO_ROOT / "benchmarks" / "results"

Json = dict[str, Any]


# --------------------------------------------------------------------------------------------------
# Worker side: runs inside a venv's python, imports that venv's duckdb.
# --------------------------------------------------------------------------------------------------


def _extension_file(module_name: str) -> str | None:
    """Path of the ``.duckdb_extension`` file inside an installed extension wheel, if installed."""
    import importlib.util

    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(root.glob("extensions/*/*.duckdb_extension"))
    return str(files[0]) if files else None


def _connect(config: dict[str, str] | None = None) -> Any:
    import duckdb

    # Never let either version try the network (autoinstall) while we measure or probe.
    cfg: dict[str, str] = {"autoinstall_known_extensions": "false"}
    cfg.update(config or {})
    return duckdb.connect(":memory:", config=cfg)


def _try_load(con: Any, path: str) -> str | None:
    """LOAD one extension file; None on success, else the exact error ('Type: message')."""
    try:
        con.execute(f"LOAD '{path}'")
    except Exception as exc:  # the error text itself is the finding
        return f"{type(exc).__name__}: {exc}"
    return None


def worker_probe() -> Json:
    """Report the version, default threads and whether each extension wheel's file loads."""
    import duckdb

    con = _connect()
    out: Json = {
        "duckdb_version": duckdb.__version__,
        "python": sys.version.split()[0],
        "default_threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "extensions": {},
        # Arrow-related methods present, on a DB-API result and on a relation (2.0.0 removed some).
        "arrow_api": {
            "dbapi_result": sorted(m for m in dir(con.execute("SELECT 1")) if "arrow" in m),
            "relation": sorted(m for m in dir(con.sql("SELECT 1")) if "arrow" in m and not m.startswith("_")),
        },
    }
    for ext, dist in EXTENSIONS:
        module = dist.replace("-", "_")
        path = _extension_file(module)
        entry: Json = {"wheel": dist, "file": path}
        if path is None:
            entry.update(loaded=False, error=f"{module} is not installed in this venv")
            out["extensions"][ext] = entry
            continue
        error = _try_load(con, path)
        if error is None:
            row = con.execute(
                "SELECT loaded, extension_version FROM duckdb_extensions() WHERE extension_name = ?",
                [ext],
            ).fetchone()
            entry.update(loaded=bool(row and row[0]), error=None, extension_version=row and row[1])
            if ext == "tpch":
                n = con.execute("SELECT count(*) FROM tpch_queries()").fetchone()[0]
                entry["smoke"] = f"tpch_queries() rows: {n}"
        else:
            entry.update(loaded=False, error=error)
            # Is it only the signature check? Retry on a fresh connection that accepts unsigned files.
            try:
                con2 = _connect({"allow_unsigned_extensions": "true"})
                entry["error_with_allow_unsigned_extensions"] = _try_load(con2, path)
                con2.close()
            except Exception as exc:
                entry["error_with_allow_unsigned_extensions"] = f"{type(exc).__name__}: {exc}"
        out["extensions"][ext] = entry
    con.close()
    return out


def worker_generate(sf: float, data_dir: Path) -> Json:
    """Run dbgen once (this must be the version whose tpch wheel loads) and write Parquet + queries."""
    import duckdb

    path = _extension_file("duckdb_extension_tpch")
    if path is None:
        raise RuntimeError("duckdb-extension-tpch is not installed in this venv")
    con = _connect()
    con.execute(f"LOAD '{path}'")
    t0 = time.perf_counter()
    con.execute(f"CALL dbgen(sf={sf})")
    dbgen_s = time.perf_counter() - t0
    tmp = data_dir.with_name(data_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    rows: dict[str, int] = {}
    for table in TPCH_TABLES:
        con.execute(f"COPY {table} TO '{tmp / (table + '.parquet')}' (FORMAT parquet)")
        rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    queries = {
        str(nr): sql
        for nr, sql in con.execute("SELECT query_nr, query FROM tpch_queries() ORDER BY query_nr").fetchall()
    }
    meta: Json = {
        "sf": sf,
        "generated_by": f"duckdb {duckdb.__version__} + tpch extension wheel",
        "dbgen_seconds": round(dbgen_s, 3),
        "rows": rows,
        "queries": queries,
    }
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
    con.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    tmp.rename(data_dir)
    return meta


def _digest(rows: list[tuple[Any, ...]]) -> str:
    """Version-independent text of a small result, floats rounded, to compare answers across versions."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.6g}"
        return str(v)

    return "\n".join("|".join(cell(v) for v in row) for row in rows)


def worker_serve(data_dir: Path, threads: int, proto: IO[str]) -> None:
    """Load the Parquet data into native tables, report, then run one timed query per request."""
    import warnings

    import duckdb
    import pyarrow as pa

    con = _connect()
    default_threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET enable_progress_bar = false")
    meta = json.loads((data_dir / "meta.json").read_text())
    t0 = time.perf_counter()
    for table in TPCH_TABLES:
        source = data_dir / f"{table}.parquet"
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet('{source}')")
    load_s = time.perf_counter() - t0
    rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TPCH_TABLES}
    statements: dict[str, str] = {f"Q{n}": meta["queries"][str(n)] for n in TPCH_QUERIES}

    def send(msg: Json) -> None:
        proto.write(json.dumps(msg) + "\n")
        proto.flush()

    send(
        {
            "duckdb_version": duckdb.__version__,
            "pyarrow_version": pa.__version__,
            "python": sys.version.split()[0],
            "default_threads": default_threads,
            "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
            "memory_limit": con.execute("SELECT current_setting('memory_limit')").fetchone()[0],
            "parquet_to_native_seconds": round(load_s, 3),
            "rows": rows,
        }
    )
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "quit":
            break
        name: str = req["name"]
        result: Json = {"name": name}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if name in ARROW_WAYS:
                t0 = time.perf_counter()
                if name == "arrow_rel":
                    table = con.sql(ARROW_QUERY).to_arrow_table()
                else:
                    table = con.execute(ARROW_QUERY).to_arrow_table()
                elapsed = time.perf_counter() - t0
                if not isinstance(table, pa.Table):
                    raise TypeError(f"{ARROW_WAYS[name]} returned {type(table).__name__}, not pyarrow.Table")
                result["check"] = f"{table.num_rows} rows x {table.num_columns} cols"
                result["schema"] = ", ".join(f"{f.name}:{f.type}" for f in table.schema)
                del table
            else:
                t0 = time.perf_counter()
                fetched = con.execute(statements[name]).fetchall()
                elapsed = time.perf_counter() - t0
                result["check"] = _digest(fetched)
        result["seconds"] = elapsed
        result["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        send(result)
    con.close()


def worker_main(args: argparse.Namespace) -> None:
    # The protocol owns the real stdout; anything DuckDB or pip-installed code prints goes to stderr.
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    if args.worker == "probe":
        proto.write(json.dumps(worker_probe()) + "\n")
    elif args.worker == "generate":
        proto.write(json.dumps(worker_generate(args.sf, Path(args.data_dir))) + "\n")
    elif args.worker == "serve":
        worker_serve(Path(args.data_dir), args.threads, proto)
    proto.flush()


# --------------------------------------------------------------------------------------------------
# Driver side: standard library only.
# --------------------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[duckdb_versions {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def pip(venv: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [str(venv_python(venv)), "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def ensure_venv(cache: Path, version: str, fresh: bool) -> tuple[Path, Json]:
    """Create (or reuse) the venv for one DuckDB version; returns it and notes on how it was built."""
    venv = cache / f"venv-duckdb-{version}"
    marker = venv / "quiver-ready.json"
    if fresh:
        shutil.rmtree(venv, ignore_errors=True)
    if marker.exists():
        return venv, json.loads(marker.read_text())
    shutil.rmtree(venv, ignore_errors=True)
    log(f"creating venv for duckdb {version} in {venv}")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    wheels = [f"{dist}=={OLD_VERSION}" for _, dist in EXTENSIONS]
    notes: Json = {"venv": str(venv)}
    pip(venv, "install", "--quiet", f"duckdb=={version}", f"pyarrow=={PYARROW_VERSION}")
    if version == OLD_VERSION:
        pip(venv, "install", "--quiet", *wheels)
        notes["extension_wheels"] = "installed normally (their metadata requires duckdb==1.5.5)"
    else:
        # pip itself refuses the combination; record how, then install the files anyway to test LOAD.
        dry = pip(venv, "install", "--dry-run", f"duckdb=={version}", wheels[0], check=False)
        lines = [ln.strip() for ln in (dry.stdout + dry.stderr).splitlines()]
        keep = [ln for ln in lines if ln.startswith(("ERROR", "The conflict", "duckdb", "The user"))]
        notes["pip_resolver"] = {"exit_code": dry.returncode, "output": keep}
        pip(venv, "install", "--quiet", "--no-deps", *wheels)
        notes["extension_wheels"] = f"installed with --no-deps next to duckdb=={version}"
    freeze = pip(venv, "freeze").stdout.split()
    notes["freeze"] = [ln for ln in freeze if ln.lower().startswith(("duckdb", "pyarrow"))]
    notes["setup_seconds"] = round(time.perf_counter() - t0, 1)
    marker.write_text(json.dumps(notes, indent=2))
    return venv, notes


def run_worker_once(venv: Path, *args: str) -> Json:
    cmd = [str(venv_python(venv)), str(Path(__file__).resolve()), *args]
    proc = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


class Server:
    """A long-running worker subprocess holding one version's loaded database."""

    def __init__(self, label: str, venv: Path, data_dir: Path, threads: int) -> None:
        self.label = label
        cmd = [
            str(venv_python(venv)),
            str(Path(__file__).resolve()),
            "--worker",
            "serve",
            "--data-dir",
            str(data_dir),
            "--threads",
            str(threads),
        ]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.info = self._read()

    def _read(self) -> Json:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.label} exited with {self.proc.wait()}")
        return json.loads(line)

    def run(self, name: str) -> Json:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": "run", "name": name}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.close()
        self.proc.wait(timeout=120)


def machine_description() -> Json:
    def first(path: str, key: str) -> str | None:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            return None
        return None

    mem_kb = first("/proc/meminfo", "MemTotal")
    cpu_max = None
    with contextlib.suppress(OSError):
        cpu_max = Path("/sys/fs/cgroup/cpu.max").read_text().strip()
    return {
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "logical_cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cgroup_cpu_max": cpu_max,
        "ram_gib": round(int(mem_kb.split()[0]) / 1024**2, 1) if mem_kb else None,
        "kernel": platform.release(),
        "driver_python": sys.version.split()[0],
        "date_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def summarise(samples: list[float]) -> Json:
    return {
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "min_ms": round(min(samples) * 1000, 2),
        "samples_ms": [round(s * 1000, 2) for s in samples],
    }


def benchmark(servers: dict[str, Server], warmup: int, reps: int) -> Json:
    """Interleave versions query by query; alternate which version goes first on each repetition."""
    names = [f"Q{n}" for n in TPCH_QUERIES] + list(ARROW_WAYS)
    labels = list(servers)
    out: Json = {}
    for name in names:
        timings: dict[str, list[float]] = {lb: [] for lb in labels}
        checks: dict[str, str] = {}
        extras: dict[str, Json] = {lb: {} for lb in labels}
        for i in range(warmup + reps):
            order = labels if i % 2 == 0 else labels[::-1]
            for lb in order:
                res = servers[lb].run(name)
                checks.setdefault(lb, res["check"])
                if "schema" in res:
                    extras[lb]["arrow_schema"] = res["schema"]
                if res["warnings"]:
                    extras[lb]["warnings"] = res["warnings"]
                if i >= warmup:
                    timings[lb].append(res["seconds"])
        entry: Json = {lb: {**summarise(timings[lb]), **extras[lb]} for lb in labels}
        old, new = entry[OLD_VERSION], entry[NEW_VERSION]
        entry["ratio_median_new_over_old"] = round(new["median_ms"] / old["median_ms"], 3)
        entry["ratio_min_new_over_old"] = round(new["min_ms"] / old["min_ms"], 3)
        entry["same_result"] = checks[OLD_VERSION] == checks[NEW_VERSION]
        if name in ARROW_WAYS:  # LIMIT without ORDER BY: compare shape and schema, not rows
            schemas = {extras[lb].get("arrow_schema") for lb in labels}
            entry["same_result"] = entry["same_result"] and len(schemas) == 1
        if name in ARROW_WAYS:
            entry["check"] = {lb: checks[lb] for lb in labels}
        elif not entry["same_result"]:
            entry["check"] = checks
        out[name] = entry
        log(
            f"{name}: {OLD_VERSION} median {old['median_ms']} ms, "
            f"{NEW_VERSION} median {new['median_ms']} ms, ratio {entry['ratio_median_new_over_old']}"
        )
    return out


def render_markdown(r: Json) -> str:
    m = r["machine"]
    p = r["parameters"]
    lines = [
        "# DuckDB 1.5.5 vs 2.0.0",
        "",
        f"Generated by `benchmarks/duckdb_versions.py` on {m['date_utc']}; "
        f"script wall time {r['wall_seconds']['total']} s "
        f"(venv setup {r['wall_seconds']['venv_setup']} s, data {r['wall_seconds']['data']} s, "
        f"benchmark {r['wall_seconds']['benchmark']} s).",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu_model']}, {m['logical_cpus']} logical CPUs ({m['cpus_usable']} usable, "
        f"cgroup cpu.max `{m['cgroup_cpu_max']}`)",
        f"- RAM: {m['ram_gib']} GiB; kernel {m['kernel']}; driver Python {m['driver_python']}",
        "",
        "## Parameters",
        "",
        f"- TPC-H SF {p['sf']}, generated once by duckdb {OLD_VERSION} (`CALL dbgen`), written to Parquet, "
        "loaded by each version into native in-memory tables before timing",
        f"- {p['warmup']} warm-up + {p['reps']} timed repetitions per query, versions interleaved "
        "(alternating which goes first); time = execute + fetch of the full result, inside the worker",
        f"- `arrow_rel` / `arrow_dbapi` = `{ARROW_QUERY}` fetched as a `pyarrow.Table` by "
        f"`{ARROW_WAYS['arrow_rel']}` / `{ARROW_WAYS['arrow_dbapi']}`",
        "",
        "| version | python | pyarrow | default threads | threads used | memory_limit | parquet→native load |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for v, info in r["workers"].items():
        lines.append(
            f"| {v} | {info['python']} | {info['pyarrow_version']} | {info['default_threads']} | "
            f"{info['threads']} | {info['memory_limit']} | {info['parquet_to_native_seconds']} s |"
        )
    lines += [
        "",
        "## Timings (ms)",
        "",
        f"Ratio = {NEW_VERSION} time / {OLD_VERSION} time: below 1 means {NEW_VERSION} is faster.",
        "",
        f"| query | {OLD_VERSION} median | {OLD_VERSION} min | {NEW_VERSION} median | {NEW_VERSION} min "
        "| ratio (median) | ratio (min) | same answer |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, e in r["timings"].items():
        o, n = e[OLD_VERSION], e[NEW_VERSION]
        same = "yes" if e["same_result"] else "**NO**"
        if name in ARROW_WAYS:
            same += " (shape + schema)"
        lines.append(
            f"| {name} | {o['median_ms']} | {o['min_ms']} | {n['median_ms']} | {n['min_ms']} | "
            f"{e['ratio_median_new_over_old']} | {e['ratio_min_new_over_old']} | {same} |"
        )
    lines += ["", "Arrow fetch:"]
    for name in ARROW_WAYS:
        arrow = r["timings"][name]
        for v in (OLD_VERSION, NEW_VERSION):
            lines.append(f"- {name}, {v}: {arrow['check'][v]}; schema `{arrow[v].get('arrow_schema')}`")
    for v, probe in r["probes"].items():
        api = probe["arrow_api"]
        lines.append(
            f"- {v} Arrow methods: DB-API result `{', '.join(api['dbapi_result'])}`; "
            f"relation `{', '.join(api['relation'])}`"
        )
    warned = [
        (q, v, w) for q, e in r["timings"].items() for v in (OLD_VERSION, NEW_VERSION) for w in e[v].get("warnings", [])
    ]
    for q, v, w in warned:
        lines.append(f"- warning in {v} on {q}: `{w}`")
    lines += [
        "",
        "## Extension wheels (1.5.5) loaded with `LOAD '<file in site-packages>'`",
        "",
        "| extension | " + " | ".join(r["probes"]) + " |",
        "| --- | " + " | ".join("---" for _ in r["probes"]) + " |",
    ]
    for ext, _ in EXTENSIONS:
        cells = []
        for probe in r["probes"].values():
            e = probe["extensions"][ext]
            if e["loaded"]:
                cells.append(f"yes ({e.get('extension_version')})")
            else:
                cells.append(f"no: `{e['error']}`")
        lines.append(f"| {ext} | " + " | ".join(cells) + " |")
    for v, probe in r["probes"].items():
        for ext, e in probe["extensions"].items():
            if "error_with_allow_unsigned_extensions" in e:
                again = e["error_with_allow_unsigned_extensions"]
                lines.append(
                    f"\n{v} / {ext} with `allow_unsigned_extensions=true`: "
                    + (f"still fails: `{again}`" if again else "loads")
                )
    resolver = r["venvs"][NEW_VERSION].get("pip_resolver")
    if resolver:
        lines += [
            "",
            f"pip itself on `duckdb=={NEW_VERSION}` + `duckdb-extension-tpch=={OLD_VERSION}` "
            f"(exit {resolver['exit_code']}):",
            "",
            "```",
            *resolver["output"],
            "```",
        ]
    # Paths inside the repo are shown relative to it.
    return "\n".join(lines).replace(str(REPO_ROOT) + "/", "") + "\n"


def driver_main(args: argparse.Namespace) -> None:
    t_start = time.perf_counter()
    cache: Path = args.cache_dir
    cache.mkdir(parents=True, exist_ok=True)
    results_dir: Path = args.results_dir
    results_dir.mkdir(parents=True, exist_ok=True)

    venvs: dict[str, Path] = {}
    venv_notes: Json = {}
    for version in (OLD_VERSION, NEW_VERSION):
        venvs[version], venv_notes[version] = ensure_venv(cache, version, args.fresh)
    t_venvs = time.perf_counter()

    log("probing extension loading in each version")
    probes = {v: run_worker_once(venvs[v], "--worker", "probe") for v in (OLD_VERSION, NEW_VERSION)}

    data_dir = cache / f"tpch-sf{args.sf:g}"
    if args.fresh or not (data_dir / "meta.json").exists():
        log(f"generating TPC-H SF{args.sf:g} with duckdb {OLD_VERSION} into {data_dir}")
        gen = ("--worker", "generate", "--sf", str(args.sf), "--data-dir", str(data_dir))
        run_worker_once(venvs[OLD_VERSION], *gen)
    data_meta = json.loads((data_dir / "meta.json").read_text())
    t_data = time.perf_counter()

    servers: dict[str, Server] = {}
    try:
        for version in (OLD_VERSION, NEW_VERSION):  # one after the other: loads do not compete for CPU
            log(f"starting {version} worker (parquet -> native tables)")
            servers[version] = Server(version, venvs[version], data_dir, args.threads)
        t_loaded = time.perf_counter()
        timings = benchmark(servers, args.warmup, args.reps)
    finally:
        for s in servers.values():
            s.close()
    t_end = time.perf_counter()

    results: Json = {
        "machine": machine_description(),
        "parameters": {"sf": args.sf, "warmup": args.warmup, "reps": args.reps, "threads": args.threads},
        "wall_seconds": {
            "total": round(t_end - t_start, 1),
            "venv_setup": round(t_venvs - t_start, 1),
            "data": round(t_data - t_venvs, 1),
            "worker_start_and_load": round(t_loaded - t_data, 1),
            "benchmark": round(t_end - t_loaded, 1),
        },
        "venvs": venv_notes,
        "data": {k: v for k, v in data_meta.items() if k != "queries"} | {"dir": str(data_dir)},
        "workers": {v: s.info for v, s in servers.items()},
        "probes": probes,
        "timings": timings,
    }
    (results_dir / "duckdb_versions.json").write_text(json.dumps(results, indent=2) + "\n")
    (results_dir / "duckdb_versions.md").write_text(render_markdown(results))
    log(f"wrote {results_dir / 'duckdb_versions.json'} and .md in {results['wall_seconds']['total']} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sf", type=float, default=1.0, help="TPC-H scale factor (default 1)")
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions per query (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed warm-up runs per query (default 1)")
    parser.add_argument(
        "--threads",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="DuckDB threads for both versions (default: CPUs usable by this process)",
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="venvs and Parquet data")
    parser.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--fresh", action="store_true", help="rebuild the venvs and the data")
    parser.add_argument("--worker", choices=("probe", "generate", "serve"), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
    else:
        driver_main(args)


if __name__ == "__main__":
    main()
