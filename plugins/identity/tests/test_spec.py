"""The README is the spec: every code the plugin can raise is listed there and in ALL_CODES."""

from __future__ import annotations

import re
from pathlib import Path

import tonomy_identity
from tonomy_identity.errors import ALL_CODES

PACKAGE = Path(tonomy_identity.__file__).parent
README = (PACKAGE.parent / "README.md").read_text()


def used_codes() -> set[str]:
    codes = set()
    for path in PACKAGE.glob("*.py"):
        text = path.read_text()
        codes |= {f"identity.{reason}" for reason in re.findall(r'ctx\.fail\(\s*"([a-z_]+)"', text)}
        codes |= {f"identity.{reason}" for reason in re.findall(r'_reject\(\s*"([a-z_]+)"', text)}
    return codes


def test_every_code_is_declared() -> None:
    used = used_codes()
    assert len(used) > 20  # the scan found the calls (it would pass vacuously otherwise)
    assert used <= set(ALL_CODES), sorted(used - set(ALL_CODES))


def test_every_chain_code_is_in_the_readme() -> None:
    missing = sorted(code for code in set(ALL_CODES) | used_codes() if f"`{code}`" not in README)
    assert not missing, missing


def test_every_action_is_in_the_readme() -> None:
    from tonomy.testing import check_plugin_conformance

    for action in check_plugin_conformance(tonomy_identity).actions:
        assert f"`{action.name}" in README or f"{action.name} " in README or f".{action.name}" in README, action.name
