"""Pay over the chain core's real accounts, permissions and authority checker.

Until the chain (blocks, signed transactions, the store) is on main, this runs a
transaction the way the engine does: check the declared authorizations against the
signing keys on the real state, check each action's data with its schema, run the
handlers through the real context, keep every write or none. Accounts exist when
the chain's account records say so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from tonomy.chain.accounts import AccountType, create_account, find_account
from tonomy.chain.authority import Authority, PermissionLevel
from tonomy.chain.checker import ActionAuthorization, check_transaction_authorizations
from tonomy.chain.context import ActionContext, BlockInfo, DeterministicRandom, Meter, NamespacedState, ResourceLimits
from tonomy.chain.permissions import link_auth, update_auth
from tonomy.chain.state import MemoryState
from tonomy.errors import TonomyError


def key(label: str) -> bytes:
    return hashlib.sha256(b"pay test key " + label.encode()).digest()


class MiniChain:
    def __init__(self, registry: Any) -> None:
        self.registry = registry
        self.state = MemoryState()
        self.height = 1

    # the dispatcher the context talks to
    def account_exists(self, name: str) -> bool:
        try:
            return find_account(self.state, name) is not None
        except TonomyError:
            return False

    def call_action(self, caller: ActionContext, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[PermissionLevel]) -> None:
        raise AssertionError("Pay makes no cross-plugin calls")

    def call_query(self, caller: ActionContext, plugin: str, name: str, params: Mapping[str, Any]) -> object:
        raise AssertionError("Pay makes no cross-plugin queries")

    def read_parameter(self, caller: ActionContext, plugin: str, name: str) -> Any:
        """The host's ``ctx.parameter``: the genesis default of the plugin's spec."""
        return self.registry.parameter(plugin, name).default

    def account(self, name: str, kind: AccountType = AccountType.PERSON) -> None:
        create_account(self.state, name, kind, creator=None, owner=Authority.single_key(key(name + "/owner")),
                       active=Authority.single_key(key(name + "/active")))

    def transact(self, actions: list[tuple[str, str, dict[str, Any]]], signers: list[str]) -> list[tuple[str, bytes]]:
        """One transaction: ``(level, action, data)`` each; signed by the keys named in ``signers``."""
        declared = [ActionAuthorization("pay", name, (PermissionLevel.parse(level),)) for level, name, _ in actions]
        check_transaction_authorizations(self.state, declared, [key(s) for s in signers])
        work = self.state.copy()
        meter = Meter(ResourceLimits())
        events: list[Any] = []
        for index, (level, name, data) in enumerate(actions):
            spec = self.registry.action("pay", name)
            spec.schema.validate(data)
            ctx = ActionContext("pay", name, (PermissionLevel.parse(level),), BlockInfo(self.height, self.height * 500),
                                NamespacedState(work, "pay", meter), DeterministicRandom(bytes([index]) * 32), meter, self,
                                events)
            spec.handler(ctx, data)
        self.state = work
        self.height += 1
        return [(event.name, event.data) for event in events]

    def query(self, name: str, **params: Any) -> Any:
        ctx = ActionContext("pay", name, (), BlockInfo(self.height, self.height * 500), NamespacedState(self.state.copy(), "pay", Meter(ResourceLimits())),
                            DeterministicRandom(bytes(32)), Meter(ResourceLimits()), self)
        return self.registry.query("pay", name).handler(ctx, params)


@pytest.fixture
def chain(registry: Any) -> MiniChain:
    chain = MiniChain(registry)
    chain.account("tonomy", AccountType.SYSTEM)
    for name in ("alice", "bob"):
        chain.account(name)
    # Genesis: the native issuer creates the native token and issues the allocation.
    genesis = [("tonomy@active", "create_token", {"issuer": "tonomy", "symbol": "TONO", "max_supply": 10**18, "decimals": 6})]
    genesis += [("tonomy@active", "issue", {"symbol": "TONO", "to": who, "amount": amount, "memo": "genesis"}) for who, amount in (("alice", 700), ("bob", 300))]
    chain.transact(genesis, ["tonomy/active"])
    return chain


def transfer(frm: str, to: str, amount: int, level: str | None = None) -> tuple[str, str, dict[str, Any]]:
    return (level or f"{frm}@active", "transfer", {"from": frm, "to": to, "symbol": "TONO", "amount": amount})


def test_genesis_allocation_and_signed_transfers(chain) -> None:
    assert chain.query("native_token", **{})["supply"] == 1_000
    events = chain.transact([transfer("alice", "bob", 200)], ["alice/active"])
    assert [name for name, _ in events] == ["transferred"]
    assert chain.query("balances", account="bob") == [{"symbol": "TONO", "amount": 500}]


def test_the_wrong_key_cannot_move_funds(chain) -> None:
    with pytest.raises(TonomyError) as info:
        chain.transact([transfer("alice", "bob", 1)], ["bob/active"])
    assert info.value.code.startswith("auth.")
    # Declaring bob's authority for alice's transfer passes the checker but not the handler.
    with pytest.raises(TonomyError) as info:
        chain.transact([("bob@active", "transfer", {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 1})], ["bob/active"])
    assert info.value.code == "tx.missing_authorization"
    assert chain.query("balance", account="alice", symbol="TONO") == 700


def test_a_linked_payments_permission_can_transfer_but_not_create_tokens(chain) -> None:
    update_auth(chain.state, "alice", "payments", "active", Authority.single_key(key("alice/payments")))
    link_auth(chain.state, "alice", "pay", "transfer", "payments")
    chain.transact([transfer("alice", "bob", 5, "alice@payments")], ["alice/payments"])
    assert chain.query("balance", account="bob", symbol="TONO") == 305
    create = ("alice@payments", "create_token", {"issuer": "alice", "symbol": "ALC", "max_supply": 5, "decimals": 0})
    with pytest.raises(TonomyError) as info:
        chain.transact([create], ["alice/payments"])
    assert info.value.code.startswith("auth.")


def test_recipients_must_be_real_accounts(chain) -> None:
    with pytest.raises(TonomyError) as info:
        chain.transact([transfer("alice", "carol", 1)], ["alice/active"])
    assert info.value.code == "pay.unknown_account"
    chain.account("carol")
    chain.transact([transfer("alice", "carol", 1)], ["alice/active"])
    assert chain.query("balance", account="carol", symbol="TONO") == 1


def test_a_transaction_is_all_or_nothing(chain) -> None:
    before = chain.state.snapshot()
    with pytest.raises(TonomyError) as info:
        chain.transact([transfer("alice", "bob", 700), transfer("bob", "alice", 1_001)], ["alice/active", "bob/active"])
    assert info.value.code == "pay.overdrawn"
    assert chain.state.snapshot() == before


def test_only_the_native_issuer_creates_the_native_token(chain) -> None:
    with pytest.raises(TonomyError) as info:
        chain.transact([("alice@active", "issue", {"symbol": "TONO", "to": "alice", "amount": 1})], ["alice/active"])
    assert info.value.code == "tx.missing_authorization"
