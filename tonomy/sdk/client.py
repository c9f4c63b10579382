"""``tonomy.sdk.Client``: a node API client that trusts nothing but a chain id.

On top of :class:`~tonomy.sdk.node_api.NodeClient` (transport, error mapping, proof
checks against the header a node sends) it

* takes the genesis from the node and checks it hashes to the expected chain id
  (:class:`~tonomy.sdk.trust.TrustAnchor`), which gives the validator set;
* verifies every header it hands out, or uses to verify a proof, against that
  header's commit: more than two thirds of the validators precommitted it;
* checks a block's transaction ids against its header's transaction root, so
  :meth:`wait_final` proves a transaction is in a finalized block;
* builds and signs transactions locally (``tonomy.chain.txbuilder``): keys never
  leave the process;
* resumes an event subscription from its cursor when the connection drops.

What stays the node's word: query results (``/v1/query``), receipts (whether each
action executed) and events. Anything an app decides on (a login, a payment) is read
with :meth:`state`/:meth:`records`, which are proven.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tonomy import _core
from tonomy.chain import codec, validator_set
from tonomy.chain.receipts import Receipt
from tonomy.errors import TonomyError
from tonomy.node.errors import ClientError, UntrustedAnswerError
from tonomy.sdk.errors import TransactionFailedError
from tonomy.sdk.node_api import DEFAULT_TIMEOUT, BlockInfo, NodeClient, TransactionStatus, VerifiedState, plugin_state_key
from tonomy.sdk.trust import TrustAnchor, check_finalized, offered_set, vouched_by

#: Verified headers kept (by height) so repeated reads at one height cost one commit fetch.
VERIFIED_CACHE_SIZE = 256
#: Verified set changes remembered (plus the genesis set); headers fetched to follow one change.
TRUSTED_SETS_KEPT = 64
MAX_BISECTIONS = 32

ActionTuple = tuple[str, str, Mapping[str, Any], Sequence[str]]  # plugin, name, data, authorization


def parse_chain_id(chain_id: bytes | str | None) -> bytes | None:
    """A chain id given as 32 bytes or 64 hex digits (None: trust on first use)."""
    if chain_id is None:
        return None
    if isinstance(chain_id, str):
        try:
            chain_id = bytes.fromhex(chain_id)
        except ValueError:
            raise ValueError("a chain id is 64 hex digits") from None
    if type(chain_id) is not bytes or len(chain_id) != 32:
        raise ValueError("a chain id is 32 bytes")
    return chain_id


@dataclass(frozen=True, slots=True)
class ProvenRecords:
    """Records read with proofs at one verified header (values decoded, by full state key; None: proven absent)."""

    header: _core.BlockHeader
    values: dict[bytes, Any]
    states: tuple[VerifiedState, ...]


class Client(NodeClient):
    """A client of one node that verifies what it returns (see the module docstring).

    ``chain_id`` pins the network. Without it the first genesis the node sends is
    trusted (trust on first use; :attr:`chain_id` then tells what to pin next time).
    """

    def __init__(
        self,
        url: str,
        *,
        chain_id: bytes | str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(url, timeout=timeout, transport=transport)
        self._expected_chain_id = parse_chain_id(chain_id)
        self._anchor: TrustAnchor | None = None
        self._verified: OrderedDict[int, bytes] = OrderedDict()  # height -> verified header hash
        #: height -> the validator set that signed that verified header (height 1: the genesis set)
        self._trusted_sets: dict[int, validator_set.ValidatorSet] = {}

    @classmethod
    def connect(cls, url: str, *, chain_id: bytes | str | None = None, **options: Any) -> Client:
        """A client whose chain id is checked now (``client.untrusted_answer`` if it differs)."""
        client = cls(url, chain_id=chain_id, **options)
        try:
            client.anchor  # noqa: B018 - fetches and checks the genesis
        except BaseException:
            client.close()
            raise
        return client

    def __enter__(self) -> Client:
        return self

    # -- the trust anchor -------------------------------------------------------------

    @property
    def anchor(self) -> TrustAnchor:
        if self._anchor is None:
            doc = self._request("GET", "/v1/genesis")
            record = doc.get("genesis") if isinstance(doc, dict) else None
            if not isinstance(record, dict):
                raise UntrustedAnswerError("the node sent no genesis record")
            self._anchor = TrustAnchor.from_genesis(record, self._expected_chain_id)
        return self._anchor

    @property
    def chain_id(self) -> bytes:
        return self.anchor.chain_id

    @property
    def validators(self) -> tuple[bytes, ...]:
        return self.anchor.validators

    def commit(self, height: int) -> _core.Commit:
        """The commit the node stores for block ``height`` (decoded, not yet checked)."""
        doc = self._request("GET", f"/v1/blocks/{height}/commit")
        try:
            return _core.decode_commit(bytes.fromhex(doc["commit"]))
        except (KeyError, TypeError, ValueError, TonomyError) as exc:
            raise UntrustedAnswerError(f"the node sent an unreadable commit: {exc}") from None

    def verify_header(self, header: _core.BlockHeader) -> _core.BlockHeader:
        """``header`` if its commit (fetched from the node) finalizes it for the validator set."""
        anchor = self.anchor
        if self._verified.get(header.height) == header.hash:
            self._verified.move_to_end(header.height)
            return header
        if header.height < 1:
            raise UntrustedAnswerError("the genesis header has no commit; wait for block 1")
        self._trusted_sets.setdefault(1, anchor.weighted)
        self._check_finalized(header, self.commit(header.height), [MAX_BISECTIONS])
        self._verified[header.height] = header.hash
        while len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return header

    def _check_finalized(self, header: _core.BlockHeader, commit: _core.Commit, bisections: list[int]) -> None:
        """Check ``header`` from the nearest verified height at or below it, following set changes (trust.py)."""
        base_height = max(height for height in self._trusted_sets if height <= header.height)
        base = self._trusted_sets[base_height]
        if header.validator_set_hash == validator_set.set_hash(base):
            check_finalized(self.chain_id, header, commit, base)
            return
        offered = offered_set(NodeClient.query(self, "tonomy", "validators", {}), header.validator_set_hash)
        if offered is None:
            raise UntrustedAnswerError(f"the node offers no validator set that block {header.height} names")
        check_finalized(self.chain_id, header, commit, offered)
        if not vouched_by(commit, base):
            if header.height - base_height <= 1 or bisections[0] <= 0:
                raise UntrustedAnswerError(
                    f"block {header.height} is signed by a validator set that replaced more than two thirds of the "
                    f"power of the set trusted at height {base_height}; it cannot be followed"
                )
            bisections[0] -= 1  # one budget for the whole walk, however it branches
            middle = (base_height + header.height) // 2
            self._check_finalized(NodeClient.block(self, middle).header, self.commit(middle), bisections)
            self._check_finalized(header, commit, bisections)
            return
        self._trusted_sets[header.height] = offered
        while len(self._trusted_sets) > TRUSTED_SETS_KEPT:
            del self._trusted_sets[min(height for height in self._trusted_sets if height != 1)]

    # -- verified reads (override the transport's unverified-header reads) -------------

    def block(self, height: int | None = None) -> BlockInfo:
        """A finalized block: header verified by its commit, transaction ids by its root."""
        info = super().block(height)
        self.verify_header(info.header)
        if _core.merkle_root(list(info.transaction_ids)) != info.header.transaction_root:
            raise UntrustedAnswerError(f"block {info.header.height}'s transaction list does not match its root")
        return info

    def state(self, plugin: str, key: bytes, height: int | None = None) -> VerifiedState:
        """A state value proven under a verified header (at the head, or at ``height``)."""
        found = super().state(plugin, key, height)
        self.verify_header(found.header)
        return found

    def record(self, plugin: str, key: bytes, height: int | None = None) -> Any:
        """A proven state value decoded from the canonical codec (None when proven absent)."""
        found = self.state(plugin, key, height)
        return None if found.value is None else _decode_record(found.value)

    def records(self, keys: Iterable[tuple[str, bytes]], height: int | None = None) -> ProvenRecords:
        """Several ``(plugin, key)`` values proven at ONE verified height (the head's by default)."""
        wanted = list(keys)
        if not wanted:
            raise ValueError("records() needs at least one key")
        first = self.state(wanted[0][0], wanted[0][1], height)
        states = [first] + [self.state(plugin, key, first.header.height) for plugin, key in wanted[1:]]
        values = {plugin_state_key(s.plugin, s.key): None if s.value is None else _decode_record(s.value) for s in states}
        return ProvenRecords(first.header, values, tuple(states))

    # -- transactions --------------------------------------------------------------------

    def build(
        self, actions: Sequence[ActionTuple], seeds: Sequence[bytes], *, expires_in_s: int = 120, nonce: int = 0
    ) -> bytes:
        """A signed transaction of ``actions`` for this chain (TAPOS from the node's head)."""
        from tonomy.chain.txbuilder import action, build_transaction

        built = [action(plugin, name, data, authorization) for plugin, name, data, authorization in actions]
        head = self.head()  # verified: TAPOS then names a finalized block of this chain
        return build_transaction(self.chain_id, head, built, list(seeds), expires_in_s=expires_in_s, nonce=nonce)

    def wait_final(self, tx_id: bytes, timeout: float = 30.0) -> TransactionStatus:
        """Wait until ``tx_id`` is in a block this client verified as finalized.

        Returns the committed status (its receipt is the node's word, its inclusion is
        proven); raises ``client.error`` if it is not committed within ``timeout``.
        """
        found = self.wait(tx_id, timeout)
        if not found.committed or found.height is None:
            raise ClientError(f"transaction {tx_id.hex()} did not commit within {timeout}s (still {found.status})")
        if tx_id not in self.block(found.height).transaction_ids:
            raise UntrustedAnswerError(f"the node says {tx_id.hex()} is in block {found.height}, but it is not")
        return found

    def transact(
        self,
        actions: Sequence[ActionTuple],
        seeds: Sequence[bytes],
        *,
        timeout: float = 30.0,
        expires_in_s: int = 120,
        nonce: int = 0,
        require_executed: bool = True,
    ) -> Receipt:
        """Build, sign, submit, wait for finality; returns the receipt.

        With ``require_executed`` a receipt that says ``failed`` raises the plugin's error
        (its stable code) instead of being returned.
        """
        tx = self.build(actions, seeds, expires_in_s=expires_in_s, nonce=nonce)
        status = self.wait_final(self.submit(tx), timeout)
        receipt = status.receipt
        if receipt is None:
            raise UntrustedAnswerError(f"the node sent no receipt for committed transaction {status.id.hex()}")
        if require_executed and not receipt.ok:
            raise TransactionFailedError(
                f"transaction {receipt.tx_id.hex()} failed: {receipt.error_code}: {receipt.error_message}", receipt=receipt
            )
        return receipt

    # -- events ------------------------------------------------------------------------------

    def subscribe(
        self,
        *,
        cursor: str | None = None,
        from_height: int | None = None,
        heartbeat: float | None = None,
        idle_timeout: float = 30.0,
        retries: int = 5,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Subscription:
        """Events as they commit; after a dropped connection it resumes after the last event
        delivered (no gap, no duplicate), up to ``retries`` times in a row."""
        return Subscription(self, cursor, from_height, heartbeat, idle_timeout, retries, backoff, sleep)


class Subscription(Iterator[dict[str, Any]]):
    """An event iterator with a :attr:`cursor` (the id of the last event it yielded)."""

    def __init__(
        self,
        client: NodeClient,
        cursor: str | None,
        from_height: int | None,
        heartbeat: float | None,
        idle_timeout: float,
        retries: int,
        backoff: float,
        sleep: Callable[[float], None],
    ) -> None:
        self.cursor = cursor
        self.reconnects = 0
        self._client, self._from_height = client, from_height
        self._heartbeat, self._idle_timeout = heartbeat, idle_timeout
        self._retries, self._backoff, self._sleep = retries, backoff, sleep
        self._stream: Iterator[dict[str, Any]] | None = None
        self._failures = 0

    def _open(self) -> Iterator[dict[str, Any]]:
        start = {"cursor": self.cursor} if self.cursor is not None else {"from_height": self._from_height}
        return self._client.events(heartbeat=self._heartbeat, idle_timeout=self._idle_timeout, **start)

    def __next__(self) -> dict[str, Any]:
        while True:
            if self._stream is None:
                self._stream = self._open()
            try:
                event = next(self._stream)
            except (ClientError, StopIteration) as exc:
                self._stream = None
                self._failures += 1
                if self._failures > self._retries:
                    if isinstance(exc, StopIteration):
                        raise ClientError("the node keeps closing the event stream") from None
                    raise
                self.reconnects += 1
                self._sleep(self._backoff * self._failures)
                continue
            self._failures = 0
            self.cursor = event["id"]
            return event

    def close(self) -> None:
        stream, self._stream = self._stream, None
        close = getattr(stream, "close", None)
        if close is not None:
            close()


def _decode_record(value: bytes) -> Any:
    try:
        return codec.decode(value)
    except TonomyError as exc:
        raise UntrustedAnswerError(f"a proven value is not a canonical record: {exc}") from None


__all__ = ["ActionTuple", "Client", "ProvenRecords", "Subscription", "parse_chain_id"]
