"""A small harness that runs Pay's handlers through the real execution context.

``Ledger`` holds a real :class:`MemoryState`, builds a real ``ActionContext`` per
action (namespaced, metered state; block height and time; authorizations), checks
the data with the action's registered schema as the host does, and keeps a
transaction's writes only if the handler succeeds (the engine rolls back a failed
transaction the same way). Accounts come from a set: the stand-in for the
dispatcher's ``account_exists``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pytest

import tonomy_pay
from tonomy.chain import codec
from tonomy.chain.authority import PermissionLevel
from tonomy.chain.context import ActionContext, BlockInfo, DeterministicRandom, Meter, NamespacedState, ResourceLimits
from tonomy.chain.state import MemoryState
from tonomy.errors import ActionFailedError, TonomyError
from tonomy.plugin import build_plugin_manager

REGISTRY = build_plugin_manager(autoload=False, extra_plugins=[tonomy_pay]).registry


class AccountSet:
    """The dispatcher stand-in: accounts exist if they are in the set; Pay makes no calls."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = set(names)

    def account_exists(self, name: str) -> bool:
        return name in self.names

    def call_action(self, caller: ActionContext, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[PermissionLevel]) -> None:
        raise AssertionError("Pay never calls another plugin")

    def call_query(self, caller: ActionContext, plugin: str, name: str, params: Mapping[str, Any]) -> object:
        raise AssertionError("Pay never queries another plugin")

    def read_parameter(self, caller: ActionContext, plugin: str, name: str) -> Any:
        """The host's ``ctx.parameter``: here always the genesis default of Pay's spec."""
        return REGISTRY.parameter(plugin, name).default


class ParameterContext(ActionContext):
    """The context plus ``parameter(name)``: the accessor Pay asks the host to add."""

    def parameter(self, name: str) -> Any:
        return self.__dict__["parameters"][name]


class Ledger:
    def __init__(self, accounts: Iterable[str] = ("tonomy", "alice", "bob", "carol", "dave")) -> None:
        self.state = MemoryState()
        self.accounts = AccountSet(accounts)
        self.height = 10
        self.time_ms = 1_000_000
        self.parameters: dict[str, Any] | None = None  # None: the context offers no accessor
        self.events: list[tuple[str, dict[str, Any]]] = []

    def context(self, state: MemoryState, action: str, auth: Iterable[str]) -> ActionContext:
        meter = Meter(ResourceLimits())
        args = dict(
            plugin="pay",
            action=action,
            authorization=tuple(PermissionLevel.parse(a if "@" in a else a + "@active") for a in auth),
            block=BlockInfo(self.height, self.time_ms),
            state=NamespacedState(state, "pay", meter),
            random=DeterministicRandom(self.height.to_bytes(32, "big")),
            meter=meter,
            dispatcher=self.accounts,
        )
        if self.parameters is None:
            return ActionContext(**args)
        ctx = ParameterContext(**args)
        ctx.__dict__["parameters"] = dict(self.parameters)
        return ctx

    def act(self, action: str, auth: str | Iterable[str] | None = None, **data: Any) -> list[tuple[str, dict[str, Any]]]:
        """Run one action as its own transaction; returns its events; raises on failure, changing nothing."""
        spec = REGISTRY.action("pay", action)
        spec.schema.validate(data)
        levels = [auth] if isinstance(auth, str) else list(auth or ())
        work = self.state.copy()
        ctx = self.context(work, action, levels)
        spec.handler(ctx, data)
        self.state = work
        events = [(event.name, codec.decode(event.data)) for event in ctx.events]
        self.events.extend(events)
        return events

    def query(self, name: str, **params: Any) -> Any:
        spec = REGISTRY.query("pay", name)
        spec.schema.validate(params)
        return spec.handler(self.context(self.state.copy(), name, ()), params)

    def fails(self, code: str, action: str, auth: str | Iterable[str] | None = None, **data: Any) -> TonomyError:
        """Assert the action fails with ``code`` and leaves the state exactly as it was."""
        before = self.state.snapshot()
        with pytest.raises(TonomyError) as info:
            self.act(action, auth, **data)
        assert info.value.code == code, str(info.value)
        assert self.state.snapshot() == before
        return info.value

    # -- shortcuts -------------------------------------------------------
    def token(self, symbol: str = "USD", issuer: str = "alice", max_supply: int = 1_000_000, decimals: int = 2) -> None:
        self.act("create_token", issuer, issuer=issuer, symbol=symbol, max_supply=max_supply, decimals=decimals)

    def fund(self, account: str, amount: int, symbol: str = "USD") -> None:
        issuer = self.query("token", symbol=symbol)["issuer"]
        self.act("issue", issuer, symbol=symbol, to=account, amount=amount)

    def balance(self, account: str, symbol: str = "USD") -> int:
        return self.query("balance", account=account, symbol=symbol)

    def raw_records(self) -> dict[bytes, Any]:
        """Pay's records straight from the state, for invariant checks."""
        prefix = b"p/pay/"
        return {key[len(prefix):]: codec.decode(value) for key, value in self.state.snapshot() if key.startswith(prefix)}


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
def usd(ledger: Ledger) -> Ledger:
    """A ledger with the token USD (issuer alice, max 1,000,000) and alice holding 1,000."""
    ledger.token()
    ledger.fund("alice", 1_000)
    return ledger


__all__ = ["ActionFailedError", "Ledger", "REGISTRY"]


@pytest.fixture(scope="session")
def make_ledger() -> type[Ledger]:
    """The Ledger class itself, for Hypothesis tests that need a fresh ledger per example."""
    return Ledger


@pytest.fixture(scope="session")
def registry() -> Any:
    """Pay's actions and queries as the plugin manager collected them."""
    return REGISTRY
