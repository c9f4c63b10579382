"""Admission: the checks a transaction passes before it may wait in the mempool.

In order, cheapest first (each failure raises a ``tx.*`` error and stores nothing):

1. ``tx.too_large``     more bytes than the wire limit (before parsing);
2. ``tx.malformed``     not a canonical ``SignedTransaction`` (the message names the field);
3. ``tx.wrong_chain``   signed for another chain id;
4. ``tx.expired``       its expiration is before the head block's time;
   ``tx.expiration_too_far``  more than ``max_tx_lifetime_s`` after it;
5. ``tx.tapos``         the reference block is not a block of this chain;
6. ``tx.duplicate``     a block already holds this id;
7. ``tx.unknown_plugin`` / ``tx.unknown_action`` / ``tx.invalid_data``: every action
   names a plugin and action that run here, with data that fits the schema;
8. ``tx.bad_signature`` a signature does not verify (all verified as one batch in the
   core, without the GIL);
9. ``tx.unauthorized``  the signatures do not satisfy the declared authorizations on
   the committed state (the checker's own code, ``auth.*``, is in the message).

The mempool adds its own (``tx.duplicate``, ``tx.mempool_full``, ``tx.quota_exceeded``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from tonomy import _core
from tonomy.chain.execution import ExecutionEngine, check_authority
from tonomy.chain.parameters import ChainParameters
from tonomy.chain.signatures import VerifiedSignatures
from tonomy.chain.state import StateView
from tonomy.errors import (
    BadSignatureError,
    ChainStateError,
    DuplicateTransactionError,
    ExpirationTooFarError,
    MalformedError,
    MalformedTransactionError,
    TaposError,
    TonomyError,
    TooLargeError,
    TransactionExpiredError,
    TransactionTooLargeError,
    TransactionUnauthorizedError,
    WrongChainError,
)

from tonomy.chain import blocks


class AdmittedTransaction(NamedTuple):
    """A transaction that passed admission, with what the mempool needs.

    A named tuple (immutable like a frozen dataclass, and built in a third of the time:
    one is made per transaction on every node)."""

    tx: _core.SignedTransaction
    tx_id: bytes
    raw: bytes
    account: str  # the first declared actor: whose quota it counts against


#: The wire limit, read once (a constant of the core; each read is a getter call).
_MAX_TRANSACTION_BYTES = _core.WIRE_LIMITS.max_transaction_bytes


def decode_transaction(raw: object) -> _core.SignedTransaction:
    if type(raw) is not bytes:  # the usual case skips the isinstance test and the copy
        if not isinstance(raw, (bytes, bytearray, memoryview)):
            raise MalformedTransactionError(f"a transaction is bytes, got {type(raw).__name__}")
        raw = bytes(raw)
    if len(raw) > _MAX_TRANSACTION_BYTES:
        raise TransactionTooLargeError(f"the transaction is {len(raw)} bytes; at most {_MAX_TRANSACTION_BYTES} are accepted")
    try:
        return _core.decode_signed_transaction(raw)
    except TooLargeError as exc:
        raise TransactionTooLargeError(f"the transaction is too large: {exc.message}") from None
    except MalformedError as exc:
        raise MalformedTransactionError(f"the transaction cannot be read: {exc.message}") from None


def check_expiration(tx: _core.SignedTransaction, time_ms: int, max_lifetime_s: int) -> None:
    """Valid while ``time_ms <= expiration`` and at most ``max_lifetime_s`` ahead of ``time_ms``."""
    check_body_expiration(tx.body, time_ms, max_lifetime_s)


def check_body_expiration(body: _core.TransactionBody, time_ms: int, max_lifetime_s: int) -> None:
    """:func:`check_expiration` on a body already read (reading ``tx.body`` copies it)."""
    expiration_ms = body.expiration * 1000
    if expiration_ms < time_ms:
        raise TransactionExpiredError(
            f"the transaction expired at {body.expiration} s, before the chain time {time_ms // 1000} s; sign it again"
        )
    if expiration_ms - time_ms > max_lifetime_s * 1000:
        raise ExpirationTooFarError(
            f"the transaction expires {(expiration_ms - time_ms) // 1000} s after the chain time; at most {max_lifetime_s} s are allowed"
        )


def reference_height(ref_block_num: int, head_height: int) -> int | None:
    """The most recent height at or below the head whose low 32 bits are ``ref_block_num``."""
    candidate = (head_height & ~0xFFFF_FFFF) | ref_block_num
    if candidate > head_height:
        candidate -= 1 << 32
    return candidate if candidate >= 0 else None


def check_tapos(
    tx: _core.SignedTransaction, store: _core.Store, head: _core.BlockHeader, known: dict[int, bytes | None] | None = None
) -> None:
    """The reference block must be a block of this chain below ``head``, with a matching hash prefix.

    ``known`` (block hashes by height, for one head) saves reading the same block's hash
    for every transaction of a batch: a stored block hash never changes.
    """
    check_body_tapos(tx.body, store, head, known)


def check_body_tapos(
    body: _core.TransactionBody, store: _core.Store, head: _core.BlockHeader, known: dict[int, bytes | None] | None = None
) -> None:
    """:func:`check_tapos` on a body already read."""
    ref_block_num = body.ref_block_num
    height = reference_height(ref_block_num, head.height)
    if height is None:
        stored_hash = None
    elif known is None:
        stored_hash = store.aux_get(blocks.META, blocks.hash_key(height))
    elif height in known:
        stored_hash = known[height]
    else:
        stored_hash = known[height] = store.aux_get(blocks.META, blocks.hash_key(height))
    if stored_hash is None:
        raise TaposError(f"the reference block {ref_block_num} is not a block of this chain (head is {head.height})")
    if stored_hash[:8] != body.ref_block_prefix:
        raise TaposError(
            f"the reference block prefix does not match block {height} of this chain: the transaction was built on another fork or chain"
        )


def check_signatures(tx: _core.SignedTransaction) -> None:
    signatures = tx.signatures
    try:
        results = _core.ed25519_verify_batch(
            [signature.public_key for signature in signatures],
            [tx.id] * len(signatures),
            [signature.signature for signature in signatures],
        )
    except TonomyError as exc:
        raise BadSignatureError(f"the signatures cannot be checked: {exc.message}") from None
    for index, ok in enumerate(results):
        if not ok:
            key = signatures[index].public_key.hex()[:16]
            raise BadSignatureError(f"signature {index} (key {key}…) does not sign this transaction")


def check_block_transactions(
    txs: Sequence[_core.SignedTransaction],
    ids: Sequence[bytes],
    signature_problems: Sequence[BadSignatureError | None],
    *,
    chain_id: bytes,
    store: _core.Store,
    head: _core.BlockHeader,
    time_ms: int,
    params: ChainParameters,
) -> None:
    """The admission checks a block's transactions pass again on top of ``head``: chain,
    expiry at the block's time, TAPOS, their signatures (verdicts already taken, one per
    transaction, in its usual place among its checks), no duplicate in or before the block.
    Raises ``ChainStateError`` naming the first transaction that fails."""
    seen: set[bytes] = set()
    block_hashes: dict[int, bytes | None] = {}
    for tx, tx_id, signature_problem in zip(txs, ids, signature_problems, strict=True):
        try:
            body = tx.body  # each read copies the body: once per transaction
            if body.chain_id != chain_id:
                raise ChainStateError("a transaction is for another chain")
            check_body_expiration(body, time_ms, params.max_tx_lifetime_s)
            check_body_tapos(body, store, head, block_hashes)
            if signature_problem is not None:
                raise signature_problem
        except TonomyError as exc:
            raise ChainStateError(f"transaction {tx_id.hex()[:16]}… cannot be in this block: {exc}") from None
        if tx_id in seen or store.aux_get(blocks.TX_INDEX, tx_id) is not None:
            raise ChainStateError(f"transaction {tx_id.hex()[:16]}… is in a block already")
        seen.add(tx_id)


@dataclass(frozen=True, slots=True)
class AdmissionContext:
    """What admission checks a transaction against: the committed chain at one head."""

    chain_id: bytes
    head: _core.BlockHeader
    store: _core.Store
    state: StateView
    params: ChainParameters
    engine: ExecutionEngine
    #: Block hashes read for tapos, by height (valid for this context's head only).
    block_hashes: dict[int, bytes | None] = field(default_factory=dict)
    #: The node's clock (Unix ms), if it has one: the next block's time is at least this,
    #: so expiry counts from it when the head is older (a fresh network's genesis head can
    #: be months old). Node-local, like all of admission; blocks never read it.
    now_ms: int | None = None


def check_before_signatures(raw: object, ctx: AdmissionContext) -> tuple[_core.SignedTransaction, bytes, str]:
    """Checks 1 to 7 (everything before the signatures).

    Returns the transaction, its id and its first declared actor (whose mempool quota it
    counts against); the body is read once (each ``tx.body`` is a copy).
    """
    return checker_before_signatures(ctx)(raw)


def admission_time_ms(ctx: AdmissionContext) -> int:
    """The time expiry is counted from: the head's, or the node's clock if that is later."""
    head_ms = ctx.head.time
    return head_ms if ctx.now_ms is None or ctx.now_ms <= head_ms else ctx.now_ms


def checker_before_signatures(ctx: AdmissionContext) -> Callable[[object], tuple[_core.SignedTransaction, bytes, str]]:
    """:func:`check_before_signatures` for many transactions against one context: what
    every transaction reads from the context is read once."""
    chain_id, store, head, known = ctx.chain_id, ctx.store, ctx.head, ctx.block_hashes
    time_ms, max_lifetime_s = admission_time_ms(ctx), ctx.params.max_tx_lifetime_s
    aux_get, decode_action = store.aux_get, ctx.engine.decode_action
    tx_index = blocks.TX_INDEX

    def check(raw: object) -> tuple[_core.SignedTransaction, bytes, str]:
        tx = decode_transaction(raw)
        body = tx.body
        if body.chain_id != chain_id:
            raise WrongChainError(f"the transaction is for chain {body.chain_id.hex()[:16]}…, this is {chain_id.hex()[:16]}…")
        check_body_expiration(body, time_ms, max_lifetime_s)
        check_body_tapos(body, store, head, known)
        tx_id = tx.id
        if aux_get(tx_index, tx_id) is not None:
            raise DuplicateTransactionError(f"transaction {tx_id.hex()} is already in a block")
        actions = body.actions
        for action in actions:
            decode_action(action.plugin, action.name, action.data)
        return tx, tx_id, actions[0].authorization[0].actor

    return check


class WaitingTransactions(Protocol):
    """Where admitted transactions wait for a block (the mempool), as admission uses it."""

    def __contains__(self, tx_id: object) -> bool: ...

    def add(self, entry: AdmittedTransaction, *, max_size: int, max_per_account: int) -> None: ...


def admit_many(
    raws: Sequence[object], ctx: AdmissionContext, verified: VerifiedSignatures, waiting: WaitingTransactions | None
) -> list[AdmittedTransaction | TonomyError]:
    """Admit each of ``raws`` as :func:`admit` would, in order; one result per transaction.

    Checks 1 to 7 run per transaction, then the signatures of all that passed them are
    verified together (``verified`` remembers what this node verified), then check 9.
    With ``waiting`` (the mempool), a transaction already waiting is refused before the
    costly checks, and each one admitted is added to it.
    """
    check = checker_before_signatures(ctx)
    params = ctx.params
    results: list[AdmittedTransaction | TonomyError | None] = []
    checked: list[tuple[int, _core.SignedTransaction, bytes, str]] = []
    for raw in raws:
        try:
            tx, tx_id, account = check(raw)
            if waiting is not None and tx_id in waiting:  # what the mempool would answer, before the costly checks
                raise DuplicateTransactionError(f"transaction {tx_id.hex()} is already waiting for a block")
        except TonomyError as exc:
            results.append(exc)
            continue
        checked.append((len(results), tx, tx_id, account))
        results.append(None)
    problems = verified.check([c[1] for c in checked], [c[2] for c in checked])
    for (index, tx, tx_id, account), problem in zip(checked, problems, strict=True):
        try:
            if problem is not None:
                raise problem
            raw = raws[index]
            assert isinstance(raw, (bytes, bytearray, memoryview))  # it decoded
            entry = finish_admission(bytes(raw), tx, tx_id, account, ctx)
            if waiting is not None:
                waiting.add(entry, max_size=params.mempool_max, max_per_account=params.mempool_max_per_account)
            results[index] = entry
        except TonomyError as exc:
            results[index] = exc
    return [r for r in results if r is not None]


def finish_admission(raw: bytes, tx: _core.SignedTransaction, tx_id: bytes, account: str, ctx: AdmissionContext) -> AdmittedTransaction:
    """Check 9 (authority on the committed state), once the signatures verified."""
    check_authority(ctx.state, tx, ctx.params)
    return AdmittedTransaction(tx, tx_id, raw, account)


def admit(
    raw: object,
    *,
    chain_id: bytes,
    head: _core.BlockHeader,
    store: _core.Store,
    state: StateView,
    params: ChainParameters,
    engine: ExecutionEngine,
) -> AdmittedTransaction:
    """Run every admission check on ``raw`` against the committed chain; raises a ``tx.*`` error."""
    ctx = AdmissionContext(chain_id, head, store, state, params, engine)
    tx, tx_id, account = check_before_signatures(raw, ctx)
    assert isinstance(raw, (bytes, bytearray, memoryview))  # decode_transaction refused anything else
    check_signatures(tx)
    return finish_admission(bytes(raw), tx, tx_id, account, ctx)
