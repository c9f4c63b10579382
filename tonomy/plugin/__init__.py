"""What a plugin imports: the ``hookimpl`` marker and the spec types.

    from tonomy.plugin import ActionSpec, PluginInfo, RecordSchema, hookimpl

Importing this module loads pluggy and the small spec types only; the plugin
manager (entry-point discovery, loading) is imported on first use of
``build_plugin_manager``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

from tonomy.plugin.schema import Data, DataSchema, Field, RecordSchema, Scalar, ScalarType
from tonomy.plugin.types import (
    ActionHandler,
    ActionRegistrar,
    ActionSpec,
    ParameterRegistrar,
    ParameterSpec,
    PluginInfo,
    QueryHandler,
    QueryRegistrar,
    QuerySpec,
)
from tonomy.plugin.web import WebPage, WebPageRegistrar

#: The pluggy project name; also the entry-point group plugins are found through.
PROJECT_NAME = "tonomy"

#: Marks a function of a plugin as the implementation of a ``tonomy_*`` hook.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

if TYPE_CHECKING:
    from tonomy.plugin.manager import TonomyPluginManager, build_plugin_manager
    from tonomy.plugin.registry import PluginRecord, Registry

_LAZY = {
    "build_plugin_manager": "tonomy.plugin.manager",
    "TonomyPluginManager": "tonomy.plugin.manager",
    "Registry": "tonomy.plugin.registry",
    "PluginRecord": "tonomy.plugin.registry",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)


__all__ = [
    "PROJECT_NAME",
    "ActionHandler",
    "ActionRegistrar",
    "ActionSpec",
    "Data",
    "DataSchema",
    "Field",
    "ParameterRegistrar",
    "ParameterSpec",
    "PluginInfo",
    "PluginRecord",
    "QueryHandler",
    "QueryRegistrar",
    "QuerySpec",
    "RecordSchema",
    "Registry",
    "Scalar",
    "ScalarType",
    "TonomyPluginManager",
    "WebPage",
    "WebPageRegistrar",
    "build_plugin_manager",
    "hookimpl",
]
