"""``tonomy_migrate_state``: collected per plugin version, called through the plugin manager.

The chain-level behaviour (once, at the height, all-or-nothing) is tested with real
proposals in plugins/governance/tests/test_plugin_lifecycle.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tonomy.errors import PluginConflictError
from tonomy.plugin import PluginInfo, hookimpl
from tonomy.plugin.registry import version_key
from tonomy.testing.ledger import build_manager


class Plain:
    def __init__(self, version: str) -> None:
        self.version = version
        self.calls: list[tuple[Any, ...]] = []

    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="thing", version=self.version, protocol_min=1, protocol_max=1)


class Versioned(Plain):
    @hookimpl
    def tonomy_migrate_state(self, from_version: str | None, to_version: str, ctx: Any) -> None:
        self.calls.append((from_version, to_version, ctx))


def test_the_hook_is_called_through_the_manager_and_kept_per_version() -> None:
    old, new = Versioned("0.9.0"), Versioned("0.10.0")
    pm = build_manager([old, new])
    assert pm.registry.plugin("thing").version == "0.10.0"  # the newest is primary, by numbers not text
    assert pm.registry.versions("thing") == ("0.10.0", "0.9.0")
    pm.hook.tonomy_migrate_state(from_version="0.9.0", to_version="0.10.0", ctx="ctx")
    assert new.calls == [("0.9.0", "0.10.0", "ctx")] and old.calls == []  # only the primary is in the manager
    retained = pm.registry.record_at("thing", "0.9.0")
    assert retained is not None and retained.migrate is not None
    retained.migrate(from_version=None, to_version="0.9.0", ctx=1)
    assert old.calls == [(None, "0.9.0", 1)]
    assert pm.registry.select({"thing": "0.9.0"}).plugin("thing").plugin is old
    with pytest.raises(KeyError, match="0.9.0, 0.10.0|0.10.0, 0.9.0"):
        pm.registry.select({"thing": "1.0.0"})


def test_a_plugin_without_the_hook_has_no_migration_and_one_version_twice_conflicts() -> None:
    assert build_manager([Plain("1")]).registry.plugin("thing").migrate is None
    with pytest.raises(PluginConflictError, match="name and version 1"):
        build_manager([Versioned("1"), Versioned("1")])


def test_versions_order_numerically() -> None:
    assert sorted(["0.10.0", "0.9.0", "0.9.0-rc1", "1.0"], key=version_key) == ["0.9.0", "0.9.0-rc1", "0.10.0", "1.0"]
