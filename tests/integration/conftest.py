"""Integration fixtures: a real ``quiver serve`` process on a free port, over a copy of the demo data.

Every integration test talks to the server the way a user's client does: over
TCP on 127.0.0.1, authenticating as one of the demo users with its password.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]

# The demo users and their passwords (documented in the README; the users file holds only SCRAM verifiers).
DEMO_PASSWORDS = {
    "admin": "admin-pass",
    "analyst": "analyst-pass",
    "eu_analyst": "eu-analyst-pass",
    "guest": "guest-pass",
}


@dataclass
class QuiverServer:
    host: str
    port: int
    database_file: Path
    process: subprocess.Popen[bytes]
    log: Path
    flight_port: int = 0
    audit_log: Path | None = None
    passwords: dict[str, str] = field(default_factory=lambda: dict(DEMO_PASSWORDS))
    dbname: str = "quiver"

    @property
    def flight_location(self) -> str:
        return f"grpc://{self.host}:{self.flight_port}"

    def dsn(self, user: str = "admin") -> str:
        """A libpq connection string (psycopg, psql)."""
        return f"host={self.host} port={self.port} user={user} password={self.passwords[user]} dbname={self.dbname}"

    def url(self, user: str = "admin", scheme: str = "postgresql") -> str:
        """A URL (SQLAlchemy, asyncpg, ADBC, node pg)."""
        return f"{scheme}://{user}:{self.passwords[user]}@{self.host}:{self.port}/{self.dbname}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"quiver serve exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError("quiver serve did not start listening in time")


def start_server(directory: Path, demo_db: Path, *extra: str) -> QuiverServer:
    database = directory / "orders.duckdb"
    shutil.copyfile(demo_db, database)
    port = free_port()
    flight_port = free_port()
    log = directory / "server.log"
    audit = directory / "audit.jsonl"
    command = [
        sys.executable,
        "-m",
        "server.cli",
        "serve",
        "--pg-host",
        "127.0.0.1",
        "--pg-port",
        str(port),
        "--database",
        str(database),
        "--flight-port",
        str(flight_port),
        *extra,
    ]
    environment = {**os.environ, "QUIVER_AUDIT_LOG": str(audit)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=environment)
    try:
        wait_for_port("127.0.0.1", port, process)
        wait_for_port("127.0.0.1", flight_port, process)
    except RuntimeError as exc:
        process.kill()
        raise RuntimeError(f"{exc}\n{log.read_text(errors='replace')}") from None
    return QuiverServer("127.0.0.1", port, database, process, log, flight_port, audit)


def stop_server(server: QuiverServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def quiver_server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[QuiverServer]:
    server = start_server(tmp_path_factory.mktemp("quiver"), demo_db, "--workers", "1")
    yield server
    stop_server(server)
