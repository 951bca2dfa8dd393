"""What a hostile client may never see, and how much memory a server holds: shared by fuzz tests and the soak.

Issue 9's oracle for every abusive case, on every channel: an error carries a
SQLSTATE, is not an internal error (XX000; when one happens its message is only a
request id), and shows no traceback, stack frame or server file path.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LEAKS = (
    ("traceback", re.compile(r"Traceback \(most recent call last\)")),
    ("stack frame", re.compile(r'File "[^"]*", line \d+')),
    ("Python file path", re.compile(r"(?:/[\w.@+-]+)+\.py\b")),
    ("server directory", re.compile(re.escape(str(ROOT)))),
    ("site-packages path", re.compile(r"site-packages")),
)
INTERNAL_MESSAGE = re.compile(r"internal error \(request id [0-9a-zA-Z-]+\)")
SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")


def leaks(text: str) -> list[str]:
    """The kinds of server internals that ``text`` shows (empty: none)."""
    return [what for what, pattern in LEAKS if pattern.search(text)]


def judge_error(fields: dict[str, str]) -> list[str]:
    """What is wrong with one PostgreSQL ErrorResponse (fields by code), as sentences (empty: nothing)."""
    problems = []
    code = fields.get("C")
    if code is None or not SQLSTATE.match(code):
        problems.append(f"error without a SQLSTATE: {fields}")
    if not fields.get("M"):
        problems.append(f"error without a message: {fields}")
    if "S" not in fields:
        problems.append(f"error without a severity: {fields}")
    if code == "XX000":
        message = fields.get("M", "")
        shape = "" if INTERNAL_MESSAGE.fullmatch(message) else ", and more than a request id in the message"
        problems.append(f"internal error XX000{shape}: {message[:200]!r}")
    for name in ("M", "D", "H"):
        text = fields.get(name, "")
        problems += [f"{what} in field {name}: {text[:300]!r}" for what in leaks(text)]
    return problems


def process_tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (a server's workers and Flight process), from /proc."""
    return sum(process_tree_rss_by_pid(pid).values())


def process_tree_rss_by_pid(pid: int) -> dict[int, int]:
    """Resident bytes of ``pid`` and of each of its descendants, by process id, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    sizes: dict[int, int] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[current] = int(line.split()[1]) * 1024
    return sizes
