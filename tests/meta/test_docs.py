"""The README documents every setting, every model diagnostic code and every CLI command."""

from __future__ import annotations

import re
from pathlib import Path

from server.cli import build_parser
from server.config import documented_settings
from server.semantic import validation

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _codes_used() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "server").rglob("*.py"):
        codes.update(re.findall(r'"(SM\d{3})"', path.read_text()))
    return codes


def test_every_setting_is_documented() -> None:
    for name, env, _default, _description in documented_settings():
        assert f"`{env}`" in README, f"setting {name} ({env}) is missing from the README's settings table"


def test_every_diagnostic_code_is_documented() -> None:
    codes = _codes_used()
    assert len(codes) >= 20
    for code in sorted(codes):
        assert re.search(rf"\| `{code}` \|", README), f"diagnostic {code} is missing from the README's table"


def test_every_rule_code_is_emitted_somewhere() -> None:
    for rule in validation.RULES:
        for code in rule.codes:
            assert code in _codes_used()


def test_every_cli_command_is_documented() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for command in commands:
        assert f"quiver {command}" in README, f"command quiver {command} is missing from the README"


def test_quick_start_is_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\$ (.+)$", section, flags=re.MULTILINE)
    assert commands[:2] == ["./dev serve", "./dev test"]
