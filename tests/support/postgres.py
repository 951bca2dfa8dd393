"""A throwaway real PostgreSQL server from Debian's packages, on a free loopback port.

Used where a test or benchmark needs the real thing: the reference in the wire
benchmark, and the source of expected result shapes for the introspection
corpus. ``initdb`` refuses to run as root, so when the tests run as root the
server runs as the ``postgres`` system user (created by the Debian package).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BIN_CANDIDATES = ("/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")


def find_bin() -> Path | None:
    for candidate in BIN_CANDIDATES:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    database: str
    data_dir: Path

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user={self.user} password={self.password} dbname={self.database}"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    if owner is None:
        return command
    return ["runuser", "-u", owner, "--", *command]


@contextlib.contextmanager
def running_postgres(
    *, user: str = "bench", password: str = "bench", database: str = "bench", settings: dict[str, str] | None = None
) -> Iterator[PostgresServer]:
    """Start a fresh cluster (SCRAM-SHA-256 on loopback), yield it, stop and delete it."""
    bin_dir = find_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    owner = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="quiver-pg-"))
    data = base / "data"
    socket_dir = base / "sock"
    socket_dir.mkdir()
    pwfile = base / "pw"
    pwfile.write_text(password + "\n")
    if owner is not None:
        entry = pwd.getpwnam(owner)
        for path in (base, socket_dir, pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = free_port()
    try:
        subprocess.run(
            _as_owner(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    user,
                    f"--pwfile={pwfile}",
                    "-A",
                    "scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ],
                owner,
            ),
            check=True,
            capture_output=True,
        )
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(port),
            "unix_socket_directories": str(socket_dir),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            **(settings or {}),
        }
        option_text = " ".join(f"-c {k}={v}" for k, v in options.items())
        subprocess.run(
            _as_owner(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", option_text, "-l", str(base / "log"), "-w", "start"],
                owner,
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_owner(
                [
                    str(bin_dir / "psql"),
                    "-h",
                    str(socket_dir),
                    "-p",
                    str(port),
                    "-U",
                    user,
                    "-d",
                    "postgres",
                    "-c",
                    f"CREATE DATABASE {database}",
                ],
                owner,
            ),
            check=True,
            capture_output=True,
            env={**os.environ, "PGPASSWORD": password},
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.05)
        yield PostgresServer("127.0.0.1", port, user, password, database, data)
    finally:
        if data.exists():
            subprocess.run(
                _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], owner),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(base, ignore_errors=True)
