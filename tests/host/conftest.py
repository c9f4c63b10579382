"""Fixtures for host tests: a clean plugin environment and installable fake plugins.

A fake plugin here is a real distribution as importlib.metadata sees it (a
``.dist-info`` folder with METADATA and entry_points.txt beside the module) on a
temporary sys.path entry, so discovery runs exactly as for an installed package.
The one installed with pip is the sample plugin (see ``sample_plugin_path``).
"""

from __future__ import annotations

import importlib
import itertools
import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PLUGIN_PROJECT = REPO_ROOT / "tests" / "plugins" / "sample_plugin"

TONOMY_ENV_VARS = ("TONOMY_DISABLE_PLUGIN_AUTOLOAD", "TONOMY_PLUGINS_ALLOW", "TONOMY_PLUGINS_BLOCK", "TONOMY_DEBUG")

_unique = itertools.count()


@pytest.fixture(autouse=True)
def clean_plugin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the caller's TONOMY_* settings."""
    for name in TONOMY_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def plugin_module_source(
    name: str,
    *,
    protocol: tuple[int, int] = (1, 1),
    actions: tuple[str, ...] = (),
    body: str = "",
) -> str:
    """Source of a small plugin module: info, optional actions, plus ``body``."""
    source = f"""
        from tonomy.plugin import ActionSpec, PluginInfo, RecordSchema, hookimpl

        def _noop(ctx, data):
            return None

        @hookimpl
        def tonomy_plugin_info():
            return PluginInfo(name={name!r}, version="1.0", protocol_min={protocol[0]}, protocol_max={protocol[1]})

        @hookimpl
        def tonomy_register_actions(register):
            for action in {actions!r}:
                register(ActionSpec(action, _noop, RecordSchema()))
    """
    return textwrap.dedent(source) + textwrap.dedent(body)


MakeDist = Callable[..., str]


@pytest.fixture
def make_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeDist]:
    """Create an installed distribution declaring a ``tonomy`` entry point; returns the module name.

    ``make_dist("foo", source)`` writes module ``tonomy_t<n>_foo`` with ``source``
    and a distribution ``fake-foo-<n>`` whose entry point ``foo`` points at it.
    ``entry_value`` overrides the entry point's value (``{module}`` is replaced).
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    created: list[str] = []

    def make(entry_name: str, source: str, *, dist_name: str | None = None, entry_value: str = "{module}") -> str:
        n = next(_unique)
        module = f"tonomy_t{n}_{entry_name}"
        dist = dist_name or f"fake-{entry_name}-{n}"
        (site / f"{module}.py").write_text(source)
        info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[tonomy]\n{entry_name} = {entry_value.format(module=module)}\n")
        created.append(module)
        importlib.invalidate_caches()
        return module

    yield make
    for module in created:
        sys.modules.pop(module, None)


@pytest.fixture(scope="session")
def sample_plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plugin installed for real with pip into a private folder (offline, no deps)."""
    target = tmp_path_factory.mktemp("sample_site")
    result = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
            "--no-index", "--disable-pip-version-check", "--target", str(target), str(SAMPLE_PLUGIN_PROJECT),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"pip could not install the sample plugin (is flit_core installed?):\n{result.stderr}"
    return target


def run_tonomy(*args: str, pythonpath: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tonomy.cli ARGS`` in a fresh process with a clean TONOMY_* environment."""
    full_env = {key: value for key, value in os.environ.items() if key not in TONOMY_ENV_VARS}
    full_env.pop("PYTHONPATH", None)
    if pythonpath is not None:
        full_env["PYTHONPATH"] = str(pythonpath)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tonomy.cli", *args], capture_output=True, text=True, env=full_env, timeout=60, cwd=REPO_ROOT
    )


@pytest.fixture
def tonomy_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_tonomy


@pytest.fixture
def plugin_source() -> Callable[..., str]:
    """:func:`plugin_module_source`, for tests (conftest is not importable under importlib mode)."""
    return plugin_module_source


@pytest.fixture
def inline_plugin() -> Callable[..., types.ModuleType]:
    """Build an in-memory plugin module (for ``extra_plugins``) from :func:`plugin_module_source`."""

    def make(name: str, **kwargs: Any) -> types.ModuleType:
        module = types.ModuleType(f"inline_{name}")
        exec(plugin_module_source(name, **kwargs), module.__dict__)
        return module

    return make
