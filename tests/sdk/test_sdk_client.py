"""tonomy.sdk.Client against a real node: chain id pinning, commit-verified state, finality,
events that resume from a cursor, and a lying node (answers tampered in transit) refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tonomy import _core
from tonomy.node.devnet import Devnet
from tonomy.sdk import Client, ClientError, TransactionFailedError, UntrustedAnswerError

Rewrite = Callable[[str, dict[str, Any]], dict[str, Any] | None]


class LyingNode(httpx.BaseTransport):
    """Forwards to the real node and lets a test rewrite its JSON answers (a lying node)."""

    def __init__(self, rewrite: Rewrite) -> None:
        self._real = httpx.HTTPTransport()
        self._rewrite = rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._real.handle_request(request)
        if "json" not in response.headers.get("content-type", ""):
            return response
        response.read()
        changed = self._rewrite(request.url.path, json.loads(response.content))
        if changed is None:
            return response
        return httpx.Response(response.status_code, json=changed)


def lying_client(node_url: str, chain_id: bytes, rewrite: Rewrite) -> Client:
    return Client(node_url, chain_id=chain_id, transport=LyingNode(rewrite))


def flip_hex(text: str, at: int = 0) -> str:
    raw = bytearray(bytes.fromhex(text))
    raw[at] ^= 1
    return raw.hex()


def test_connect_checks_the_chain_id(client: Client, node_url: str) -> None:
    assert client.chain_id.hex() == client.health()["chain_id"]
    assert len(client.validators) == 1
    with pytest.raises(UntrustedAnswerError) as wrong:
        Client.connect(node_url, chain_id=bytes(32))
    assert wrong.value.code == "client.untrusted_answer"
    with Client.connect(node_url) as first_use:  # trust on first use learns the same id
        assert first_use.chain_id == client.chain_id
    with pytest.raises(ValueError):
        Client(node_url, chain_id="zz")


def test_transact_waits_for_finality_and_state_is_proven(client: Client, devnet: Devnet) -> None:
    before = client.record("pay", b"bal/bob/TONO") or 0
    receipt = client.transact(
        [("pay", "transfer", {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 7}, ["alice@active"])],
        [devnet.key_seed("alice")],
    )
    assert receipt.ok
    found = client.state("pay", b"bal/bob/TONO")
    assert found.header.height >= receipt.height
    assert _decode(found.value) == before + 7
    block = client.block(receipt.height)
    assert receipt.tx_id in block.transaction_ids
    # A past height is proven too, with that block's commit.
    assert client.record("pay", b"bal/bob/TONO", height=receipt.height - 1) == before
    assert client.record("pay", b"bal/nobody/TONO") is None  # proven absent


def test_a_failed_transaction_raises_with_the_plugin_code(client: Client, devnet: Devnet) -> None:
    with pytest.raises(TransactionFailedError) as failed:
        client.transact(
            [("pay", "transfer", {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 10**30}, ["alice@active"])],
            [devnet.key_seed("alice")],
        )
    assert failed.value.code == "client.transaction_failed"
    assert failed.value.plugin_code and failed.value.plugin_code.startswith("pay.")


def test_records_are_read_at_one_height(client: Client) -> None:
    proven = client.records([("pay", b"bal/alice/TONO"), ("pay", b"bal/carol/TONO"), ("tonomy", b"acct/alice")])
    assert {s.header.height for s in proven.states} == {proven.header.height}
    assert proven.values[b"sys/acct/alice"] is not None


def _decode(value: bytes | None) -> Any:
    from tonomy.chain import codec

    assert value is not None
    return codec.decode(value)


# -- a lying node --------------------------------------------------------------------------------


def test_a_tampered_state_value_is_refused(client: Client, node_url: str) -> None:
    def rewrite(path: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        if path.startswith("/v1/state/") and doc.get("value"):
            return {**doc, "value": flip_hex(doc["value"], -1)}
        return None

    with lying_client(node_url, client.chain_id, rewrite) as liar, pytest.raises(UntrustedAnswerError):
        liar.state("pay", b"bal/alice/TONO")


def test_a_forged_commit_is_refused(client: Client, node_url: str) -> None:
    """A node that signs a header with a key outside the validator set, or breaks a signature."""
    impostor = b"\x07" * 32

    def forged(path: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        if path.endswith("/commit"):
            height, block_hash = doc["height"], bytes.fromhex(doc["block_hash"])
            key = _core.ed25519_public_key(impostor)
            digest = _core.vote_digest("precommit", client.chain_id, height, 0, block_hash, key)
            vote = _core.Vote("precommit", client.chain_id, height, 0, block_hash, key, _core.ed25519_sign(impostor, digest))
            return {**doc, "commit": _core.encode_commit(_core.Commit([vote])).hex()}
        return None

    def broken(path: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        if path.endswith("/commit"):
            commit = _core.decode_commit(bytes.fromhex(doc["commit"]))
            vote = commit.votes[0]
            signature = bytes.fromhex(flip_hex(vote.signature.hex()))
            bad = _core.Vote(vote.kind, vote.chain_id, vote.height, vote.round, vote.block_hash, vote.validator, signature)
            return {**doc, "commit": _core.encode_commit(_core.Commit([bad])).hex()}
        return None

    def empty(path: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        return {**doc, "commit": _core.encode_commit(_core.Commit([])).hex()} if path.endswith("/commit") else None

    def garbage(path: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        return {**doc, "commit": "00ff"} if path.endswith("/commit") else None

    for rewrite, why in ((forged, "outside the validator set"), (broken, "signature"), (empty, "0 of 1"), (garbage, "unreadable")):
        with lying_client(node_url, client.chain_id, rewrite) as liar:
            with pytest.raises(UntrustedAnswerError, match=why):
                liar.state("pay", b"bal/alice/TONO")
            with pytest.raises(UntrustedAnswerError):
                liar.block()


def test_a_header_from_another_block_is_refused(client: Client, node_url: str) -> None:
    """The proof and the header must agree; a valid older header with a newer proof fails."""
    old = client.block(1).header

    def rewrite(path: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        if path.startswith("/v1/state/"):
            header = dict(doc["header"], encoded=_core.encode_block_header(old).hex(), hash=old.hash.hex())
            return {**doc, "header": header}
        return None

    with lying_client(node_url, client.chain_id, rewrite) as liar, pytest.raises(UntrustedAnswerError):
        liar.state("pay", b"bal/alice/TONO")


def test_a_tampered_genesis_or_transaction_list_is_refused(client: Client, node_url: str) -> None:
    def genesis(path: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        if path == "/v1/genesis":
            return {**doc, "genesis": dict(doc["genesis"], validators=[(b"\x01" * 32).hex()])}
        return None

    with lying_client(node_url, client.chain_id, genesis) as liar, pytest.raises(UntrustedAnswerError, match="chain id"):
        liar.chain_id  # noqa: B018

    def drop_transactions(path: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        return {**doc, "transactions": []} if path.startswith("/v1/blocks/") and "transactions" in doc else None

    height = max(h for h in range(1, client.block().header.height + 1) if client.block(h).transaction_ids)
    with lying_client(node_url, client.chain_id, drop_transactions) as liar, pytest.raises(UntrustedAnswerError):
        liar.block(height)


def test_commit_endpoint_hostile_heights(client: Client) -> None:
    for height in ("0", str(10**12)):
        with pytest.raises(Exception) as missing:
            client._request("GET", f"/v1/blocks/{height}/commit")
        assert getattr(missing.value, "code", None) == "api.unknown_block"
    for bad in ("-1", "x", "1" * 30):
        with pytest.raises(Exception) as refused:
            client._request("GET", f"/v1/blocks/{bad}/commit")
        assert getattr(refused.value, "code", None) in ("api.bad_request", "api.not_found")


# -- events ------------------------------------------------------------------------------------------


def test_subscription_resumes_after_its_cursor(client: Client, devnet: Devnet) -> None:
    for amount in (1, 2, 3):
        client.transact(
            [("pay", "transfer", {"from": "alice", "to": "carol", "symbol": "TONO", "amount": amount}, ["alice@active"])],
            [devnet.key_seed("alice")],
        )
    straight = client.subscribe(from_height=1, heartbeat=0.5)
    expected = [next(straight)["id"] for _ in range(6)]
    straight.close()

    resumed = client.subscribe(from_height=1, heartbeat=0.5, sleep=lambda s: None)
    got = [next(resumed)["id"] for _ in range(3)]
    resumed.close()  # the connection drops; the next read reconnects after the cursor
    got += [next(resumed)["id"] for _ in range(3)]
    resumed.close()
    assert got == expected
    assert resumed.cursor == expected[-1]


class DropsFirstStreams(httpx.BaseTransport):
    def __init__(self, drops: int) -> None:
        self._real = httpx.HTTPTransport()
        self.drops = drops

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/events" and self.drops > 0:
            self.drops -= 1
            raise httpx.ReadError("connection reset")
        return self._real.handle_request(request)


def test_subscription_reconnects_and_gives_up(client: Client, node_url: str) -> None:
    flaky = Client(node_url, chain_id=client.chain_id, transport=DropsFirstStreams(2))
    events = flaky.subscribe(from_height=1, retries=3, sleep=lambda s: None)
    first = next(events)
    assert events.cursor == first["id"]
    assert events.reconnects == 2
    events.close()
    dead = Client(node_url, chain_id=client.chain_id, transport=DropsFirstStreams(10))
    with pytest.raises(ClientError):
        next(dead.subscribe(from_height=1, retries=2, sleep=lambda s: None))
