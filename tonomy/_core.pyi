"""Type stubs for the native core, ``tonomy._core`` (checked by mypy.stubtest).

Errors raised here are ``tonomy.errors`` classes chosen by stable code.
"""

import os
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Self, final

from typing_extensions import disjoint_base

__version__: str
ERROR_CODES: list[str]

# --- hash -------------------------------------------------------------------

def hash_tagged(tag: str, data: bytes) -> bytes:
    """``blake3(tag ‖ 0x00 ‖ data)``; raises InvalidInputError for a bad tag."""

def hash_plain(data: bytes) -> bytes:
    """Plain BLAKE3 (content addressing)."""

# --- merkle -----------------------------------------------------------------

def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962-shaped root over domain-separated BLAKE3; GIL released for large lists."""

def merkle_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Inclusion proof of ``leaves[index]``, sibling first; InvalidInputError if out of range."""

def merkle_verify(root: bytes, leaf: bytes, index: int, count: int, proof: Sequence[bytes]) -> None:
    """None if ``leaf`` is at ``index`` of ``count`` under ``root``; raises InvalidProofError."""

# --- smt (authenticated state) ----------------------------------------------

MAX_STATE_KEY_LEN: int
MAX_STATE_VALUE_LEN: int

def verify_state_proof(root: bytes, key: bytes, value: bytes | None, proof: bytes) -> None:
    """Check that under ``root`` ``key`` holds ``value`` (None: absent).

    Pure: needs no store. Raises InvalidProofError if the proof does not show exactly
    that, InvalidInputError for a root that is not 32 bytes or a bad key.
    """

def empty_state_root() -> bytes:
    """The root of the empty state (the same at every version)."""

# --- store (LMDB) -----------------------------------------------------------

AUX_TABLES: list[str]

@final
class Store:
    """An LMDB data directory: authenticated state, its history and the ledger tables.

    Every commit is one durable LMDB transaction; safe to share between threads.
    """

    def __new__(
        cls,
        path: str | os.PathLike[str],
        *,
        map_size: int | None = None,
        max_map_size: int | None = None,
        max_readers: int | None = None,
        durable: bool = True,
        keep_versions: int | None = None,
    ) -> Store: ...
    def commit(
        self,
        version: int,
        writes: Mapping[bytes, bytes | None] | Iterable[tuple[bytes, bytes | None]],
        aux: Iterable[tuple[str, bytes, bytes | None]] | None = None,
    ) -> bytes:
        """Commit state and aux writes as ``version`` (after the latest); returns the root.

        Raises ConflictError for a version not after the latest, StorageFullError when
        the map cannot grow; on any error nothing is written.
        """

    def preview_root(
        self, version: int, writes: Mapping[bytes, bytes | None] | Iterable[tuple[bytes, bytes | None]]
    ) -> bytes:
        """The root ``commit(version, writes)`` would return, computed without writing
        (a block header must carry it before the block is committed)."""

    def get(self, key: bytes, version: int | None = None) -> bytes | None:
        """The value of ``key`` at ``version`` (latest when None); NotFoundError for an
        unknown or pruned version."""

    def get_with_proof(self, key: bytes, version: int | None = None) -> tuple[bytes | None, bytes]:
        """``(value or None, proof)``, checkable with :func:`verify_state_proof`."""

    def root(self, version: int | None = None) -> bytes:
        """The state root at ``version`` (latest when None)."""

    def latest_version(self) -> int | None:
        """The latest committed version, or None for a fresh store."""

    def aux_get(self, table: str, key: bytes) -> bytes | None:
        """The value under ``key`` in the aux table ``table`` (one of AUX_TABLES)."""

    def aux_range(
        self, table: str, start: bytes | None = None, end: bytes | None = None, limit: int = 1000
    ) -> list[tuple[bytes, bytes]]:
        """Up to ``limit`` pairs with ``start <= key < end``, in key order."""

    def range(
        self, start: bytes | None = None, end: bytes | None = None, limit: int = 1000
    ) -> list[tuple[bytes, bytes]]:
        """Up to ``limit`` latest state pairs with ``start <= key < end``, in key order."""

    def prune(self, keep_from_version: int) -> int:
        """Forget versions before ``keep_from_version``; returns nodes deleted."""

    def map_size(self) -> int:
        """Current size of the LMDB memory map, in bytes."""

    def close(self) -> None:
        """Close once running calls finish; later calls raise StorageError."""

    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> str: ...
    def __enter__(self) -> Store: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool: ...

