"""Settings: one table of names, environment variables, defaults and meanings.

Every setting is a field of :class:`Settings` with its environment variable and
description in the field's metadata. The README's settings table is checked
against this list by a test, so a setting cannot exist undocumented.
Command-line flags override the environment, which overrides the defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_MODELS = PROJECT_ROOT / "semantic_models" / "orders"
DEMO_USERS = DEMO_MODELS / "users.yml"


def setting(default: Any, env: str, description: str) -> Any:
    return field(default=default, metadata={"env": env, "description": description})


@dataclass(frozen=True)
class Settings:
    models: Path = setting(DEMO_MODELS, "QUIVER_MODELS", "Model directory to serve (Lens layout).")
    database: Path = setting(
        Path(".quiver/orders.duckdb"),
        "QUIVER_DATABASE",
        "DuckDB file the models read; the demo file is built on first use if missing.",
    )
    demo_scale: float = setting(1.0, "QUIVER_DEMO_SCALE", "Size of the generated demo data (1 = 20,000 orders).")
    model_dialect: str = setting("duckdb", "QUIVER_MODEL_DIALECT", "SQL dialect the model's SQL is written in.")
    threads: int = setting(0, "QUIVER_THREADS", "DuckDB worker threads (0 = DuckDB's default: all cores).")
    plan_cache_size: int = setting(4096, "QUIVER_PLAN_CACHE_SIZE", "Compiled queries kept for reuse.")
    catalog_cache_size: int = setting(
        64,
        "QUIVER_CATALOG_CACHE_SIZE",
        "Catalogs kept per worker, one per model version and set of visible relations (each an in-memory DuckDB).",
    )
    statement_timeout: float = setting(
        0.0, "QUIVER_STATEMENT_TIMEOUT", "Default statement timeout in seconds (0 = none)."
    )
    users: Path | None = setting(
        None, "QUIVER_USERS", "Users file (SCRAM verifiers, roles, attributes); the demo's when serving the demo."
    )
    database_name: str = setting("quiver", "QUIVER_DATABASE_NAME", "Database name clients connect to.")
    pg_host: str = setting("127.0.0.1", "QUIVER_PG_HOST", "Address the PostgreSQL wire server listens on.")
    pg_port: int = setting(15432, "QUIVER_PG_PORT", "Port of the PostgreSQL wire server.")
    auth: str = setting(
        "scram-sha-256", "QUIVER_AUTH", "Authentication: scram-sha-256, md5, password (cleartext) or trust."
    )
    tls_cert: Path | None = setting(None, "QUIVER_TLS_CERT", "TLS certificate (PEM); enables SSLRequest 'S'.")
    tls_key: Path | None = setting(None, "QUIVER_TLS_KEY", "TLS private key (PEM).")
    workers: int = setting(0, "QUIVER_WORKERS", "Worker processes sharing the port (0 = one per core).")
    max_connections: int = setting(100, "QUIVER_PG_MAX_CONNECTIONS", "Most concurrent wire connections.")
    idle_timeout: float = setting(
        0.0, "QUIVER_PG_IDLE_TIMEOUT", "Close a wire connection idle this many seconds (0 = never)."
    )
    max_message_bytes: int = setting(
        64 * 1024 * 1024, "QUIVER_PG_MAX_MESSAGE_BYTES", "Largest protocol message accepted."
    )
    flight_host: str = setting("127.0.0.1", "QUIVER_FLIGHT_HOST", "Address the Arrow Flight server listens on.")
    flight_port: int = setting(8815, "QUIVER_FLIGHT_PORT", "Port of the Arrow Flight server (0 = no Flight server).")
    mask_secret: str = setting(
        "",
        "QUIVER_MASK_SECRET",
        "Key of the hash mask (HMAC-SHA-256). Empty: a random key per server start, so hashes change on restart.",
    )
    max_result_rows: int = setting(
        0, "QUIVER_MAX_RESULT_ROWS", "Most rows one query may return (0 = no limit); more fails with 53400."
    )
    max_concurrent_queries: int = setting(
        0, "QUIVER_MAX_CONCURRENT_QUERIES", "Queries one user may run at once per worker (0 = no limit)."
    )
    memory_limit: str = setting(
        "auto",
        "QUIVER_MEMORY_LIMIT",
        "Memory each engine process may use for queries (e.g. 2GB); auto = half the RAM over the processes.",
    )
    auth_timeout: float = setting(
        10.0, "QUIVER_AUTH_TIMEOUT", "Seconds a connection may take from connecting to being authenticated."
    )
    max_unauthenticated: int = setting(
        128, "QUIVER_MAX_UNAUTHENTICATED", "Most connections not yet authenticated, per worker process."
    )
    max_unauthenticated_per_address: int = setting(
        64,
        "QUIVER_MAX_UNAUTHENTICATED_PER_ADDRESS",
        "Most connections not yet authenticated from one client address, per worker process.",
    )
    shutdown_grace: float = setting(
        10.0, "QUIVER_SHUTDOWN_GRACE", "Seconds running queries may take to finish after SIGTERM before they are cut."
    )
    max_query_bytes: int = setting(
        4 * 1024 * 1024, "QUIVER_MAX_QUERY_BYTES", "Longest statement text accepted (longer: 54001)."
    )
    flight_max_prepared: int = setting(
        64, "QUIVER_FLIGHT_MAX_PREPARED", "Open Flight SQL prepared statements per user (more: 53400)."
    )
    flight_ticket_lifetime: float = setting(
        3600.0, "QUIVER_FLIGHT_TICKET_LIFETIME", "Seconds a Flight ticket stays valid after it was issued."
    )
    audit_log: Path = setting(
        Path(".quiver/audit.jsonl"), "QUIVER_AUDIT_LOG", "JSON-lines audit file, one record per query (off = none)."
    )

    @property
    def audit_path(self) -> Path | None:
        return None if str(self.audit_log).lower() in ("", "off", "none") else Path(self.audit_log)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        environ = dict(os.environ) if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = environ.get(item.metadata["env"])
            if raw is not None and raw != "":
                values[item.name] = _convert(item.default, raw)
        settings = cls(**values)
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **{k: _convert(getattr(settings, k), v) for k, v in given.items()})

    @property
    def is_demo(self) -> bool:
        return Path(self.models).resolve() == DEMO_MODELS.resolve()

    @property
    def users_file(self) -> Path:
        if self.users is not None:
            return Path(self.users)
        return DEMO_USERS if self.is_demo else Path("users.yml")


def _convert(default: Any, raw: Any) -> Any:
    if isinstance(default, Path) or (default is None and isinstance(raw, str | Path)):
        return Path(raw)
    if isinstance(default, bool):
        return str(raw).lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def documented_settings() -> list[tuple[str, str, Any, str]]:
    """(field, environment variable, default, description) for every setting."""
    return [(f.name, f.metadata["env"], f.default, f.metadata["description"]) for f in fields(Settings)]
