"""The consensus driver: carries the engine's outputs out and feeds it its inputs.

The engine (``tonomy._core.ConsensusEngine``) is a sans-IO state machine; this is
the host around it (docs/consensus.md, "What the host must provide"):

* inputs: proposals and votes from gossip, timeouts from asyncio timers, the value
  the node builds when it proposes (``Chain.build_block``) and the verdict on a
  proposed value (``Chain.validate_block``, plus a node-local bound on the block
  time against the wall clock);
* outputs: broadcast through gossip, timers, and on ``decide`` the block is
  committed with the engine's commit (``Chain.apply_block``) before the engine
  moves to the next height;
* liveness duties: the write-ahead log of received messages (replayed after
  ``start``), a timer that re-sends this validator's messages of the current height
  (a peer that restarted, or lost them, gets them again), and block sync: when a
  peer is ahead, BlockSync applies the decided blocks and the engine jumps there.

Every engine call happens on one task (``_run``) in arrival order; slow chain work
(build, validate, commit) runs on the chain thread, and its answers come back as
inputs through the same queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tonomy import _core
from tonomy.chain.evidence import evidence_transaction
from tonomy.errors import PluginVersionMissingError, TonomyError
from tonomy.node.block_values import DecodedBlocks
from tonomy.node.consensus_wal import KIND_PROPOSAL, KIND_VOTE, ConsensusWal
from tonomy.node.schedule import wall_clock_ms
from tonomy.node.views import transaction_ids

log = logging.getLogger("tonomy.node.consensus")

SAFETY_FILE = "consensus-safety"
#: propose base/delta, prevote base/delta, precommit base/delta (ms): timeout(r) = base + r·delta.
DEFAULT_TIMEOUTS_MS = (2000, 500, 1000, 500, 1000, 500)
#: A proposed block whose time is this far ahead of our clock is refused (node-local).
MAX_CLOCK_DRIFT_MS = 10_000
REBROADCAST_S = 1.0
#: Block sync leaves a peer one block ahead this long to our own commit of that block
#: (consensus decides it here too, a moment later) before fetching it (tonomy.net.sync).
SYNC_FOLLOW_GRACE_S = 1.0

#: ``publish(kind, message)``: kind is "proposal" or "vote".
Publisher = Callable[[str, bytes], None]
DecidedListener = Callable[[Any, list[bytes]], None]


class ConsensusDriver:
    def __init__(
        self,
        *,
        worker: Any,
        chain_id: bytes,
        seed: bytes,
        data_dir: Path,
        publish: Publisher,
        on_decided: DecidedListener,
        block_time_ms: int,
        timeouts_ms: tuple[int, int, int, int, int, int] = DEFAULT_TIMEOUTS_MS,
        rebroadcast_s: float = REBROADCAST_S,
        equivocate: bool = False,
        publish_transaction: Callable[[bytes], None] | None = None,
    ) -> None:
        self._worker = worker
        self._chain_id = chain_id
        self._seed = seed
        self._data_dir = data_dir
        self._publish = publish
        self._on_decided = on_decided
        self._block_time_ms = block_time_ms
        self._timeouts_ms = timeouts_ms
        self._rebroadcast_s = rebroadcast_s
        self._publish_transaction = publish_transaction
        #: TEST ONLY (``TONOMY_TEST_EQUIVOCATE=1``): also sign and send a conflicting vote
        #: for every vote, bypassing the safety rules, to test that honest nodes do not
        #: diverge and report the equivocation.
        self._equivocate = equivocate
        self._inbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self._timers: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._own: dict[tuple[str, int, int], bytes] = {}  # (kind, round, seq) -> this height's own messages
        self._own_seq = 0
        self._engine: Any = None
        self._wal: ConsensusWal | None = None
        #: Every WAL write runs on this one thread, in submission order: a proposal's
        #: fsync (megabytes) no longer stalls the event loop (the consensus task still
        #: waits for it before the engine sees the proposal).
        self._wal_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tonomy-wal")
        #: Proposed blocks decoded once: validated, then committed, from the same object.
        self.decoded = DecodedBlocks()
        self.decided_heights = 0
        self.evidence: list[tuple[bytes, str, int | None]] = []

    @property
    def height(self) -> int:
        return 0 if self._engine is None else int(self._engine.height)

    @property
    def round(self) -> int:
        return 0 if self._engine is None else int(self._engine.round)

    # -- inputs from the network ------------------------------------------------------------

    def on_proposal(self, message: bytes) -> None:
        self._inbox.put_nowait(("proposal", message))

    def on_vote(self, message: bytes) -> None:
        self._inbox.put_nowait(("vote", message))

    def on_synced(self) -> None:
        """Block sync committed blocks: the engine may have to jump to a later height."""
        self._inbox.put_nowait(("synced",))

    # -- lifecycle ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        head = await self._worker.call(lambda chain: chain.head)
        height = head.height + 1
        validators = await self._validators_at(height)
        self._wal = ConsensusWal(self._data_dir)
        self._engine = _core.ConsensusEngine(
            self._chain_id, validators, height, self._seed, self._data_dir / SAFETY_FILE, self._timeouts_ms
        )
        log.info("consensus: starting at height %d with %d validators", height, len(validators))
        await self._carry_out(self._engine.start())
        for kind, message in self._wal.records(height):
            await self._input("proposal" if kind == KIND_PROPOSAL else "vote", message, log_it=False)
        rebroadcast = asyncio.create_task(self._rebroadcast_loop(), name="consensus-rebroadcast")
        runner = asyncio.create_task(self._run(), name="consensus")
        stopped = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({runner, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if runner.done():
                runner.result()
        finally:
            for task in (rebroadcast, runner, stopped, *self._tasks):
                task.cancel()
            for task in (rebroadcast, runner, stopped, *self._tasks):
                with contextlib.suppress(BaseException):
                    await task
            for timer in self._timers:
                timer.cancel()
            self._wal_thread.submit(self._wal.close)
            self._wal_thread.shutdown(wait=True)  # queued writes finish, then the log closes

    async def _run(self) -> None:
        while True:
            item = await self._inbox.get()
            try:
                await self._handle(item)
            except Exception:
                log.exception("consensus: handling %s failed", item[0])

    async def _handle(self, item: tuple[Any, ...]) -> None:
        engine = self._engine
        kind = item[0]
        if kind in ("proposal", "vote"):
            await self._input(kind, item[1])
        elif kind == "timeout":
            await self._carry_out(engine.on_timeout(item[1], item[2], item[3]))
        elif kind == "value":
            _, height, round_, block_hash, value = item
            await self._carry_out(engine.on_value(height, round_, block_hash, value))
        elif kind == "validity":
            _, height, block_hash, valid = item
            await self._carry_out(engine.on_validity(height, block_hash, valid))
        elif kind == "synced":
            await self._catch_up()

    def _log(self, kind: int, height: int, message: bytes) -> asyncio.Future[None]:
        """Append to the WAL on its thread (after every earlier write); the future is done
        once the record is written (a proposal: fsynced)."""
        assert self._wal is not None
        future = asyncio.get_running_loop().run_in_executor(self._wal_thread, self._wal.append, kind, height, message)
        future.add_done_callback(_log_failure)
        return future

    async def _input(self, kind: str, message: bytes, *, log_it: bool = True) -> None:
        engine = self._engine
        if log_it and self._wal is not None:
            logged = self._log(KIND_PROPOSAL if kind == "proposal" else KIND_VOTE, engine.height, message)
            if kind == "proposal":
                await logged  # on disk before the engine can vote for it (votes need not wait)
        try:
            outputs = engine.on_proposal(message) if kind == "proposal" else engine.on_vote(message)
        except ValueError as exc:  # undecodable bytes (MalformedError, TooLargeError): drop
            log.debug("consensus: dropped a malformed %s: %s", kind, exc)
            return
        await self._carry_out(outputs)

    # -- outputs ------------------------------------------------------------------------------

    async def _carry_out(self, outputs: list[Any]) -> None:
        pending = list(outputs)
        while pending:
            out = pending.pop(0)
            kind = out.kind
            if kind in ("proposal", "vote"):
                if kind == "proposal" and self._wal is not None:
                    # Our own value's bytes, on disk before anyone can vote for it.
                    await self._log(KIND_PROPOSAL, self._engine.height, out.message)
                self._own_seq += 1
                self._own[(kind, self._engine.round, self._own_seq)] = out.message
                self._publish(kind, out.message)
                if self._equivocate and kind == "vote":
                    self._publish("vote", self._conflicting_vote(out.message))
            elif kind == "timeout":
                self._schedule(out.height, out.round, out.step, out.duration_ms)
            elif kind == "get_value":
                self._spawn(self._build(out.height, out.round))
            elif kind == "validate_value":
                self._spawn(self._validate(out.height, out.block_hash, out.value))
            elif kind == "decide":
                if out.round:
                    log.info("consensus: height %d decided in round %d", out.height, out.round)
                pending += await self._decide(out.height, out.block_hash, out.value, out.message)
            elif kind == "evidence":
                log.warning("consensus: evidence %s against validator %s at height %s", out.reason, out.offender.hex(), out.height)
                self.evidence.append((out.offender, out.reason, out.height))
                if out.reason == "duplicate_vote" and out.evidence is not None:
                    self._spawn(self._report(*out.evidence))
            else:
                log.debug("consensus: rejected input: %s", out.reason)

    def _conflicting_vote(self, message: bytes) -> bytes:
        vote = _core.decode_vote(message)
        other = _core.hash_plain(b"equivocation" + message) if vote.block_hash is None else None
        digest = _core.vote_digest(vote.kind, vote.chain_id, vote.height, vote.round, other, vote.validator)
        signature = _core.ed25519_sign(self._seed, digest)
        return _core.encode_vote(_core.Vote(vote.kind, vote.chain_id, vote.height, vote.round, other, vote.validator, signature))

    def _schedule(self, height: int, round_: int, step: str, duration_ms: int) -> None:
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(handle)
            self._inbox.put_nowait(("timeout", height, round_, step))

        handle = loop.call_later(duration_ms / 1000, fire)
        self._timers.add(handle)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _build(self, height: int, round_: int) -> None:
        """Build our proposal once the block time has come (blocks are paced by block_time_ms)."""
        try:
            head = await self._worker.call(lambda chain: chain.head)
            if head.height + 1 != height:
                return  # the chain moved on (sync); the engine is told through on_synced
            wait_ms = head.time + self._block_time_ms - wall_clock_ms()
            if wait_ms > 0:
                await asyncio.sleep(wait_ms / 1000)
            time_ms = max(wall_clock_ms(), head.time + 1)

            def build(chain: Any) -> tuple[bytes, bytes] | None:
                if chain.height + 1 != height:
                    return None
                block = chain.build_block(time_ms)
                if block.transactions:
                    log.info("consensus: proposing height %d with %d transactions (mempool %d)", height, len(block.transactions), chain.mempool_size)
                value = _core.encode_block(block)
                self.decoded.remember(value, block)  # committed from this object once decided
                return block.header.hash, value

            built = await self._worker.call(build)
        except Exception:
            log.exception("consensus: building the block for height %d failed", height)
            return
        if built is not None:
            self._inbox.put_nowait(("value", height, round_, built[0], built[1]))

    async def _validate(self, height: int, block_hash: bytes, value: bytes) -> None:
        def check(chain: Any) -> bool:
            try:
                block = self.decoded.decode(value, block_hash)
            except ValueError:
                return False
            header = block.header
            if header.hash != block_hash or header.height != height or chain.height + 1 != height:
                return False
            if header.time > wall_clock_ms() + MAX_CLOCK_DRIFT_MS:
                return False
            try:
                chain.validate_block(block)
            except PluginVersionMissingError as exc:  # this node cannot run the block: halt, never vote for it
                log.critical("HALTED at height %d: %s", height, exc.message)
                return False
            except Exception as exc:
                log.info("consensus: proposal for height %d refused: %s", height, exc)
                return False
            return True

        try:
            valid = await self._worker.call(check)
        except Exception:
            log.exception("consensus: validating a proposal failed")
            valid = False
        self._inbox.put_nowait(("validity", height, block_hash, valid))

    async def _decide(self, height: int, block_hash: bytes, value: bytes, commit_bytes: bytes) -> list[Any]:
        commit = _core.decode_commit(commit_bytes)

        def commit_block(chain: Any) -> Any:
            if chain.height + 1 != height:
                return None  # committed already through block sync: not even decoded
            block = self.decoded.decode(value, block_hash)  # validated (or built) here: decoded already
            return chain.apply_block(block, commit, value), transaction_ids(block)

        try:
            committed = await self._worker.call(commit_block)
        except Exception:
            # Cannot happen for a block we validated; block sync will bring the chain forward.
            log.exception("consensus: committing decided block %d failed", height)
            return []
        if committed is not None:
            header, ids = committed
            self.decided_heights += 1
            self._on_decided(header, ids)
        return await self._next_height()

    async def _report(self, a: bytes, b: bytes) -> None:
        """Put a duplicate vote on chain: submit (and gossip) the evidence transaction."""

        def submit(chain: Any) -> bytes | None:
            tx = evidence_transaction(chain.head, a, b, self._seed)
            try:
                chain.submit(tx)
            except TonomyError as exc:  # committed already, or a twin report waits in the mempool
                log.info("consensus: evidence not submitted: %s", exc)
                return None
            return tx

        try:
            tx = await self._worker.call(submit)
        except Exception:
            log.exception("consensus: submitting evidence failed")
            return
        if tx is not None and self._publish_transaction is not None:
            self._publish_transaction(tx)

    async def _validators_at(self, height: int) -> list[tuple[bytes, int]]:
        return list(await self._worker.call(lambda chain: chain.validators_at(height)))

    async def _catch_up(self) -> None:
        await self._carry_out(await self._next_height())

    async def _next_height(self) -> list[Any]:
        head = await self._worker.call(lambda chain: chain.head)
        height = head.height + 1
        if height <= self._engine.height:
            return []  # the engine is at the chain's next height already
        self._own.clear()
        if self._wal is not None:
            self._wal_thread.submit(self._wal.new_height, height).add_done_callback(_log_failure)
        validators = await self._validators_at(height)
        outputs: list[Any] = self._engine.new_height(height, validators)
        return outputs

    async def _rebroadcast_loop(self) -> None:
        """Re-send our messages of the current height's last two rounds: gossip is best effort."""
        while True:
            await asyncio.sleep(self._rebroadcast_s)
            current = self._engine.round
            for (kind, round_, _), message in list(self._own.items()):
                if round_ + 1 >= current:
                    self._publish(kind, message)


def _log_failure(future: Any) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("consensus: writing the WAL failed", exc_info=future.exception())


__all__ = ["DEFAULT_TIMEOUTS_MS", "SAFETY_FILE", "SYNC_FOLLOW_GRACE_S", "ConsensusDriver"]