# --- overlay (execution write overlay) --------------------------------------

@final
class StateOverlay:
    """A block's pending writes over ``store``'s latest state, with nested checkpoints.

    Reads see pending writes first; ``range`` merges both in key order (pending
    deletions hide committed values). Keys are 1 to 256 bytes, values at most 1 MiB
    (InvalidInputError otherwise, nothing changed).
    """

    def __new__(cls, store: Store, *, remember_reads: bool = False, watch: bytes | None = None) -> StateOverlay:
        """``remember_reads``: keep each committed value read for the overlay's life (a
        repeated read costs a lookup); only where the store is not committed under it.
        ``watch``: a key prefix whose changes ``watched_changes`` counts."""
    @property
    def watch(self) -> bytes | None:
        """The watched key prefix, or None."""
    @property
    def watched_changes(self) -> int:
        """Writes and deletions of watched keys so far, plus rollbacks that undid one."""
    def get(self, key: bytes) -> bytes | None: ...
    def get_record(self, key: bytes) -> Any:
        """``codec_decode(get(key))`` in one call; None when absent (CodecError for bytes
        that are not a canonical encoding)."""
    def put(self, key: bytes, value: bytes) -> None: ...
    def delete(self, key: bytes) -> None: ...
    def range(
        self, start: bytes | None = None, end: bytes | None = None, limit: int = 1000
    ) -> list[tuple[bytes, bytes]]:
        """Up to ``limit`` merged pairs with ``start <= key < end``, in key order."""

    def checkpoint(self) -> int:
        """Open a checkpoint; returns the depth (1 for the outermost)."""

    def rollback(self) -> None:
        """Undo the writes since the innermost checkpoint; InvalidInputError if none is open."""

    def release(self) -> None:
        """Keep the writes since the innermost checkpoint (the enclosing one can still undo them)."""

    @property
    def depth(self) -> int: ...
    def write_set(self) -> list[tuple[bytes, bytes | None]]:
        """Every pending entry in key order (None deletes); InvalidInputError while a checkpoint is open."""

    def __len__(self) -> int: ...

@final
class Meter:
    """One transaction's cost: ``state_ops`` and ``bytes_written`` against ``limits``
    (any object with int ``max_state_ops`` and ``max_bytes_written``, read once)."""

    def __new__(cls, limits: Any, state_ops: int | None = None, bytes_written: int | None = None) -> Meter:
        """Counts start at ``state_ops`` and ``bytes_written`` (None: 0); InvalidInputError
        for limits or counts that are not ints from 0 to 2**64-1."""
    @property
    def limits(self) -> Any: ...
    @property
    def state_ops(self) -> int: ...
    @state_ops.setter
    def state_ops(self, value: int) -> None: ...
    @property
    def bytes_written(self) -> int: ...
    @bytes_written.setter
    def bytes_written(self, value: int) -> None: ...
    def charge_op(self) -> None:
        """Count one operation; ResourceLimitError past ``max_state_ops`` (it stays counted)."""
    def charge_write(self, size: int) -> None:
        """Count one operation, then ``size`` bytes; ResourceLimitError past either limit."""
    def refuse_ops(self) -> None:
        """Raise the ResourceLimitError of an operation past the limit."""

@disjoint_base
class PluginState:
    """A plugin's metered namespace of a write overlay: keys of 1 to 256 bytes under
    ``prefix``, values of at most 64 KiB (InvalidInputError), every operation charged to
    ``meter``. ``view.native`` must be a StateOverlay."""

    def __new__(cls, view: Any, prefix: bytes, meter: Meter) -> Self: ...
    @property
    def view(self) -> Any: ...
    @property
    def prefix(self) -> bytes: ...
    @property
    def meter(self) -> Meter: ...
    def get(self, key: bytes) -> bytes | None: ...
    def get_record(self, key: bytes) -> Any: ...
    def put(self, key: bytes, value: bytes) -> None: ...
    def put_record(self, key: bytes, record: Any) -> None: ...
    def delete(self, key: bytes) -> None: ...

# --- crypto (Ed25519) -------------------------------------------------------

def ed25519_public_key(seed: bytes) -> bytes:
    """The 32-byte public key of a 32-byte seed; InvalidInputError for another size."""

