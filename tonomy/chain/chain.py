"""The chain: a data directory, a genesis, the plugins, and the blocks built on them.

    chain = Chain.open(data_dir, genesis, plugin_manager, validator_seed=seed)
    tx_id = chain.submit(tx_bytes)            # admission, then the mempool
    header = chain.produce_block(time_ms)     # execute, sign, commit (one Store.commit)
    value, proof, header = chain.get_state("pay", b"balance/alice")

Every block is committed with ONE ``Store.commit``: its state writes and its block,
receipts, transaction index, events and commit, atomically. A restart reads the head
back from the store and continues; there is no recovery step. ``replay`` re-executes
stored blocks into a fresh store and reports the state root at every height.

Calls are serialised by a lock, so the node may call from several threads.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonomy import _core
from tonomy.chain import blocks, codec, lifecycle, stored, validator_set
from tonomy.chain.admission import (
    AdmissionContext,
    AdmittedTransaction,
    admit_many,
    check_block_transactions,
    check_expiration,
)
from tonomy.chain.context import BlockInfo, plugin_prefix
from tonomy.chain.execution import NODE_LOCAL_FAULTS, ExecutionEngine, run_migration
from tonomy.chain.genesis import Genesis
from tonomy.chain.layout import SYSTEM_PREFIX
from tonomy.chain.mempool import Mempool
from tonomy.chain.overlay import WriteOverlay
from tonomy.chain.parameters import SYSTEM_PLUGIN, ChainParameters
from tonomy.chain.receipts import Receipt
from tonomy.chain.signatures import VerifiedSignatures
from tonomy.errors import (
    ChainStateError,
    InvalidInputError,
    NotFoundError,
    PluginVersionMissingError,
    TonomyError,
    TransactionRejectedError,
)
from tonomy.plugin.registry import PluginRecord, Registry
from tonomy.plugin.schema import name_problem

StorePath = str | os.PathLike[str]
_log = logging.getLogger("tonomy.chain")


class TransactionExhaustedMemory(MemoryError):
    """A transaction's execution ran out of memory (a node-local fault; it names the transaction)."""

    def __init__(self, tx_id: bytes) -> None:
        super().__init__(f"transaction {tx_id.hex()} exhausted memory")
        self.tx_id = tx_id


@dataclass(frozen=True, slots=True)
class ExecutedBlock:
    """A block executed on an overlay, ready to commit."""

    header: _core.BlockHeader
    block: _core.Block
    receipts: tuple[Receipt, ...]
    writes: list[tuple[bytes, bytes | None]]


def _registry_of(plugin_manager: Any) -> Registry:
    registry = getattr(plugin_manager, "registry", plugin_manager)
    if not isinstance(registry, Registry):
        raise InvalidInputError("pass a plugin manager (from build_plugin_manager) or its Registry")
    return registry


def _genesis_of(genesis: Genesis | StorePath) -> Genesis:
    return genesis if isinstance(genesis, Genesis) else Genesis.load(genesis)


