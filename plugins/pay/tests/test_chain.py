"""Pay on a real chain: signed transactions in produced blocks over the real store.

The native token's genesis allocation is the first block's transaction, signed by
the system account ``tonomy`` (whose authority at genesis is the validators').
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tonomy_pay
from tonomy_pay.genesis import native_token_actions
from tonomy import _core
from tonomy.chain import codec
from tonomy.errors import TonomyError

ledger = pytest.importorskip("tonomy.testing.ledger", reason="needs the chain (tonomy.chain.chain)")
LedgerNet = ledger.LedgerNet

ALLOCATION = {"alice": 700, "bob": 300}


def transfer(frm: str, to: str, amount: int, memo: str = "") -> Any:
    data = {"from": frm, "to": to, "symbol": "TONO", "amount": amount} | ({"memo": memo} if memo else {})
    return LedgerNet.action("pay", "transfer", data, f"{frm}@active")


def run(net: Any, actions: Any, signers: list[str]) -> Any:
    tx_id = net.submit(actions, signers)
    net.produce()
    receipt = net.chain.get_receipt(tx_id)
    assert receipt is not None
    return receipt


def balance(net: Any, account: str) -> int:
    return net.chain.query("pay", "balance", {"account": account, "symbol": "TONO"})


@pytest.fixture
def net(tmp_path: Path) -> Iterator[Any]:
    net = LedgerNet.create(tmp_path / "chain", plugins=[tonomy_pay], accounts=("alice", "bob", "carol"))
    actions = native_token_actions(ALLOCATION, max_supply=10**15, decimals=6)
    receipt = run(net, [LedgerNet.action("pay", name, data, "tonomy@active") for name, data in actions], ["validator"])
    assert receipt.status == "executed", receipt
    yield net
    net.close()


def test_genesis_allocation_reaches_the_accounts(net: Any) -> None:
    assert {who: balance(net, who) for who in ALLOCATION} == ALLOCATION
    native = net.chain.query("pay", "native_token", {})
    assert (native["symbol"], native["supply"], native["issuer"], native["native"]) == ("TONO", 1_000, "tonomy", True)


def test_signed_transfer_in_a_block(net: Any) -> None:
    receipt = run(net, transfer("alice", "bob", 250, "rent"), ["alice"])
    assert receipt.status == "executed"
    [event] = receipt.events
    assert (event.plugin, event.name) == ("pay", "transferred")
    assert codec.decode(event.data) == {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 250, "memo": "rent"}
    assert (balance(net, "alice"), balance(net, "bob")) == (450, 550)
    assert receipt.state_ops <= 12, "a transfer reads and writes a handful of records"


def test_balances_are_provable_from_the_header(net: Any) -> None:
    run(net, transfer("alice", "carol", 5), ["alice"])
    value, proof, header = net.chain.get_state("pay", b"bal/carol/TONO")
    assert codec.decode(value) == 5
    _core.verify_state_proof(header.state_root, net.chain.state_key("pay", b"bal/carol/TONO"), value, proof)


def test_refused_transfers_change_nothing(net: Any) -> None:
    receipt = run(net, [transfer("alice", "bob", 700), transfer("bob", "alice", 2_000)], ["alice", "bob"])
    assert (receipt.status, receipt.error_code) == ("failed", "pay.overdrawn")
    assert (balance(net, "alice"), balance(net, "bob")) == (700, 300)
    receipt = run(net, transfer("alice", "nobody", 1), ["alice"])
    assert receipt.error_code == "pay.unknown_account"
    assert (balance(net, "alice"), balance(net, "bob")) == (700, 300)


def test_another_accounts_key_cannot_spend(net: Any) -> None:
    with pytest.raises(TonomyError) as caught:  # refused at admission: bob's key does not satisfy alice@active
        net.submit(transfer("alice", "bob", 1), ["bob"])
    assert caught.value.code.startswith(("auth.", "tx.")), caught.value.code
    assert balance(net, "alice") == 700


def test_requests_and_escrow_through_blocks(net: Any) -> None:
    created = run(net, LedgerNet.action("pay", "create_request", {"payee": "bob", "symbol": "TONO", "amount": 40, "payer": "alice"}, "bob@active"), ["bob"])
    request_id = codec.decode(created.events[0].data)["id"]
    run(net, LedgerNet.action("pay", "pay_request", {"id": request_id, "payer": "alice"}, "alice@active"), ["alice"])
    again = run(net, LedgerNet.action("pay", "pay_request", {"id": request_id, "payer": "alice"}, "alice@active"), ["alice"])
    assert again.error_code == "pay.request_closed"
    deposit = {"payer": "alice", "payee": "bob", "arbiter": "carol", "symbol": "TONO", "amount": 60, "deadline_height": net.chain.height + 50}
    escrow_id = codec.decode(run(net, LedgerNet.action("pay", "deposit", deposit, "alice@active"), ["alice"]).events[0].data)["id"]
    early = run(net, LedgerNet.action("pay", "refund_escrow", {"id": escrow_id, "actor": "alice"}, "alice@active"), ["alice"])
    assert early.error_code == "pay.deadline_not_reached"
    run(net, LedgerNet.action("pay", "release_escrow", {"id": escrow_id, "actor": "carol"}, "carol@active"), ["carol"])
    assert (balance(net, "alice"), balance(net, "bob")) == (600, 400)
    assert net.chain.query("pay", "escrow", {"id": escrow_id})["status"] == "released"


def test_replaying_the_blocks_gives_the_same_state(net: Any, tmp_path: Path) -> None:
    run(net, transfer("alice", "bob", 1), ["alice"])
    run(net, transfer("bob", "carol", 2), ["bob"])
    head = net.chain.head
    net.close()  # one LMDB handle per directory per process
    try:
        roots = type(net.chain).replay(net.data_dir, net.genesis, net.manager, into=tmp_path / "replayed")
    finally:
        net.reopen()
    assert roots[head.height] == head.state_root


def test_a_genesis_parameter_override_is_enforced(tmp_path: Path) -> None:
    net = LedgerNet.create(tmp_path / "c", plugins=[tonomy_pay], parameters={"pay": {"max_memo_bytes": 4}})
    try:
        run(net, LedgerNet.action("pay", "create_token", {"issuer": "alice", "symbol": "AL", "max_supply": 9, "decimals": 0}, "alice@active"), ["alice"])
        run(net, LedgerNet.action("pay", "issue", {"symbol": "AL", "to": "alice", "amount": 9}, "alice@active"), ["alice"])
        receipt = run(net, LedgerNet.action("pay", "transfer", {"from": "alice", "to": "bob", "symbol": "AL", "amount": 1, "memo": "too long"}, "alice@active"), ["alice"])
        assert receipt.error_code == "pay.memo_too_long"
    finally:
        net.close()


class ChainNode:
    """A ChainNode over the real chain: each action is a signed transaction in its own block."""

    def __init__(self, net: Any) -> None:
        self.net = net

    def query(self, plugin: str, name: str, params: Any) -> Any:
        return self.net.chain.query(plugin, name, dict(params))

    def act(self, plugin: str, name: str, data: Any, authorization: Any) -> Any:
        from tonomy.plugin.cli import outcome_from_receipt

        signer = authorization[0].split("@")[0]
        receipt = run(self.net, LedgerNet.action(plugin, name, dict(data), *authorization), ["validator" if signer == "tonomy" else signer])
        return outcome_from_receipt(receipt)


def test_cli_commands_run_as_signed_transactions(net: Any) -> None:
    from click.testing import CliRunner

    from tonomy_pay.cli import pay_cli

    def cli(account: str, *args: str) -> Any:
        return CliRunner().invoke(pay_cli, ["--account", account, *args], obj=ChainNode(net), catch_exceptions=False)

    assert cli("alice", "transfer", "bob", "0.000100", "TONO").output == "sent 0.000100 TONO to bob\n"
    assert cli("bob", "balance").output == "0.000400 TONO\n"
    overdraft = cli("carol", "transfer", "bob", "1", "TONO")
    assert overdraft.exit_code == 1 and "[pay.overdrawn]" in overdraft.output
    assert cli("bob", "request", "create", "0.000010", "TONO").output == "request 1\n"
    assert cli("alice", "request", "pay", "1").exit_code == 0
    assert '"status": "paid"' in cli("bob", "request", "status", "1").output