def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    """RFC 8032 deterministic 64-byte signature."""

def ed25519_verify(public_key: bytes, message: bytes, signature: bytes, *, use_key_cache: bool = True) -> None:
    """None if valid under the fixed rule set; raises InvalidPublicKeyError or InvalidSignatureError.

    Decoded keys are remembered process-wide (bounded); ``use_key_cache=False`` decodes
    afresh. Verdicts and errors are the same either way."""

def ed25519_verify_batch(
    public_keys: Sequence[bytes], messages: Sequence[bytes], signatures: Sequence[bytes], *, use_key_cache: bool = True
) -> list[bool]:
    """One bool per item, as ``ed25519_verify`` decides it; GIL released; InvalidInputError on length mismatch."""

def ed25519_set_batch_threads(max_threads: int) -> None:
    """Cap the threads of every later batch check in this process; 0 restores the default:
    ``TONOMY_SIGNATURE_THREADS`` if it holds a positive integer (read once), else one per core."""

def ed25519_batch_threads() -> int:
    """The thread cap batch checks use now."""

# --- wire (Cap'n Proto) -----------------------------------------------------

from typing import Literal, final
#
# Values are frozen and compare by value. Constructors check types and fixed
# sizes (InvalidInputError); encoders check the protocol rules (InvalidInputError);
# decoders accept only the canonical encoding within WIRE_LIMITS and raise
# MalformedError / TooLargeError naming the field. See docs/wire.md.

@final
class PermissionLevel:
    """One ``actor@permission`` authorizing an action."""

    def __new__(cls, actor: str, permission: str) -> PermissionLevel: ...
    @property
    def actor(self) -> str: ...
    @property
    def permission(self) -> str: ...