class Chain:
    """One node's view of the ledger. Use :meth:`open`."""

    def __init__(
        self,
        store: _core.Store,
        genesis: Genesis,
        registry: Registry,
        validator_seed: bytes | None,
    ) -> None:
        self._store = store
        self._genesis = genesis
        self._chain_id = genesis.chain_id
        #: Every plugin version this node has loaded; state decides which run (docs/upgrades.md).
        self._available = registry
        self._engines: dict[tuple[tuple[tuple[str, str], ...], frozenset[str]], ExecutionEngine] = {}
        self._head_engine_cache: tuple[bytes, ExecutionEngine] | None = None
        #: Set once a block demands a plugin version this node lacks: it applies nothing more.
        self._halted: PluginVersionMissingError | None = None
        self._mempool = Mempool()
        #: Signatures this node verified itself (admission), so block validation skips them.
        self._verified = VerifiedSignatures()
        self._lock = threading.RLock()
        self._validator_seed = validator_seed
        self._validator_key: bytes | None = None
        if validator_seed is not None:
            if type(validator_seed) is not bytes or len(validator_seed) != 32:
                raise InvalidInputError("the validator seed is 32 bytes")
            # A key outside the genesis set may join later (a governance change); until
            # then its votes count for nothing and its proposals are refused.
            self._validator_key = _core.ed25519_public_key(validator_seed)
        self._parameters: tuple[bytes, ChainParameters] | None = None
        #: The last block executed but not committed (built or validated), so committing it
        #: once decided does not execute it again. Keyed by its header, which fixes its parent.
        self._executed_cache: ExecutedBlock | None = None
        #: Node-local: a proposal stops taking transactions once executing them took this
        #: long (seconds), so validators can check it within the consensus timeouts; the
        #: rest wait for the next block. None: as many as the parameters allow.
        self.build_budget_s: float | None = None
        #: Node-local: the node's clock (Unix ms). Admission counts expiry from it when the
        #: head is older, since no later block can take a transaction expired by then.
        self.clock_ms: Callable[[], int] | None = None
        self._head = self._load_or_create_head()
        head_state = WriteOverlay(self._store)
        lifecycle.check_available(self._available, lifecycle.enabled_versions(head_state), self._head.height)

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir: StorePath,
        genesis: Genesis | StorePath,
        plugin_manager: Any,
        validator_seed: bytes | None = None,
        *,
        durable: bool = True,
    ) -> Chain:
        """Open (or create at genesis) the chain in ``data_dir``.

        :param genesis: a :class:`Genesis` or the path of a genesis JSON file.
        :param plugin_manager: from ``build_plugin_manager`` (or its ``Registry``). A new
            chain needs every plugin the genesis pins at its pinned version; then, at every
            height, the versions state demands (docs/upgrades.md). Loaded plugins state does
            not enable are ignored by the chain.
        :param validator_seed: this node's 32-byte Ed25519 seed, needed to produce blocks.
        :raises GenesisError: the genesis is malformed or the plugins do not match it.
        :raises ChainStateError: the data directory belongs to another chain.
        :raises PluginVersionMissingError: the head's state runs a plugin version not loaded here.
        """
        genesis = _genesis_of(genesis)
        registry = _registry_of(plugin_manager)
        if not Path(data_dir).exists() or not any(Path(data_dir).iterdir()):
            genesis.consensus_registry(registry)  # a new chain: refuse a wrong plugin set before creating anything
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        store = _core.Store(data_dir, durable=durable)
        try:
            return cls(store, genesis, registry, validator_seed)
        except BaseException:
            store.close()
            raise

    def _load_or_create_head(self) -> _core.BlockHeader:
        latest = self._store.latest_version()
        if latest is None:
            return self._commit_genesis()
        stored_id = self._store.aux_get(blocks.META, blocks.META_CHAIN_ID)
        if stored_id != self._chain_id:
            raise ChainStateError(
                "this data directory holds another chain (its chain id differs from the genesis); use another directory"
            )
        raw = self._store.aux_get(blocks.BLOCKS, blocks.height_key(latest))
        if raw is None:
            raise ChainStateError(f"the store is at version {latest} but holds no block at that height")
        return _core.decode_block(raw).header

    def _commit_genesis(self) -> _core.BlockHeader:
        overlay = WriteOverlay(self._store)
        self._genesis.apply(overlay, self._genesis.consensus_registry(self._available))
        writes = overlay.write_set()
        state_root = self._store.preview_root(0, writes)
        header = _core.BlockHeader(
            self._chain_id,
            0,
            blocks.ZERO_HASH,
            self._genesis.initial_time_ms,
            blocks.transaction_root([]),
            state_root,
            blocks.ZERO_HASH,
            validator_set.set_hash(validator_set.normalized([(key, 1) for key in self._genesis.validators])),
            0,
            _core.commit_hash(_core.Commit()),
        )
        aux = [
            (blocks.BLOCKS, blocks.height_key(0), _core.encode_block(_core.Block(header, [], None))),
            (blocks.META, blocks.META_CHAIN_ID, self._chain_id),
            (blocks.META, blocks.META_GENESIS, codec.encode(self._genesis.to_record())),
            (blocks.META, blocks.hash_key(0), header.hash),
        ]
        root = self._store.commit(0, writes, aux)
        if root != state_root:
            raise ChainStateError("the committed genesis root differs from the previewed one")
        return header

    def close(self) -> None:
        with self._lock:
            self._store.close()

    def __enter__(self) -> Chain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- facts -------------------------------------------------------------------------

    @property
    def chain_id(self) -> bytes:
        return self._chain_id

    @property
    def genesis(self) -> Genesis:
        return self._genesis

    @property
    def head(self) -> _core.BlockHeader:
        return self._head

    @property
    def height(self) -> int:
        return self._head.height

    @property
    def store(self) -> _core.Store:
        return self._store

    @property
    def registry(self) -> Registry:
        """The plugins that run at the head, each at the version state demands."""
        return self._head_engine().registry

    @property
    def available_plugins(self) -> Registry:
        """Every plugin version this node has loaded (a superset of what runs)."""
        return self._available

    @property
    def halted(self) -> PluginVersionMissingError | None:
        """Why this chain stopped applying blocks (a missing plugin version), or None."""
        return self._halted

    def _engine_for(self, state: WriteOverlay) -> ExecutionEngine:
        """The engine of the plugin set ``state`` enables (cached per set)."""
        versions = lifecycle.enabled_versions(state)
        key = (tuple(sorted(versions.items())), lifecycle.disabled_names(state))
        engine = self._engines.get(key)
        if engine is None:
            try:
                registry = self._available.select(versions)
            except KeyError:
                lifecycle.check_available(self._available, versions, self._head.height)
                raise
            engine = ExecutionEngine(registry, key[1])
            self._engines[key] = engine
        return engine

    def _head_engine(self) -> ExecutionEngine:
        cached = self._head_engine_cache
        if cached is None or cached[0] != self._head.hash:
            cached = (self._head.hash, self._engine_for(WriteOverlay(self._store)))
            self._head_engine_cache = cached
        return cached[1]

    def _check_running(self) -> None:
        if self._halted is not None:
            raise self._halted

    @property
    def validator_key(self) -> bytes | None:
        return self._validator_key

    @property
    def mempool_size(self) -> int:
        return len(self._mempool)

    def validators_at(self, height: int) -> validator_set.ValidatorSet:
        """The ``((key, power), ...)`` that signs ``height``, read from the head's state.

        Exact for heights up to ``head + 2`` (changes take effect at least 2 heights after
        the block that makes them) and for past heights within the evidence window.
        """
        with self._lock:
            _check_height(height)
            return validator_set.set_at(WriteOverlay(self._store), height)

    def parameters(self) -> ChainParameters:
        """The system parameters at the head (read from state once per head)."""
        cached = self._parameters
        if cached is None or cached[0] != self._head.hash:
            cached = (self._head.hash, ChainParameters.read(WriteOverlay(self._store)))
            self._parameters = cached
        return cached[1]

    # -- transactions --------------------------------------------------------------------

    def check_transaction(self, tx_bytes: bytes) -> AdmittedTransaction:
        """Run admission without queueing (what ``submit`` does first)."""
        result = self._admit_many([tx_bytes], queue=False)[0]
        if isinstance(result, TonomyError):
            raise result
        return result

    def submit(self, tx_bytes: bytes) -> bytes:
        """Admit a transaction into the mempool; returns its id. Raises a ``tx.*`` error."""
        result = self.submit_many([tx_bytes])[0]
        if isinstance(result, TonomyError):
            raise result
        return result

    def submit_many(self, txs: Sequence[bytes]) -> list[bytes | TonomyError]:
        """Admit each transaction as ``submit`` would, in order; one result per transaction.

        A result is the transaction's id, or the ``tx.*`` error that refused it (nothing
        of a refused transaction is kept). Submitting them one by one in the same order
        gives the same results; here the signatures of all of them are verified together.
        """
        if isinstance(txs, (bytes, bytearray, memoryview, str)) or not isinstance(txs, Sequence):
            raise InvalidInputError(f"pass a sequence of transactions, got {type(txs).__name__}")
        return [r if isinstance(r, TonomyError) else r.tx_id for r in self._admit_many(txs, queue=True)]

    def _admit_many(self, raws: Sequence[object], *, queue: bool) -> list[AdmittedTransaction | TonomyError]:
        with self._lock:
            params = self.parameters()
            # Nothing commits while the lock is held: the batch's overlay may remember what it reads.
            state = WriteOverlay(self._store, remember_reads=True, watch=SYSTEM_PREFIX)
            now_ms = None if self.clock_ms is None else self.clock_ms()
            ctx = AdmissionContext(self._chain_id, self._head, self._store, state, params, self._head_engine(), now_ms=now_ms)
            return admit_many(raws, ctx, self._verified, self._mempool if queue else None)

    # -- blocks ----------------------------------------------------------------------------

    def produce_block(self, time_ms: int) -> _core.BlockHeader:
        """Build, execute, sign and commit the next block from the mempool; returns its header."""
        with self._lock:
            self._check_running()
            if self._validator_seed is None or self._validator_key is None:
                raise ChainStateError("this node has no validator key: it cannot produce blocks")
            if self._validator_key not in dict(self.validators_at(self._head.height + 1)):
                raise ChainStateError("this node's validator key is not in the validator set: it cannot produce blocks")
            self._check_time(time_ms)
            params = self.parameters()

            chosen, dropped = self._mempool.select(params.max_block_transactions, params.max_account_txs_per_block, self._still_valid_at(time_ms, params))
            last_commit = self._stored_commit(self._head.height)
            executed, chosen = self._execute_proposal(
                chosen, time_ms=time_ms, proposer=self._validator_key, last_commit=last_commit, budget_s=None
            )
            own_commit = blocks.sign_commit(self._validator_seed, executed.header)
            self._commit(executed, own_commit)
            self._mempool.remove([entry.tx_id for entry in chosen] + dropped)
            return executed.header

    def _still_valid_at(self, time_ms: int, params: ChainParameters) -> Callable[[AdmittedTransaction], bool]:
        """Can a waiting transaction still go into a block at ``time_ms`` (unexpired, not in a block)?"""

        def still_valid(entry: AdmittedTransaction) -> bool:
            try:
                check_expiration(entry.tx, time_ms, params.max_tx_lifetime_s)
            except TransactionRejectedError:
                return False
            return self._store.aux_get(blocks.TX_INDEX, entry.tx_id) is None

        return still_valid

    def build_block(self, time_ms: int) -> _core.Block:
        """Build and execute the next block from the mempool WITHOUT committing it (a proposal).

        The block carries the stored commit of the head as its last commit. Under
        multi-validator consensus the proposer gossips it, and every validator (the
        proposer too) commits it with ``apply_block(block, commit)`` once decided.
        """
        with self._lock:
            self._check_running()
            if self._validator_key is None:
                raise ChainStateError("this node has no validator key: it cannot propose blocks")
            self._check_time(time_ms)
            params = self.parameters()

            chosen, dropped = self._mempool.select(params.max_block_transactions, params.max_account_txs_per_block, self._still_valid_at(time_ms, params))
            self._mempool.remove(dropped)
            executed, _ = self._execute_proposal(
                chosen,
                time_ms=time_ms,
                proposer=self._validator_key,
                last_commit=self._stored_commit(self._head.height),
                budget_s=self.build_budget_s,
            )
            self._executed_cache = executed
            return executed.block

    def validate_block(self, block: _core.Block) -> _core.BlockHeader:
        """Every check ``apply_block`` makes, without committing; raises ChainStateError if invalid."""
        with self._lock:
            return self._validated(block, None).header

    def apply_block(self, block: _core.Block, commit: _core.Commit | None = None, encoded: bytes | None = None) -> _core.BlockHeader:
        """Validate and execute a block another validator produced, then commit it.

        The header must extend the head, its transactions must pass the block checks
        (signatures, expiry, TAPOS, no duplicates), and executing them must give exactly
        the header's transaction root and state root. ``commit`` (the precommits for this
        block) is stored when given and must finalize it; ``encoded`` (the block's bytes) is stored as is.
        """
        with self._lock:
            executed = self._validated(block, commit)
            self._commit(executed, commit, encoded if encoded is not None and (executed.block is block or executed.block == block) else None)
            self._executed_cache = None
            self._mempool.remove([receipt.tx_id for receipt in executed.receipts])  # the block's ids, already hashed
            return executed.header

    def _validated(self, block: _core.Block, commit: _core.Commit | None) -> ExecutedBlock:
        """Check ``block`` (and ``commit`` if given) against the head and execute it."""
        with self._lock:
            self._check_running()
            header = block.header
            if header.chain_id != self._chain_id:
                raise ChainStateError("the block is for another chain")
            if header.height != self._head.height + 1 or header.previous_hash != self._head.hash:
                raise ChainStateError(f"the block does not extend the head (height {self._head.height})")
            state = WriteOverlay(self._store)
            signers = validator_set.set_at(state, header.height)
            if header.validator_set_hash != validator_set.set_hash(signers) or header.proposer not in dict(signers):
                raise ChainStateError(f"the block's proposer or validator set is not this chain's set for height {header.height}")
            if header.height > 1:
                problem = blocks.commit_problem(block.last_commit, self._head, validator_set.set_at(state, self._head.height))
                if problem is not None:
                    raise ChainStateError(f"the block's last commit does not finalize the head: {problem}")
            if commit is not None:
                problem = blocks.commit_problem(commit, header, signers)
                if problem is not None:
                    raise ChainStateError(f"the commit does not finalize the block: {problem}")
            self._check_time(header.time)
            cached = self._executed_cache
            if cached is not None and cached.header == header and cached.header.previous_hash == self._head.hash:
                return cached  # executed already (built or validated here): same block, same head
            executed = self._execute(list(block.transactions), time_ms=header.time, proposer=header.proposer, last_commit=block.last_commit, check=True)
            if executed.header != header:
                raise ChainStateError(
                    f"executing block {header.height} gives another header (state root "
                    f"{executed.header.state_root.hex()[:16]}… vs {header.state_root.hex()[:16]}…)"
                )
            self._executed_cache = executed
            return executed

    def _check_time(self, time_ms: int) -> None:
        if type(time_ms) is not int or time_ms <= self._head.time:
            raise InvalidInputError(f"a block's time must be an integer after the head's time {self._head.time} ms, got {time_ms!r}")

    def _stored_commit(self, height: int) -> _core.Commit | None:
        raw = self._store.aux_get(blocks.META, blocks.commit_key(height))
        return None if raw is None else _core.decode_commit(raw)

    def _execute(
        self,
        txs: Sequence[_core.SignedTransaction],
        *,
        time_ms: int,
        proposer: bytes,
        last_commit: _core.Commit | None,
        check: bool = False,
        budget_s: float | None = None,
    ) -> ExecutedBlock:
        """Execute ``txs`` on an overlay of the head; with ``budget_s``, only the prefix that
        fits (at least one transaction): the choice of a proposer, never of a validator."""
        height = self._head.height + 1
        overlay = WriteOverlay(self._store, remember_reads=True, watch=SYSTEM_PREFIX)  # nothing commits before it is dropped
        params = ChainParameters.read(overlay)
        ids = [tx.id for tx in txs]  # each read of a transaction's id hashes its body again
        if check:
            self._check_block_transactions(txs, ids, time_ms, params)
        info = BlockInfo(height, time_ms)
        seed = blocks.block_seed(self._head.hash, height)
        engine = self._begin_block(overlay, info, params, seed)
        run = engine.execute_transaction
        deadline = None if budget_s is None else time.monotonic() + budget_s  # node-local: which transactions it proposes
        done: list[Receipt] = []
        tx_id = b""
        try:
            for index, (tx, tx_id) in enumerate(zip(txs, ids, strict=True)):
                done.append(run(overlay, tx, block=info, params=params, block_seed=seed, index=index, tx_id=tx_id))
                if deadline is not None and time.monotonic() > deadline:
                    break
        except MemoryError as exc:
            raise TransactionExhaustedMemory(tx_id) from exc
        receipts, txs, writes = tuple(done), txs[: len(done)], overlay.write_set()
        commit = last_commit if last_commit is not None else _core.Commit()
        header = _core.BlockHeader(
            self._chain_id,
            height,
            self._head.hash,
            time_ms,
            blocks.transaction_root(ids[: len(txs)]),
            self._store.preview_root(height, writes),
            proposer,
            validator_set.set_hash(validator_set.set_at(overlay, height)),
            0,
            _core.commit_hash(commit),
        )
        block = _core.Block(header, list(txs), last_commit if last_commit is not None and last_commit.votes else None)
        return ExecutedBlock(header, block, receipts, writes)

    def _execute_proposal(
        self, chosen: list[AdmittedTransaction], **options: Any
    ) -> tuple[ExecutedBlock, list[AdmittedTransaction]]:
        """Execute what this node proposes, leaving out (and forgetting) any transaction whose
        execution exhausted memory: a node-local fault no receipt may record, which would
        otherwise stop every block this node proposes. Validators still refuse such a block
        as a node fault of their own, so only the proposer's choice changes."""
        while True:
            try:
                return self._execute([entry.tx for entry in chosen], **options), chosen
            except TransactionExhaustedMemory as fault:
                _log.warning("left transaction %s out of the proposal: its execution exhausted memory", fault.tx_id.hex())
                self._mempool.remove([fault.tx_id])
                chosen = [entry for entry in chosen if entry.tx_id != fault.tx_id]

    def _begin_block(self, overlay: WriteOverlay, info: BlockInfo, params: ChainParameters, seed: bytes) -> ExecutionEngine:
        """Switch plugins whose change is due at this height; the engine of the block's plugin set."""

        def migrate(record: PluginRecord, from_version: str | None) -> None:
            run_migration(overlay, info, params, record, from_version, seed)

        try:
            lifecycle.begin_block(overlay, info.height, self._available, migrate, NODE_LOCAL_FAULTS)
        except PluginVersionMissingError as exc:
            self._halted = exc
            raise
        return self._engine_for(overlay)

    def _check_block_transactions(self, txs: Sequence[_core.SignedTransaction], ids: list[bytes], time_ms: int, params: ChainParameters) -> None:
        if len(txs) > params.max_block_transactions:  # before any signature is checked
            raise ChainStateError(f"the block holds {len(txs)} transactions; at most {params.max_block_transactions} are allowed")
        # Every signature of the block in one batch (those verified at admission are known).
        problems = self._verified.check(txs, ids)
        check_block_transactions(txs, ids, problems, chain_id=self._chain_id, store=self._store, head=self._head, time_ms=time_ms, params=params)

    def _commit(self, executed: ExecutedBlock, own_commit: _core.Commit | None, encoded: bytes | None = None) -> None:
        header = executed.header
        aux: list[tuple[str, bytes, bytes | None]] = [
            (blocks.BLOCKS, blocks.height_key(header.height), encoded or _core.encode_block(executed.block)),
            (blocks.META, blocks.hash_key(header.height), header.hash),
        ]
        if own_commit is not None:
            aux.append((blocks.META, blocks.commit_key(header.height), _core.encode_commit(own_commit)))
        for receipt in executed.receipts:
            aux.extend(receipt.stored_rows(header.height))
        root = self._store.commit(header.height, executed.writes, aux)
        if root != header.state_root:
            raise ChainStateError("the committed state root differs from the previewed one")
        self._head = header

    # -- reading ---------------------------------------------------------------------------

    def get_block(self, height: int) -> _core.Block | None:
        _check_height(height)
        raw = self._store.aux_get(blocks.BLOCKS, blocks.height_key(height)) if 0 <= height < 1 << 64 else None
        return None if raw is None else _core.decode_block(raw)

    def get_commit(self, height: int) -> _core.Commit | None:
        """The precommits that finalized block ``height`` (None for genesis or unknown)."""
        _check_height(height)
        return self._stored_commit(height) if 0 <= height < 1 << 64 else None

    def get_receipt(self, tx_id: bytes) -> Receipt | None:
        raw = stored.receipt_bytes(self._store, tx_id) if _is_tx_id(tx_id) else None
        return None if raw is None else Receipt.decode(raw)

    def get_transaction(self, tx_id: bytes) -> _core.SignedTransaction | None:
        location = self._store.aux_get(blocks.TX_INDEX, tx_id) if _is_tx_id(tx_id) else None
        if location is None:
            return None
        height, index = blocks.parse_tx_location(location)
        block = self.get_block(height)
        if block is None or index >= len(block.transactions):
            raise ChainStateError(f"the transaction index points at a missing transaction ({height}, {index})")
        return block.transactions[index]

    def get_events(self, from_height: int, to_height: int | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Events of blocks ``from_height <= h < to_height``, in order, with their position."""
        end = None if to_height is None else blocks.height_key(to_height)
        rows = self._store.aux_range(blocks.EVENTS, blocks.height_key(from_height), end, limit)
        out = []
        for key, value in rows:
            record = codec.decode(value)
            record.update(height=int.from_bytes(key[:8], "big"), tx_index=int.from_bytes(key[8:12], "big"))
            out.append(record)
        return out

    @staticmethod
    def state_key(plugin: str, key: bytes) -> bytes:
        """The full state key of a plugin's ``key`` (``tonomy``: the system's ``sys/`` records)."""
        if type(key) is not bytes or not key:
            raise InvalidInputError("a state key is non-empty bytes")
        if name_problem("plugin", plugin) is not None:
            raise InvalidInputError(f"{plugin!r} is not a plugin name")
        return SYSTEM_PREFIX + key if plugin == SYSTEM_PLUGIN else plugin_prefix(plugin) + key

    def get_state(self, plugin: str, key: bytes, height: int | None = None) -> tuple[bytes | None, bytes, _core.BlockHeader]:
        """``(value or None, proof, header)`` at the head (or at ``height``).

        Check it with ``verify_state_proof(header.state_root, full_key, value, proof)``.
        """
        with self._lock:
            full_key = self.state_key(plugin, key)
            if height is None:
                header = self._head
            else:
                block = self.get_block(height)
                if block is None:
                    raise NotFoundError(f"there is no block at height {height} (head is {self._head.height})")
                header = block.header
            value, proof = self._store.get_with_proof(full_key, header.height)
            return value, proof, header

    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> object:
        """Answer a plugin's query on the head state."""
        with self._lock:
            overlay = WriteOverlay(self._store)
            info = BlockInfo(self._head.height, self._head.time)
            return self._head_engine().query(overlay, info, ChainParameters.read(overlay), plugin, name, params)

    # -- replay ------------------------------------------------------------------------------

    @classmethod
    def replay(
        cls,
        data_dir: StorePath,
        genesis: Genesis | StorePath | None = None,
        plugin_manager: Any = None,
        *,
        into: StorePath | None = None,
    ) -> dict[int, bytes]:
        """Re-execute every block stored in ``data_dir`` into a fresh store.

        Returns the state root at every height (0 = genesis). Each block is checked as
        a follower checks it (``apply_block``), so a divergence raises ChainStateError
        naming the height. ``data_dir`` is opened here: close any chain open on it in this
        process first (LMDB allows one handle per directory per process).

        :param genesis: default: the genesis stored in ``data_dir`` at its creation.
        :param plugin_manager: default: ``build_plugin_manager()`` (installed plugins).
        :param into: an empty directory to replay into; default: a temporary one, deleted after.
        """
        if into is None:
            with tempfile.TemporaryDirectory(prefix="tonomy-replay-") as scratch:
                return cls.replay(data_dir, genesis, plugin_manager, into=Path(scratch) / "state")
        if plugin_manager is None:
            from tonomy.plugin.manager import build_plugin_manager

            plugin_manager = build_plugin_manager()
        source = _core.Store(data_dir, durable=False)
        try:
            stored_id = source.aux_get(blocks.META, blocks.META_CHAIN_ID)
            if genesis is None:
                stored = source.aux_get(blocks.META, blocks.META_GENESIS)
                if stored is None:
                    raise ChainStateError("the data directory holds no genesis: pass the genesis file")
                genesis = Genesis.from_record(codec.decode(stored))
            genesis = _genesis_of(genesis)
            if stored_id != genesis.chain_id:
                raise ChainStateError("the data directory holds another chain than this genesis")
            fresh = cls.open(into, genesis, plugin_manager, durable=False)
            with fresh:
                if fresh.height != 0:
                    raise ChainStateError("replay needs an empty target directory")
                roots = {0: fresh.head.state_root}
                height = 1
                while True:
                    raw = source.aux_get(blocks.BLOCKS, blocks.height_key(height))
                    if raw is None:
                        break
                    commit_raw = source.aux_get(blocks.META, blocks.commit_key(height))
                    commit = None if commit_raw is None else _core.decode_commit(commit_raw)
                    header = fresh.apply_block(_core.decode_block(raw), commit)
                    roots[height] = header.state_root
                    height += 1
                return roots
        finally:
            source.close()


def _check_height(height: object) -> None:
    if type(height) is not int:
        raise InvalidInputError(f"a height is an integer, got {type(height).__name__}")


def _is_tx_id(tx_id: object) -> bool:
    if not isinstance(tx_id, bytes):
        raise InvalidInputError(f"a transaction id is 32 bytes, got {type(tx_id).__name__}")
    return len(tx_id) == 32


def replay(
    data_dir: StorePath,
    genesis: Genesis | StorePath | None = None,
    plugin_manager: Any = None,
    *,
    into: StorePath | None = None,
) -> dict[int, bytes]:
    """Module-level form of :meth:`Chain.replay`."""
    return Chain.replay(data_dir, genesis, plugin_manager, into=into)
