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
    VotingPower,
    VotingStrategyRegistrar,
    VotingStrategySpec,
)
from tonomy.plugin.node_services import NodeContext, NodeService, NodeServiceRegistrar, PluginPeers
from tonomy.plugin.web import WebPage, WebPageRegistrar

#: The pluggy project name; also the entry-point group plugins are found through.
PROJECT_NAME = "tonomy"

#: Marks a function of a plugin as the implementation of a ``tonomy_*`` hook.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

if TYPE_CHECKING:
    from tonomy._core import ed25519_verify, hash_plain, hash_tagged
    from tonomy.chain.authority import PermissionLevel
    from tonomy.chain.codec import decode as decode_record
    from tonomy.chain.codec import encode as encode_record
    from tonomy.chain.context import ActionContext
    from tonomy.plugin.manager import TonomyPluginManager, build_plugin_manager
    from tonomy.plugin.registry import PluginRecord, Registry

# Loaded on first use, so that importing the plugin API stays light. The handler-side
# names (context, permission levels, record codec, hashing and signature checks) are
# the public surface plugins build on: a plugin needs nothing from tonomy.chain or
# tonomy._core directly.
_LAZY: dict[str, tuple[str, str]] = {
    "build_plugin_manager": ("tonomy.plugin.manager", "build_plugin_manager"),
    "TonomyPluginManager": ("tonomy.plugin.manager", "TonomyPluginManager"),
    "Registry": ("tonomy.plugin.registry", "Registry"),
    "PluginRecord": ("tonomy.plugin.registry", "PluginRecord"),
    "ActionContext": ("tonomy.chain.context", "ActionContext"),
    "PermissionLevel": ("tonomy.chain.authority", "PermissionLevel"),
    "encode_record": ("tonomy.chain.codec", "encode"),
    "decode_record": ("tonomy.chain.codec", "decode"),
    "hash_tagged": ("tonomy._core", "hash_tagged"),
    "hash_plain": ("tonomy._core", "hash_plain"),
    "ed25519_verify": ("tonomy._core", "ed25519_verify"),
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module_name, attribute = target
    return getattr(importlib.import_module(module_name), attribute)


__all__ = [
    "PROJECT_NAME",
    "ActionContext",
    "ActionHandler",
    "ActionRegistrar",
    "ActionSpec",
    "Data",
    "DataSchema",
    "Field",
    "NodeContext",
    "NodeService",
    "NodeServiceRegistrar",
    "ParameterRegistrar",
    "ParameterSpec",
    "PermissionLevel",
    "PluginInfo",
    "PluginPeers",
    "PluginRecord",
    "QueryHandler",
    "QueryRegistrar",
    "QuerySpec",
    "RecordSchema",
    "Registry",
    "Scalar",
    "ScalarType",
    "TonomyPluginManager",
    "VotingPower",
    "VotingStrategyRegistrar",
    "VotingStrategySpec",
    "WebPage",
    "WebPageRegistrar",
    "build_plugin_manager",
    "decode_record",
    "ed25519_verify",
    "encode_record",
    "hash_plain",
    "hash_tagged",
    "hookimpl",
]