@final
class Action:
    """One call of a plugin's action; ``data`` is encoded as the plugin chooses."""

    def __new__(
        cls, plugin: str, name: str, authorization: Sequence[PermissionLevel], data: bytes = ...
    ) -> Action: ...
    @property
    def plugin(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def authorization(self) -> tuple[PermissionLevel, ...]: ...
    @property
    def data(self) -> bytes: ...

@final
class TransactionBody:
    """What the signers sign (through ``transaction_id``)."""

    def __new__(
        cls,
        chain_id: bytes,
        expiration: int,
        ref_block_num: int,
        ref_block_prefix: bytes,
        actions: Sequence[Action],
        max_ops: int = 0,
        nonce: int = 0,
    ) -> TransactionBody: ...
    @property
    def chain_id(self) -> bytes: ...
    @property
    def expiration(self) -> int: ...
    @property
    def ref_block_num(self) -> int: ...
    @property
    def ref_block_prefix(self) -> bytes: ...
    @property
    def max_ops(self) -> int: ...
    @property
    def nonce(self) -> int: ...
    @property
    def actions(self) -> tuple[Action, ...]: ...

@final
class TransactionSignature:
    """An Ed25519 signature (64 bytes) with its public key (32 bytes)."""

    def __new__(cls, public_key: bytes, signature: bytes) -> TransactionSignature: ...
    @property
    def public_key(self) -> bytes: ...
    @property
    def signature(self) -> bytes: ...

@final
class SignedTransaction:
    """A body, its canonical bytes and its signatures; the constructor encodes the body."""

    def __new__(cls, body: TransactionBody, signatures: Sequence[TransactionSignature]) -> SignedTransaction: ...
    @property
    def body(self) -> TransactionBody: ...
    @property
    def body_bytes(self) -> bytes: ...
    @property
    def signatures(self) -> tuple[TransactionSignature, ...]: ...
    @property
    def id(self) -> bytes:
        """The transaction id, which is also the digest the signers sign."""

@final
class BlockHeader:
    """What the block hash commits to; every hash/key field is 32 bytes, ``time`` in ms."""

    def __new__(
        cls,
        chain_id: bytes,
        height: int,
        previous_hash: bytes,
        time: int,
        transaction_root: bytes,
        state_root: bytes,
        proposer: bytes,
        validator_set_hash: bytes,
        round: int,
        last_commit_hash: bytes,
    ) -> BlockHeader: ...
    @property
    def chain_id(self) -> bytes: ...
    @property
    def height(self) -> int: ...
    @property
    def previous_hash(self) -> bytes: ...
    @property
    def time(self) -> int: ...
    @property
    def transaction_root(self) -> bytes: ...
    @property
    def state_root(self) -> bytes: ...
    @property
    def proposer(self) -> bytes: ...
    @property
    def validator_set_hash(self) -> bytes: ...
    @property
    def round(self) -> int: ...
    @property
    def last_commit_hash(self) -> bytes: ...
    @property
    def hash(self) -> bytes:
        """The block hash of this header."""

@final
class Vote:
    """One validator's vote; ``block_hash`` None is a nil vote."""

    def __new__(
        cls,
        kind: Literal["prevote", "precommit"],
        chain_id: bytes,
        height: int,
        round: int,
        block_hash: bytes | None,
        validator: bytes,
        signature: bytes,
    ) -> Vote: ...
    @property
    def kind(self) -> Literal["prevote", "precommit"]: ...
    @property
    def chain_id(self) -> bytes: ...
    @property
    def height(self) -> int: ...
    @property
    def round(self) -> int: ...
    @property
    def block_hash(self) -> bytes | None: ...
    @property
    def validator(self) -> bytes: ...
    @property
    def signature(self) -> bytes: ...
    @property
    def signing_digest(self) -> bytes:
        """The digest ``signature`` signs."""

@final
class Commit:
    """Precommits that finalize one block, sorted by validator key."""

    def __new__(cls, votes: Sequence[Vote] = ...) -> Commit: ...
    @property
    def votes(self) -> tuple[Vote, ...]: ...

@final
class Block:
    """A header, the block's transactions and the commit of the previous block."""

    def __new__(
        cls, header: BlockHeader, transactions: Sequence[SignedTransaction], last_commit: Commit | None = None
    ) -> Block: ...
    @property
    def header(self) -> BlockHeader: ...
    @property
    def transactions(self) -> tuple[SignedTransaction, ...]: ...
    @property
    def last_commit(self) -> Commit: ...
    @property
    def hash(self) -> bytes:
        """The block hash (= the header hash)."""

@final
class WireLimits:
    """The protocol limits the wire decoders and encoders enforce."""

    @property
    def max_transaction_bytes(self) -> int: ...
    @property
    def max_header_bytes(self) -> int: ...
    @property
    def max_vote_bytes(self) -> int: ...
    @property
    def max_block_bytes(self) -> int: ...
    @property
    def max_actions(self) -> int: ...
    @property
    def max_authorizations(self) -> int: ...
    @property
    def max_signatures(self) -> int: ...
    @property
    def max_name_len(self) -> int: ...
    @property
    def max_action_data_bytes(self) -> int: ...
    @property
    def max_block_transactions(self) -> int: ...
    @property
    def max_commit_votes(self) -> int: ...
    @property
    def traversal_words_per_word(self) -> int: ...
    @property
    def nesting_limit(self) -> int: ...

WIRE_LIMITS: WireLimits

def decode_transaction_body(data: bytes) -> TransactionBody: ...
def encode_transaction_body(body: TransactionBody) -> bytes: ...
def decode_signed_transaction(data: bytes) -> SignedTransaction: ...
def encode_signed_transaction(tx: SignedTransaction) -> bytes: ...
def decode_block_header(data: bytes) -> BlockHeader: ...
def encode_block_header(header: BlockHeader) -> bytes: ...
def decode_block(data: bytes) -> Block: ...
def encode_block(block: Block) -> bytes: ...
def decode_vote(data: bytes) -> Vote: ...
def encode_vote(vote: Vote) -> bytes: ...
def decode_commit(data: bytes) -> Commit: ...
def encode_commit(commit: Commit) -> bytes: ...
def commit_hash(commit: Commit) -> bytes:
    """``hash_with("tonomy/commit/v1", encode_commit(commit))``: a header's ``last_commit_hash``."""

def transaction_id(chain_id: bytes, body: bytes) -> bytes:
    """``hash_with("tonomy/tx/v1", chain_id ‖ body)``; only hashes, does not validate ``body``."""

def header_hash(header: bytes) -> bytes:
    """``hash_with("tonomy/block/v1", header)``; only hashes, does not validate ``header``."""

def vote_digest(
    kind: Literal["prevote", "precommit"],
    chain_id: bytes,
    height: int,
    round: int,
    block_hash: bytes | None,
    validator: bytes,
) -> bytes:
    """The digest a validator signs for a vote (fixed byte layout, docs/wire.md)."""

# --- consensus (Tendermint-style engine, docs/consensus.md) ------------------

from os import PathLike

_ConsensusStep = Literal["propose", "prevote", "precommit"]

@final
class ConsensusOutput:
    """One thing the engine asks the host to do; ``kind`` says which fields are set.

    ``"proposal"``/``"vote"``: ``message`` (bytes to broadcast); ``"timeout"``: ``height``,
    ``round``, ``step``, ``duration_ms``; ``"get_value"``: ``height``, ``round``;
    ``"validate_value"``: ``height``, ``round``, ``block_hash``, ``value``; ``"decide"``:
    ``height``, ``round``, ``block_hash``, ``value``, ``message`` (encoded Commit);
    ``"evidence"``: ``reason`` (``"duplicate_vote"``/``"duplicate_proposal"``), ``offender``,
    ``evidence`` (the two encoded messages); ``"rejected"``: ``reason``.
    """

    @property
    def kind(
        self,
    ) -> Literal["proposal", "vote", "timeout", "get_value", "validate_value", "decide", "evidence", "rejected"]: ...
    @property
    def height(self) -> int | None: ...
    @property
    def round(self) -> int | None: ...
    @property
    def step(self) -> _ConsensusStep | None: ...
    @property
    def duration_ms(self) -> int | None: ...
    @property
    def block_hash(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def message(self) -> bytes | None: ...
    @property
    def offender(self) -> bytes | None: ...
    @property
    def evidence(self) -> tuple[bytes, bytes] | None: ...
    @property
    def reason(self) -> str | None: ...

@final
class ConsensusEngine:
    """One validator's consensus state machine (sans-IO: the host keeps clock and network).

    ``validators`` are ``(public_key, power)`` pairs. With ``seed`` the engine signs through
    safety rules persisted in ``safety_path`` (``None``: in memory, tests only). Every
    ``on_*`` call returns the outputs to carry out; bad messages give ``"rejected"``
    outputs, undecodable bytes raise MalformedError/TooLargeError.
    """

    def __new__(
        cls,
        chain_id: bytes,
        validators: Sequence[tuple[bytes, int]],
        height: int,
        seed: bytes | None = None,
        safety_path: str | PathLike[str] | None = None,
        timeouts_ms: tuple[int, int, int, int, int, int] | None = None,
    ) -> ConsensusEngine: ...
    def start(self) -> list[ConsensusOutput]: ...
    def on_proposal(self, proposal: bytes) -> list[ConsensusOutput]: ...
    def on_vote(self, vote: bytes) -> list[ConsensusOutput]: ...
    def on_timeout(self, height: int, round: int, step: _ConsensusStep) -> list[ConsensusOutput]: ...
    def on_value(self, height: int, round: int, block_hash: bytes, value: bytes) -> list[ConsensusOutput]: ...
    def on_validity(self, height: int, block_hash: bytes, valid: bool) -> list[ConsensusOutput]: ...
    def new_height(self, height: int, validators: Sequence[tuple[bytes, int]]) -> list[ConsensusOutput]: ...
    def proposer(self, height: int, round: int) -> bytes: ...
    @property
    def height(self) -> int: ...
    @property
    def round(self) -> int: ...
    @property
    def step(self) -> _ConsensusStep: ...
    @property
    def decided(self) -> bool: ...
    @property
    def public_key(self) -> bytes | None: ...

# --- sd (selective disclosure, docs/credentials.md) --------------------------

SD_MAX_DIGESTS: int
SD_MAX_DISCLOSURES: int
SD_MAX_DISCLOSURE_LEN: int

def sd_disclosure_digest(disclosure: bytes) -> bytes:
    """SHA-256 of a disclosure's base64url text: the digest an issuer signs for it."""

def sd_match_disclosures(digests: list[bytes], disclosures: list[bytes]) -> list[int]:
    """For each disclosure, the index of its digest in the signed list; raises if any is not covered."""

# --- codec (canonical state encoding; spec in tonomy.chain.codec) ------------

from typing import Any

CODEC_MAX_ENCODED_SIZE: int
CODEC_MAX_DEPTH: int

def codec_encode(value: object) -> bytes:
    """The canonical bytes of ``value`` (None, bool, int, str, bytes, list/tuple, dict); UnencodableError otherwise."""

def codec_decode(data: bytes | bytearray | memoryview) -> Any:
    """The value whose canonical encoding is ``data``; CodecError for any other input."""
