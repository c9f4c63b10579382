"""The node API's transport: a small synchronous client, for CLIs, tests and scripts.

:class:`tonomy.sdk.Client` builds on it and adds the trust anchor (chain id, validator
set, commit checks). This client alone trusts no node with state: :meth:`NodeClient.state` decodes the header
the node sent, checks that its hash is the hash the node claims, and verifies the
Merkle proof of the value against that header's state root, all locally. A node
that lies about a value (or its absence) fails verification with
``client.untrusted_answer``. Errors the node reports come back as the same
``tonomy.errors`` classes the node raised, chosen by their stable code.
"""

from __future__ import annotations

import base64
import functools
import os
import ssl
import time
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tonomy import _core
from tonomy.chain.receipts import Receipt
from tonomy.errors import InvalidProofError, TonomyError
from tonomy.node.batch_wire import BATCH_CONTENT_TYPE, TX_ID_SIZE, encode_batch, merge_answer
from tonomy.node.encoding import value_from_json, value_to_json
from tonomy.node.errors import ClientError, UntrustedAnswerError
from tonomy.node.keys import read_key_file
from tonomy.node.problems import error_from_problem
from tonomy.node.sse import parse_sse

DEFAULT_TIMEOUT = 30.0
#: The server caps one wait at this many seconds; longer waits are split.
MAX_WAIT_PER_REQUEST = 60.0


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    id: bytes
    status: str  # "pending" or "committed"
    height: int | None
    receipt: Receipt | None  # once committed: executed or failed, with events

    @property
    def committed(self) -> bool:
        return self.status == "committed"


@dataclass(frozen=True, slots=True)
class VerifiedState:
    """A state value the client verified against ``header`` (None: proven absent)."""

    plugin: str
    key: bytes
    value: bytes | None
    header: _core.BlockHeader
    proof: bytes = b""  # the Merkle proof it was verified with, for re-verification elsewhere


@dataclass(frozen=True, slots=True)
class BlockTransactionIds:
    """The ids of one committed block's transactions, in block order."""

    height: int
    transaction_ids: list[bytes]


@dataclass(frozen=True, slots=True)
class BlockInfo:
    header: _core.BlockHeader
    transaction_ids: list[bytes]


def plugin_state_key(plugin: str, key: bytes) -> bytes:
    """The full key of a record in the authenticated state (what proofs cover).

    Computed here, not taken from the node: a plugin's records live under
    ``p/<plugin>/``, the system's (plugin ``tonomy``) under ``sys/``.
    """
    from tonomy.chain.context import plugin_prefix
    from tonomy.chain.layout import SYSTEM_PREFIX
    from tonomy.chain.names import SYSTEM_NAME

    return SYSTEM_PREFIX + key if plugin == SYSTEM_NAME else plugin_prefix(plugin) + key


