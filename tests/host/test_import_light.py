"""Importing tonomy (or the plugin marker) loads nothing heavy and no plugin.

Checked in a fresh interpreter, since this test process has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = frozenset({"click", "rich", "tonomy._core", "tonomy.plugin.manager", "tonomy.cli"})


def loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_import_tonomy_loads_no_plugin_machinery() -> None:
    loaded = loaded_after("import tonomy")
    assert "pluggy" not in loaded
    assert not loaded & HEAVY


def test_plugin_marker_is_light() -> None:
    for code in ("import tonomy.plugin", "from tonomy import hookimpl", "import tonomy.hookspecs"):
        loaded = loaded_after(code)
        assert "pluggy" in loaded
        assert not loaded & HEAVY, (code, loaded & HEAVY)


def test_lazy_names_resolve() -> None:
    import tonomy
    import tonomy.plugin
    from tonomy.plugin import manager

    assert tonomy.hookimpl is tonomy.plugin.hookimpl
    assert tonomy.plugin.build_plugin_manager is manager.build_plugin_manager
    for module, missing in ((tonomy, "nope"), (tonomy.plugin, "nope")):
        try:
            getattr(module, missing)
        except AttributeError as exc:
            assert missing in str(exc)
        else:
            raise AssertionError(f"{module.__name__}.{missing} should not exist")
