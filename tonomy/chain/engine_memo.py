"""What the execution engine looks up for every transaction, kept once.

Each entry is a pure function of what it is keyed by: the engine's plugin set (fixed
for the engine's life), a name, a parameter set, or the exact bytes of a stored
record. State is never cached: an account's record is read from the overlay every
time (so a transaction sees what an earlier one of its block wrote), and only the
verdict on those bytes is kept.
Every table is bounded and node-local (:class:`~tonomy.chain.memo.BoundedMemo`);
nothing here reaches a receipt or the state except through the same answers the
uncached lookups give.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tonomy.chain import layout, parameters
from tonomy.chain.accounts import find_account
from tonomy.chain.authority import PermissionLevel
from tonomy.chain.capabilities import capability_key, is_app_module
from tonomy.chain.context import ResourceLimits, plugin_prefix
from tonomy.chain.memo import BoundedMemo
from tonomy.chain.names import validate_account_name
from tonomy.chain.parameters import ChainParameters
from tonomy.chain.state import StateView
from tonomy.errors import TonomyError
from tonomy.plugin.registry import Registry
from tonomy.plugin.types import ActionSpec

#: Most entries of one table before it is emptied.
MEMO_MAX = 16_384


class EngineMemo:
    """Lookups of one engine: action specs, app status, permission levels, limits, parameter
    keys, account keys and verdicts."""

    __slots__ = ("_registry", "_actions", "_apps", "_levels", "_limits_of", "_limits", "_parameter_keys", "_account_keys", "_accounts", "_capability_keys", "_prefixes")

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._actions: BoundedMemo[tuple[str, str], ActionSpec] = BoundedMemo(MEMO_MAX)
        self._apps: BoundedMemo[str, bool] = BoundedMemo(MEMO_MAX)
        self._levels: BoundedMemo[tuple[str, str], PermissionLevel] = BoundedMemo(MEMO_MAX)
        self._limits_of: ChainParameters | None = None
        self._limits: BoundedMemo[int, ResourceLimits] = BoundedMemo(MEMO_MAX)
        self._parameter_keys: BoundedMemo[tuple[str, str], bytes] = BoundedMemo(MEMO_MAX)
        self._account_keys: BoundedMemo[str, bytes] = BoundedMemo(MEMO_MAX)
        self._accounts: BoundedMemo[tuple[str, bytes], bool] = BoundedMemo(MEMO_MAX)
        self._capability_keys: dict[tuple[str, str], bytes | None] = {}
        self._prefixes: BoundedMemo[str, bytes] = BoundedMemo(MEMO_MAX)

    def prefix(self, plugin: str) -> bytes:
        """``plugin_prefix(plugin)``: the key prefix of its state namespace."""
        prefix = self._prefixes.get(plugin)
        if prefix is None:
            prefix = plugin_prefix(plugin)
            self._prefixes.put(plugin, prefix)
        return prefix

    def capability_key(self, registry_plugin: str, plugin: str) -> bytes | None:
        """The state key of ``plugin``'s capability record under ``registry_plugin``; None
        where ``read_capabilities`` reads none (no registry, or the registry itself)."""
        pair = (registry_plugin, plugin)
        try:
            return self._capability_keys[pair]
        except KeyError:
            pass
        key = capability_key(registry_plugin, plugin) if registry_plugin and registry_plugin != plugin else None
        if len(self._capability_keys) >= MEMO_MAX:
            self._capability_keys.clear()
        self._capability_keys[pair] = key
        return key

    def action(self, plugin: str, name: str) -> ActionSpec:
        """``registry.action(plugin, name)`` (raises the same KeyError for an unknown one)."""
        spec = self._actions.get((plugin, name))
        if spec is None:
            spec = self._registry.action(plugin, name)
            self._actions.put((plugin, name), spec)
        return spec

    def parameter_key(self, plugin: str, name: str, spec_of: Callable[[str, str], Any]) -> bytes:
        """The state key of a parameter, once ``spec_of(plugin, name)`` accepted it (it raises
        for a parameter the engine's plugins do not declare; such names are not kept)."""
        key = self._parameter_keys.get((plugin, name))
        if key is None:
            spec_of(plugin, name)
            key = parameters.parameter_key(plugin, name)
            self._parameter_keys.put((plugin, name), key)
        return key

    def loaded_as_app(self, plugin: str) -> bool:
        """Is ``plugin`` one of the engine's plugins, loaded from an app module?"""
        known = self._apps.get(plugin)
        if known is None:
            known = plugin in self._registry and is_app_module(self._registry.plugin(plugin).plugin)
            self._apps.put(plugin, known)
        return known

    def level(self, actor: str, permission: str) -> PermissionLevel:
        """``PermissionLevel(actor, permission)``: validated once per pair (it is immutable)."""
        level = self._levels.get((actor, permission))
        if level is None:
            level = PermissionLevel(actor, permission)
            self._levels.put((actor, permission), level)
        return level

    def limits(self, params: ChainParameters, max_ops: int) -> ResourceLimits:
        """``params.resource_limits(max_ops)``, built once per parameter set and op limit."""
        if params is not self._limits_of:
            self._limits_of = params  # held, so its identity cannot be reused by another set
            self._limits.clear()
        limits = self._limits.get(max_ops)
        if limits is None:
            limits = params.resource_limits(max_ops)
            self._limits.put(max_ops, limits)
        return limits

    def account_exists(self, view: StateView, name: str) -> bool:
        """Is there an account ``name`` in ``view`` (False for a name no account can have)?

        The record is read from ``view`` every time; only the verdict on its exact bytes
        (does it decode to an account of that name) is remembered.
        """
        key = self._account_keys.get(name)
        if key is None:
            try:
                key = layout.account_key(validate_account_name(name))
            except TonomyError:
                return False
            self._account_keys.put(name, key)
        raw = view.get(key)
        if raw is None:
            return False
        verdict = self._accounts.get((name, raw))
        if verdict is None:
            try:
                verdict = find_account(view, name) is not None  # reads the same bytes again
            except TonomyError:
                verdict = False
            self._accounts.put((name, raw), verdict)
        return verdict


__all__ = ["MEMO_MAX", "EngineMemo"]