def split_state_key(full: bytes) -> tuple[str, bytes]:
    """``(plugin, key)`` of a full state key (the inverse of :func:`plugin_state_key`)."""
    from tonomy.chain.layout import SYSTEM_PREFIX
    from tonomy.chain.names import SYSTEM_NAME

    if full.startswith(SYSTEM_PREFIX):
        return SYSTEM_NAME, full[len(SYSTEM_PREFIX) :]
    if full.startswith(b"p/"):
        plugin, sep, key = full[2:].partition(b"/")
        if sep and key and plugin.isascii():
            return plugin.decode("ascii"), key
    raise ValueError(f"{full!r} is not a full state key")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client of the process: building one loads the
    CA bundle (tens of ms of CPU), which httpx would otherwise redo for each client."""
    return httpx.create_ssl_context()


def decode_header(doc: dict[str, Any]) -> _core.BlockHeader:
    """The header from the node's ``encoded`` bytes, checked against the claimed hash."""
    try:
        header = _core.decode_block_header(bytes.fromhex(doc["encoded"]))
        claimed = bytes.fromhex(doc["hash"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UntrustedAnswerError(f"the node sent an unreadable header: {exc}") from None
    if header.hash != claimed:
        raise UntrustedAnswerError("the header's hash is not the hash the node claims")
    return header


class NodeClient:
    """Talks to one node; use as a context manager or call :meth:`close`."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=timeout, transport=transport, verify=_tls_context())

    def __enter__(self) -> NodeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- transport -------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise ClientError(f"{method} {self.url}{path} timed out") from None
        except httpx.HTTPError as exc:
            raise ClientError(f"cannot reach the node at {self.url}: {exc}") from None
        try:
            doc = response.json()
        except ValueError:
            doc = None
        if response.status_code >= 400:
            raise error_from_problem(doc, response.status_code)
        if doc is None:
            raise ClientError(f"the node answered {method} {path} with something that is not JSON")
        return doc

    def request_json(self, method: str, path: str, body: Any = None) -> Any:
        """Any JSON endpoint (plugins' services under ``/v1/x/<plugin>/``); problems raise by code."""
        return self._request(method, path, json=body) if body is not None else self._request(method, path)

    # -- the event stream --------------------------------------------------------

    def events(
        self,
        *,
        cursor: str | None = None,
        from_height: int | None = None,
        heartbeat: float | None = None,
        idle_timeout: float = 30.0,
    ) -> Iterator[dict[str, Any]]:
        """The chain's events as they commit (``GET /v1/events``), each with its ``id`` cursor.

        Resume after an event with ``cursor=event["id"]``; heartbeats are skipped. The
        iterator ends when the node closes the stream; ``idle_timeout`` seconds without a
        byte (heartbeats included) raise ``client.error``.
        """
        params: dict[str, Any] = {}
        if cursor is not None:
            params["cursor"] = cursor
        if from_height is not None:
            params["from_height"] = str(from_height)
        if heartbeat is not None:
            params["heartbeat"] = heartbeat
        timeout = httpx.Timeout(self._http.timeout.connect, read=idle_timeout)
        try:
            with self._http.stream("GET", "/v1/events", params=params, timeout=timeout) as response:
                if response.status_code >= 400:
                    response.read()
                    try:
                        doc = response.json()
                    except ValueError:
                        doc = None
                    raise error_from_problem(doc, response.status_code)
                for message in parse_sse(response.iter_lines()):
                    if message.comment is None and message.event == "chain":
                        yield json.loads(message.data)
        except httpx.TimeoutException:
            raise ClientError(f"the event stream of {self.url} was silent for {idle_timeout}s") from None
        except httpx.HTTPError as exc:
            raise ClientError(f"the event stream of {self.url} failed: {exc}") from None

    # -- transactions ------------------------------------------------------------

    def submit(self, tx_bytes: bytes) -> bytes:
        """Hand a signed transaction to the node; returns its id (checked against the bytes)."""
        doc = self._request("POST", "/v1/transactions", json={"transaction": base64.b64encode(tx_bytes).decode()})
        tx_id = bytes.fromhex(doc["id"])
        if _core.decode_signed_transaction(tx_bytes).id != tx_id:  # the node accepted it, so it decodes
            raise UntrustedAnswerError("the node answered with an id that is not the transaction's")
        return tx_id

    def submit_many(self, txs: Sequence[bytes]) -> list[bytes | TonomyError]:
        """Hand many signed transactions to the node in one request (``/v1/transactions/batch``).

        One result per transaction, in order: its id (checked against its bytes), or the
        error that refused it, rebuilt from its problem document like a raised one. The
        transactions travel in the binary form, length-prefixed, and the node answers the
        compact form (see :mod:`tonomy.node.batch_wire`).
        """
        doc = self._request(
            "POST", "/v1/transactions/batch", content=encode_batch(txs), headers={"content-type": BATCH_CONTENT_TYPE}
        )
        results = merge_answer(doc, len(txs))
        for tx, result in zip(txs, results):
            if isinstance(result, bytes) and _core.decode_signed_transaction(tx).id != result:
                raise UntrustedAnswerError("the node answered with an id that is not the transaction's")
        return results

    def block_transaction_ids(self, from_height: int, *, timeout: float = 0.0) -> list[BlockTransactionIds]:
        """Transaction ids of committed blocks from ``from_height`` on (``/v1/blocks/transaction-ids``).

        Consecutive blocks, as many as the node answers at once (possibly none); when
        ``from_height`` is the node's next block the node waits up to ``timeout`` seconds
        for it. The ids are the node's word (no header comes with them): for finality a
        client must trust, check blocks against a trust anchor (:class:`tonomy.sdk.Client`).
        """
        step = min(max(timeout, 0.0), MAX_WAIT_PER_REQUEST)
        doc = self._request(
            "GET",
            "/v1/blocks/transaction-ids",
            params={"from_height": str(from_height), "timeout": f"{step:.3f}"},
            timeout=step + 30,
        )
        try:
            out = []
            for expected, block in enumerate(doc["blocks"], start=from_height):
                raw = bytes.fromhex(block["transaction_ids"])
                if block["height"] != expected or len(raw) % TX_ID_SIZE:
                    raise ValueError(f"block {block['height']} is not the expected block {expected} or its ids are cut")
                out.append(BlockTransactionIds(expected, [raw[i : i + TX_ID_SIZE] for i in range(0, len(raw), TX_ID_SIZE)]))
        except (KeyError, TypeError, ValueError) as exc:
            raise UntrustedAnswerError(f"the node sent unreadable block transaction ids: {exc}") from None
        return out

    def wait_many(self, tx_ids: Iterable[bytes], from_height: int, timeout: float = 30.0) -> dict[bytes, int]:
        """Follow committed blocks from ``from_height`` until every id committed or ``timeout``
        passes; ``{id: height}`` of those seen (one long poll per block, ids only).

        Pass a height no later than the head before the transactions were submitted. The
        heights are the node's word, as with :meth:`block_transaction_ids`.
        """
        wanted = set(tx_ids)
        found: dict[bytes, int] = {}
        deadline = time.monotonic() + timeout
        height = from_height
        while wanted:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for block in self.block_transaction_ids(height, timeout=left):
                for tx_id in wanted.intersection(block.transaction_ids):
                    found[tx_id] = block.height
                wanted.difference_update(block.transaction_ids)
                height = block.height + 1
        return found

    def status(self, tx_id: bytes) -> TransactionStatus:
        return _status(self._request("GET", f"/v1/transactions/{tx_id.hex()}"))

    def wait(self, tx_id: bytes, timeout: float = 30.0) -> TransactionStatus:
        """Wait until the transaction commits or ``timeout`` passes; returns its last status."""
        deadline = time.monotonic() + timeout
        while True:
            left = max(0.0, deadline - time.monotonic())
            step = min(left, MAX_WAIT_PER_REQUEST)
            found = _status(
                self._request(
                    "GET", f"/v1/transactions/{tx_id.hex()}/wait", params={"timeout": f"{step:.3f}"}, timeout=step + 30
                )
            )
            if found.committed or left <= 0:
                return found

    def submit_and_wait(self, tx_bytes: bytes, timeout: float = 30.0) -> TransactionStatus:
        return self.wait(self.submit(tx_bytes), timeout)

    def push_action(
        self,
        plugin: str,
        name: str,
        data: Mapping[str, Any],
        authorization: Sequence[str],
        *,
        key_file: str | os.PathLike[str] | None = None,
        seeds: Sequence[bytes] = (),
        timeout: float = 30.0,
    ) -> Receipt:
        """Sign a one-action transaction (key file and/or seeds), submit it, return its receipt.

        The receipt may say ``failed`` (the plugin refused; its code is in ``error_code``);
        a transaction the node refuses outright raises its ``tx.*`` error instead.
        """
        from tonomy.chain.txbuilder import action, build_transaction

        keys = list(seeds)
        if key_file is not None:
            keys.append(read_key_file(key_file).seed)
        head = self.head()
        tx = build_transaction(head.chain_id, head, [action(plugin, name, data, authorization)], keys)
        status = self.submit_and_wait(tx, timeout)
        if status.receipt is None:
            raise ClientError(f"transaction {status.id.hex()} did not commit within {timeout}s (still {status.status})")
        return status.receipt

    # -- blocks and state ------------------------------------------------------------

    def block(self, height: int | None = None) -> BlockInfo:
        """The block at ``height`` (the head when None), its header checked against its hash."""
        path = "/v1/blocks/head" if height is None else f"/v1/blocks/{height}"
        doc = self._request("GET", path)
        header = decode_header(doc["header"])
        if height is not None and header.height != height:
            raise UntrustedAnswerError(f"asked for block {height}, the node sent {header.height}")
        return BlockInfo(header, [bytes.fromhex(i) for i in doc["transactions"]])

    def head(self) -> _core.BlockHeader:
        return self.block().header

    def state(self, plugin: str, key: bytes, height: int | None = None) -> VerifiedState:
        """A plugin's state value (at the head, or at ``height``), verified locally against
        the header the node returns."""
        params = {} if height is None else {"height": str(height)}
        doc = self._request("GET", f"/v1/state/{plugin}/{key.hex()}", params=params)
        header = decode_header(doc["header"])
        if height is not None and header.height != height:
            raise UntrustedAnswerError(f"asked for state at height {height}, the node proved it at {header.height}")
        try:
            value = None if doc["value"] is None else bytes.fromhex(doc["value"])
            proof = bytes.fromhex(doc["proof"])
        except (KeyError, TypeError, ValueError) as exc:
            raise UntrustedAnswerError(f"the node sent an unreadable state answer: {exc}") from None
        try:
            _core.verify_state_proof(header.state_root, plugin_state_key(plugin, key), value, proof)
        except (InvalidProofError, TonomyError) as exc:
            raise UntrustedAnswerError(f"the node's state answer does not verify: {exc}") from None
        return VerifiedState(plugin, key, value, header, proof)

    def query(self, plugin: str, name: str, params: dict[str, Any] | None = None) -> Any:
        """A plugin's query; ``bytes`` travel as ``{"$bytes": hex}`` both ways."""
        doc = self._request("POST", f"/v1/query/{plugin}/{name}", json=value_to_json(params or {}))
        return value_from_json(doc["result"])

    def health(self) -> dict[str, Any]:
        doc: dict[str, Any] = self._request("GET", "/v1/health")
        return doc


def _status(doc: dict[str, Any]) -> TransactionStatus:
    try:
        raw = doc.get("receipt")
        receipt = None if raw is None else receipt_from_json(raw)
        return TransactionStatus(id=bytes.fromhex(doc["id"]), status=doc["status"], height=doc.get("height"), receipt=receipt)
    except (KeyError, TypeError, ValueError, TonomyError) as exc:
        raise UntrustedAnswerError(f"the node sent an unreadable transaction status: {exc}") from None


def receipt_from_json(doc: Any) -> Receipt:
    """A receipt from its JSON form (the stored record with bytes as ``{"$bytes": hex}``)."""
    return Receipt.from_record(value_from_json(doc))


__all__ = [
    "BlockInfo",
    "BlockTransactionIds",
    "NodeClient",
    "TransactionStatus",
    "VerifiedState",
    "decode_header",
    "plugin_state_key",
    "receipt_from_json",
    "split_state_key",
]
