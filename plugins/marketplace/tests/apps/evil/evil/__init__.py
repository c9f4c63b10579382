"""A test app importing a forbidden module: refused at install and at load."""

from __future__ import annotations

import os
from typing import Any

from tonomy.plugin import PluginInfo, hookimpl


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name="evil", version="1.0.0", protocol_min=1, protocol_max=1, description=os.name)


def register(register: Any) -> None:
    return None
