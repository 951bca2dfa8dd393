"""The type checker's reach stays whole: `./dev test` runs mypy, and these checks keep it from being
quietly narrowed (a package dropped, a module's errors switched off, an uncoded ``type: ignore``).

mypy itself runs in `./dev test` (and so in CI), not here: it takes seconds, and this file only guards
the configuration that decides what a clean mypy run means.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OURS = ("server", "connectors")
# A suppression must say which error it silences: `# type: ignore[code]`, never a bare `# type: ignore`.
BARE_IGNORE = re.compile(r"#\s*type:\s*ignore(?!\[[a-z-]+(,\s*[a-z-]+)*\])")


def _mypy_config() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    return config


def _is_ours(module: str) -> bool:
    return any(module == package or module.startswith(f"{package}.") for package in OURS)


def test_mypy_checks_server_and_connectors_strictly() -> None:
    config = _mypy_config()
    assert sorted(config["packages"]) == sorted(OURS)
    for flag in ("disallow_untyped_defs", "disallow_any_generics", "warn_return_any", "warn_unused_ignores"):
        assert config[flag] is True, flag


def test_no_module_of_ours_has_its_errors_switched_off() -> None:
    for override in _mypy_config().get("overrides", []):
        modules = override["module"] if isinstance(override["module"], list) else [override["module"]]
        assert not override.get("ignore_errors"), f"ignore_errors for {modules}"
        ours = [m for m in modules if _is_ours(m.removesuffix(".*"))]
        assert not ours, f"mypy overrides for our own modules: {ours}"


def test_every_type_ignore_names_its_error_code() -> None:
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in OURS
        for path in sorted((ROOT / package).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if BARE_IGNORE.search(line)
    ]
    assert not bare, bare


def test_the_bare_ignore_pattern_tells_coded_from_bare() -> None:
    assert BARE_IGNORE.search("x = f()  # type: ignore")
    assert BARE_IGNORE.search("x = f()  # type:ignore  because")
    assert not BARE_IGNORE.search("x = f()  # type: ignore[arg-type]")
    assert not BARE_IGNORE.search("x = f()  # type: ignore[arg-type, union-attr]  sqlglot types it as Any")
