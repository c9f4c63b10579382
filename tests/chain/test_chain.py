"""The chain: genesis, blocks and headers, storage, proofs, restart, replay, followers, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tonomy import _core
from tonomy.chain import blocks, codec, validator_set
from tonomy.chain.chain import Chain, replay
from tonomy.chain.genesis import Genesis, GenesisAccount
from tonomy.chain.parameters import ChainParameters
from tonomy.errors import ChainStateError, GenesisError, InvalidInputError, InvalidProofError, TransactionRejectedError
from tonomy.testing.ledger import GENESIS_TIME_MS, LedgerNet, build_manager, make_genesis, public_key, seed


def write(owner: str = "alice", key: str = "k", text: str = "hello") -> _core.Action:
    return LedgerNet.action("notes", "write", {"owner": owner, "key": key, "text": text}, f"{owner}@active")


# -- genesis -------------------------------------------------------------------------------------


def test_genesis_json_round_trips_and_names_the_chain(net: LedgerNet, tmp_path: Path) -> None:
    genesis = net.genesis
    path = tmp_path / "genesis.json"
    genesis.save(path)
    loaded = Genesis.load(path)
    assert loaded == genesis and loaded.chain_id == genesis.chain_id == net.chain.chain_id
    assert genesis.chain_id == _core.hash_plain(codec.encode(genesis.to_record()))
    changes = [
        replace(genesis, chain_name="other"),
        replace(genesis, initial_time_ms=genesis.initial_time_ms + 1),
        replace(genesis, validators=(public_key("someone"),)),
        replace(genesis, accounts=genesis.accounts[:-1]),
        replace(genesis, parameters={"tonomy": {"max_events": 3}}),
    ]
    assert len({genesis.chain_id, *(changed.chain_id for changed in changes)}) == len(changes) + 1


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"chain_name": "x"}',
        '{"chain_name": "x", "initial_time_ms": 0, "validators": []}',
        '{"chain_name": "x", "initial_time_ms": 0, "validators": ["00"]}',
        '{"chain_name": "x", "initial_time_ms": -1, "validators": ["' + "11" * 32 + '"]}',
        '{"chain_name": "x", "initial_time_ms": 0, "validators": ["' + "11" * 32 + '"], "surprise": 1}',
    ],
)
def test_malformed_genesis_files_are_refused(text: str) -> None:
    with pytest.raises(GenesisError):
        Genesis.from_json(text)


def test_genesis_writes_accounts_and_parameters(net: LedgerNet) -> None:
    for name in ("tonomy", "alice", "dave"):
        assert net.chain.get_state("tonomy", f"acct/{name}".encode())[0] is not None
    assert net.chain.parameters() == ChainParameters.defaults()
    value, _, _ = net.chain.get_state("tonomy", b"param/notes/max_text")
    assert value is not None and codec.decode(value) == 256


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        ({"tonomy": {"max_events": -1}}, "refused"),
        ({"tonomy": {"no_such": 1}}, "no plugin defines"),
        ({"ghost": {"x": 1}}, "no plugin defines"),
        ({"notes": {"max_text": "long"}}, "refused"),
    ],
)
def test_genesis_parameters_are_validated(tmp_path: Path, ledger_manager: Any, parameters: Any, problem: str) -> None:
    genesis = make_genesis(ledger_manager, parameters=parameters)
    with pytest.raises(GenesisError) as caught:
        Chain.open(tmp_path / "c", genesis, ledger_manager)
    assert problem in str(caught.value)


def test_the_plugin_set_must_match_the_genesis(tmp_path: Path, ledger_manager: Any) -> None:
    genesis = make_genesis(ledger_manager)
    wrong_version = replace(genesis, plugins=(("notes", "2.0.0"), ("relay", "0.1.0")))
    extra = replace(genesis, plugins=(*genesis.plugins, ("pay", "1.0.0")))
    for bad, text in ((wrong_version, "pinned at version 2.0.0"), (extra, "pay 1.0.0 is pinned but not loaded")):
        with pytest.raises(GenesisError) as caught:
            Chain.open(tmp_path / "c", bad, ledger_manager)
        assert text in str(caught.value)
    assert not (tmp_path / "c").exists()  # refused before anything was created


def test_loaded_plugins_the_genesis_does_not_pin_are_ignored(tmp_path: Path, ledger_manager: Any) -> None:
    genesis = replace(make_genesis(ledger_manager), plugins=(("notes", "1.0.0"),))
    net = LedgerNet.create(tmp_path / "c", manager=ledger_manager, genesis=genesis)
    try:
        assert [record.name for record in net.chain.registry.plugins] == ["notes"]
        with pytest.raises(TransactionRejectedError) as caught:
            net.submit(LedgerNet.action("relay", "forward", {"owner": "alice", "key": "k", "text": "x"}, "alice@active"), ["alice"])
        assert caught.value.code == "tx.unknown_plugin"
        net.submit(write(), ["alice"])
    finally:
        net.close()


def test_a_data_dir_belongs_to_one_chain(net: LedgerNet) -> None:
    net.close()
    other = replace(net.genesis, chain_name="another")
    with pytest.raises(ChainStateError):
        Chain.open(net.data_dir, other, net.manager)
    net.reopen()


def test_genesis_accounts_may_be_multisig(tmp_path: Path, ledger_manager: Any) -> None:
    genesis = replace(
        make_genesis(ledger_manager, accounts=["alice"]),
        accounts=(GenesisAccount("dao", "dao", (public_key("m1"), public_key("m2"), public_key("m3")), threshold=2),),
    )
    net = LedgerNet.create(tmp_path / "c", manager=ledger_manager, genesis=genesis)
    try:
        with pytest.raises(TransactionRejectedError):
            net.submit(write(owner="dao"), ["m1"])
        net.submit(write(owner="dao"), ["m1", "m3"])
    finally:
        net.close()


# -- blocks ---------------------------------------------------------------------------------


def test_a_block_header_commits_to_its_contents(net: LedgerNet) -> None:
    genesis_header = net.chain.head
    assert genesis_header.height == 0 and genesis_header.time == GENESIS_TIME_MS
    ids = [net.submit(write(key=str(i)), ["alice"]) for i in range(3)]
    header = net.produce(GENESIS_TIME_MS + 1234)
    assert header == net.chain.head
    assert header.chain_id == net.chain.chain_id
    assert (header.height, header.previous_hash, header.time) == (1, genesis_header.hash, GENESIS_TIME_MS + 1234)
    assert header.transaction_root == _core.merkle_root(ids)
    assert header.state_root == net.chain.store.root(1)
    assert header.proposer == public_key("validator")
    assert header.validator_set_hash == validator_set.set_hash(((public_key("validator"), 1),))
    block = net.chain.get_block(1)
    assert block is not None and block.hash == header.hash and [tx.id for tx in block.transactions] == ids
    commit = net.chain.get_commit(1)
    assert commit is not None and blocks.commit_problem(commit, header, [(key, 1) for key in net.genesis.validators]) is None
    # The next block carries that commit and its hash.
    second = net.produce()
    assert second.last_commit_hash == _core.commit_hash(commit)
    assert net.chain.get_block(2).last_commit == commit  # type: ignore[union-attr]


def test_block_time_must_move_forward(net: LedgerNet) -> None:
    head = net.chain.head
    for bad in (head.time, head.time - 1):
        with pytest.raises(InvalidInputError):
            net.chain.produce_block(bad)
    assert net.chain.head == head


def test_a_node_without_a_validator_key_cannot_produce(net: LedgerNet) -> None:
    net.close()
    follower = Chain.open(net.data_dir, net.genesis, net.manager)
    try:
        with pytest.raises(ChainStateError):
            follower.produce_block(follower.head.time + 1000)
    finally:
        follower.close()
        net.reopen()


def test_expired_transactions_are_dropped_not_included(net: LedgerNet) -> None:
    tx_id = net.submit(write(), ["alice"], expires_in_s=2)
    header = net.produce(net.chain.head.time + 10_000)
    assert net.chain.get_block(header.height).transactions == ()  # type: ignore[union-attr]
    assert net.chain.mempool_size == 0 and net.chain.get_receipt(tx_id) is None


def test_block_quota_per_account_defers_the_rest(make_net: Any) -> None:
    net = make_net("quota", parameters={"tonomy": {"max_account_txs_per_block": 1}})
    alice = [net.submit(write(key=str(i)), ["alice"]) for i in range(3)]
    bob = net.submit(write(owner="bob"), ["bob"])
    net.produce()
    assert [tx.id for tx in net.chain.get_block(1).transactions] == [alice[0], bob]
    net.produce()
    net.produce()
    assert [net.chain.get_receipt(tx).height for tx in alice] == [1, 2, 3]


# -- reading: transactions, receipts, proofs --------------------------------------------


def test_transactions_and_receipts_are_found_by_id(net: LedgerNet) -> None:
    raw = net.transaction(write(), ["alice"])
    tx_id = net.chain.submit(raw)
    net.produce()
    stored = net.chain.get_transaction(tx_id)
    assert stored is not None and _core.encode_signed_transaction(stored) == raw
    assert net.chain.get_receipt(tx_id).height == 1  # type: ignore[union-attr]
    assert net.chain.get_transaction(b"\x00" * 32) is None and net.chain.get_receipt(b"\x00" * 32) is None
    assert net.chain.get_block(99) is None and net.chain.get_block(-1) is None


def test_state_proofs_verify_against_the_header(net: LedgerNet) -> None:
    net.submit(write(), ["alice"])
    net.produce()
    value, proof, header = net.chain.get_state("notes", b"alice/k")
    assert value == b"hello" and header == net.chain.head
    _core.verify_state_proof(header.state_root, b"p/notes/alice/k", value, proof)
    with pytest.raises(InvalidProofError):
        _core.verify_state_proof(header.state_root, b"p/notes/alice/k", b"forged", proof)
    absent, absent_proof, _ = net.chain.get_state("notes", b"alice/nothing")
    assert absent is None
    _core.verify_state_proof(header.state_root, b"p/notes/alice/nothing", None, absent_proof)
    account, account_proof, _ = net.chain.get_state("tonomy", b"acct/alice")
    _core.verify_state_proof(header.state_root, b"sys/acct/alice", account, account_proof)
    # An older header's root does not verify the new value.
    with pytest.raises(InvalidProofError):
        _core.verify_state_proof(net.chain.get_block(0).header.state_root, b"p/notes/alice/k", value, proof)  # type: ignore[union-attr]


def test_state_at_an_older_height_verifies_against_that_header(net: LedgerNet) -> None:
    net.submit(write(text="first"), ["alice"])
    first = net.produce()
    net.submit(write(text="second"), ["alice"])
    net.produce()
    value, proof, header = net.chain.get_state("notes", b"alice/k", height=first.height)
    assert value == b"first" and header == first
    _core.verify_state_proof(first.state_root, b"p/notes/alice/k", value, proof)
    assert net.chain.get_state("notes", b"alice/k")[0] == b"second"
    from tonomy.errors import NotFoundError

    with pytest.raises(NotFoundError):
        net.chain.get_state("notes", b"alice/k", height=99)


def test_queries_read_the_head_state_in_order(net: LedgerNet) -> None:
    for key in ("b", "a", "c"):
        net.submit(write(key=key), ["alice"])
    net.submit(write(owner="bob", key="z"), ["bob"])
    net.produce()
    assert net.chain.query("notes", "read", {"owner": "alice", "key": "a"}) == "hello"
    assert net.chain.query("notes", "list", {"owner": "alice"}) == ["alice/a", "alice/b", "alice/c"]
    from tonomy.errors import UnknownQueryError

    with pytest.raises(UnknownQueryError):
        net.chain.query("notes", "nope", {})
    with pytest.raises(InvalidInputError):
        net.chain.query("notes", "read", {"owner": "alice"})


# -- restart, replay, followers ---------------------------------------------------------


def test_restart_continues_where_it_stopped(net: LedgerNet) -> None:
    raw = net.transaction(write(), ["alice"])
    tx_id = net.chain.submit(raw)
    net.produce()
    net.produce()
    head = net.chain.head
    net.reopen()
    assert net.chain.head == head and net.chain.height == 2
    assert net.chain.get_receipt(tx_id).ok  # type: ignore[union-attr]
    with pytest.raises(TransactionRejectedError) as caught:
        net.chain.submit(raw)
    assert caught.value.code == "tx.duplicate"
    net.submit(write(key="after"), ["alice"])
    header = net.produce()
    assert header.height == 3 and header.previous_hash == head.hash
    assert net.chain.get_state("notes", b"alice/after")[0] == b"hello"


def test_replay_recomputes_every_root(net: LedgerNet, tmp_path: Path) -> None:
    for block in range(3):
        net.submit([write(key=f"b{block}"), write(key=f"c{block}")], ["alice"])
        net.submit(LedgerNet.action("notes", "draw", {"owner": "bob", "slot": block}, "bob@active"), ["bob"])
        net.submit(LedgerNet.action("notes", "refuse", {"reason": "x"}, "carol@active"), ["carol"], nonce=block)
        net.produce()
    expected = {height: net.chain.get_block(height).header.state_root for height in range(4)}  # type: ignore[union-attr]
    net.close()
    roots = replay(net.data_dir, net.genesis, net.manager, into=tmp_path / "replayed")
    assert roots == expected
    with pytest.raises(ChainStateError):
        replay(net.data_dir, net.genesis, net.manager, into=tmp_path / "replayed")  # not empty any more
    # The genesis is stored with the chain; the target defaults to a temporary directory.
    assert replay(net.data_dir, plugin_manager=net.manager) == expected
    with pytest.raises(ChainStateError):
        replay(net.data_dir, replace(net.genesis, chain_name="other"), net.manager)
    net.reopen()


def test_a_follower_applies_blocks_and_refuses_a_forged_one(net: LedgerNet, tmp_path: Path) -> None:
    follower = Chain.open(tmp_path / "follower", net.genesis, net.manager, durable=False)
    try:
        for block in range(2):
            net.submit(write(key=f"f{block}"), ["alice"])
            header = net.produce()
            applied = follower.apply_block(net.chain.get_block(header.height), net.chain.get_commit(header.height))  # type: ignore[arg-type]
            assert applied == header and follower.head == header
        net.submit(write(key="forged"), ["alice"])
        header = net.produce()
        real = net.chain.get_block(header.height)
        assert real is not None
        forged_header = _core.BlockHeader(
            header.chain_id, header.height, header.previous_hash, header.time, header.transaction_root,
            b"\x42" * 32, header.proposer, header.validator_set_hash, header.round, header.last_commit_hash,
        )
        before = (follower.head, follower.store.root())
        with pytest.raises(ChainStateError) as caught:
            follower.apply_block(_core.Block(forged_header, list(real.transactions), real.last_commit))
        assert "another header" in str(caught.value)
        assert (follower.head, follower.store.root()) == before
        with pytest.raises(ChainStateError):  # a commit signed for another block does not finalize this one
            follower.apply_block(real, net.chain.get_commit(header.height - 1))
        follower.apply_block(real, net.chain.get_commit(header.height))
        assert follower.store.root() == net.chain.store.root()
    finally:
        follower.close()


# -- determinism across processes -------------------------------------------------------


def test_same_transactions_give_the_same_roots_across_hash_seeds_and_load_orders(tmp_path: Path) -> None:
    script = Path(__file__).with_name("determinism_run.py")
    outputs = []
    for index, (hash_seed, order) in enumerate((("0", "forward"), ("1", "reverse"), ("4242", "forward"), ("random", "reverse"))):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "TONOMY_DISABLE_PLUGIN_AUTOLOAD": "1"}
        done = subprocess.run(
            [sys.executable, str(script), str(tmp_path / f"run{index}"), order], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(done.stdout))
    assert len(outputs[0]) == 5  # genesis and four blocks
    assert len(set(outputs[0].values())) == 5  # every block changed the state
    assert all(output == outputs[0] for output in outputs)


def test_a_follower_refuses_blocks_with_bad_transactions(net: LedgerNet, tmp_path: Path) -> None:
    follower = Chain.open(tmp_path / "follower", net.genesis, net.manager, durable=False)
    try:
        tx_id = net.submit(write(key="once"), ["alice"])
        header = net.produce()
        block = net.chain.get_block(header.height)
        assert block is not None
        follower.apply_block(block, net.chain.get_commit(header.height))
        tx = net.chain.get_transaction(tx_id)
        assert tx is not None
        # Re-including an executed transaction, or one with a forged signature, is refused.
        forged = _core.SignedTransaction(tx.body, [_core.TransactionSignature(public_key("alice"), _core.ed25519_sign(seed("alice"), b"x"))])
        for bad_txs, reason in (([tx], "in a block already"), ([forged], "does not sign")):
            bad = _core.Block(replace_header(follower.head, bad_txs), bad_txs, net.chain.get_commit(header.height))
            before = follower.store.root()
            with pytest.raises(ChainStateError) as caught:
                follower.apply_block(bad)
            assert reason in str(caught.value)
            assert follower.store.root() == before and follower.head == header
    finally:
        follower.close()


def replace_header(head: _core.BlockHeader, txs: list[_core.SignedTransaction]) -> _core.BlockHeader:
    """A header extending ``head`` that claims ``txs`` (roots are irrelevant: checks fail first)."""
    return _core.BlockHeader(
        head.chain_id, head.height + 1, head.hash, head.time + 1000, _core.merkle_root([tx.id for tx in txs]),
        head.state_root, public_key("validator"), head.validator_set_hash, 0, head.last_commit_hash,
    )


def test_the_system_plugin_answers_account_queries(net: LedgerNet) -> None:
    found = net.chain.query("tonomy", "account", {"name": "alice"})
    assert isinstance(found, dict)
    assert (found["name"], found["type"], found["creator"], found["created_at"]) == ("alice", "person", None, 0)
    assert [p["name"] for p in found["permissions"]] == ["active", "owner"]
    assert found["permissions"][0]["authority"]["keys"] == [{"key": public_key("alice"), "weight": 1}]
    assert net.chain.query("tonomy", "account", {"name": "nobody"}) is None
    assert net.chain.query("tonomy", "account", {"name": "Not A Name"}) is None
    from tonomy.errors import UnknownQueryError

    with pytest.raises(UnknownQueryError):
        net.chain.query("tonomy", "nope", {})
    with pytest.raises(InvalidInputError):
        net.chain.query("tonomy", "account", {"who": "alice"})


@pytest.mark.parametrize(
    "call",
    [
        lambda chain: chain.get_state("notes", "text"),
        lambda chain: chain.get_state("Bad Plugin", b"k"),
        lambda chain: chain.get_state("notes", b""),
        lambda chain: chain.get_state("notes", b"k" * 300),
        lambda chain: chain.get_block("1"),
        lambda chain: chain.get_receipt("00" * 32),
        lambda chain: chain.get_transaction(None),
        lambda chain: chain.query("notes", "read", ["owner"]),
    ],
)
def test_hostile_reads_are_clear_errors(net: LedgerNet, call: Any) -> None:
    with pytest.raises(InvalidInputError):
        call(net.chain)


def test_receipts_are_stored_by_location_and_found_by_id_in_either_layout(net: LedgerNet) -> None:
    tx_id = net.submit(write(), ["alice"])
    net.produce()
    receipt = net.chain.get_receipt(tx_id)
    assert receipt is not None and receipt.tx_id == tx_id
    location = net.chain.store.aux_get(blocks.TX_INDEX, tx_id)
    assert location == blocks.tx_location(receipt.height, receipt.index)
    assert net.chain.store.aux_get(blocks.RECEIPTS, location) == receipt.encode()
    assert net.chain.store.aux_get(blocks.RECEIPTS, tx_id) is None
    # A store written before receipts moved keeps them under the id: still found.
    store = net.chain.store
    store.commit(store.latest_version() + 1, {}, [(blocks.RECEIPTS, tx_id, receipt.encode()), (blocks.RECEIPTS, location, None)])
    assert net.chain.get_receipt(tx_id) == receipt
    assert net.chain.get_receipt(os.urandom(32)) is None  # not in the tx index: no receipt
