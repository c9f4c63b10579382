"""``tonomy plugin new``: the scaffolded package installs offline, is found by the host, and its own tests pass.

The package is installed with pip (no network, no build isolation, flit_core from the
venv) into a private folder rather than the venv itself, so no later test of this run
loads it by autoload; the CLI and pytest then run in fresh processes with that folder
on PYTHONPATH, as in a user's environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tonomy.errors import InvalidInputError, PluginConflictError
from tonomy.plugin.scaffold import name_problem, plan

RunTonomy = Callable[..., subprocess.CompletedProcess[str]]


def test_scaffold_installs_lists_and_passes_its_own_tests(tmp_path: Path, tonomy_cli: RunTonomy) -> None:
    made = tonomy_cli("plugin", "new", "event_tickets", "--dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    package = tmp_path / "tonomy-event-tickets"
    assert sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()) == [
        ".gitignore", "README.md", "pyproject.toml", "tests/test_event_tickets.py",
        "tonomy_event_tickets/__init__.py", "tonomy_event_tickets/py.typed",
    ]  # fmt: skip
    readme = (package / "README.md").read_text()
    for heading in ("## Actions", "## State", "## Queries", "## Parameters", "## Errors"):
        assert heading in readme
    site = tmp_path / "site"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "--target", str(site), str(package)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr
    listed = tonomy_cli("plugins", "--json", pythonpath=site)
    assert listed.returncode == 0, listed.stderr
    found = {plugin["name"]: plugin for plugin in json.loads(listed.stdout)["plugins"]}["event_tickets"]
    assert (found["actions"], found["queries"], found["parameters"]) == (["set_message"], ["message"], ["max_length"])
    assert found["distribution"] == "tonomy-event-tickets 0.1.0"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TONOMY_", "PYTEST_"))}
    env["PYTHONPATH"] = str(site)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:benchmark"],
        capture_output=True, text=True, env=env, cwd=package, timeout=300,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout and "failed" not in tests.stdout and "skipped" not in tests.stdout
    # A second scaffold over the same folder writes nothing.
    again = tonomy_cli("plugin", "new", "event_tickets", "--dir", str(tmp_path))
    assert again.returncode == 1 and "already exists" in again.stderr


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("class", "Python keyword"), ("match", "Python keyword"), ("None", "not a plugin name"),
        ("my-plugin", "not a plugin name"), ("1notes", "not a plugin name"), ("Notes", "not a plugin name"),
        ("notes!", "not a plugin name"), ("nötes", "not a plugin name"), ("", "not a plugin name"),
        ("n" * 41, "not a plugin name"), ("notes_", "permission name"), ("my__notes", "permission name"),
        ("tonomy", "host itself"), ("explorer", "host itself"),
    ],
)  # fmt: skip
def test_bad_names_are_refused_with_a_clear_error(name: str, says: str, tmp_path: Path) -> None:
    assert says in (name_problem(name) or "")
    with pytest.raises(InvalidInputError):
        plan(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_a_keyword_and_writes_nothing(tmp_path: Path, tonomy_cli: RunTonomy) -> None:
    result = tonomy_cli("plugin", "new", "lambda", "--dir", str(tmp_path))
    assert result.returncode == 1
    assert "error [core.invalid_input]" in result.stderr and "Python keyword" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("installed", ["identity", "pay"])
def test_names_of_installed_plugins_collide(installed: str, tmp_path: Path, tonomy_cli: RunTonomy) -> None:
    with pytest.raises(PluginConflictError) as caught:
        plan(installed, tmp_path)
    assert "already" in str(caught.value) and installed in str(caught.value)
    result = tonomy_cli("plugin", "new", installed, "--dir", str(tmp_path))
    assert result.returncode == 1 and "error [plugin.conflict]" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(InvalidInputError):
        plan("notes", tmp_path, target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
