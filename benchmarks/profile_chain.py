"""Where a transfer's CPU goes inside one node: an in-process proposer and follower.

Two chains on real LMDB stores share a genesis with 256 funded senders. 2,000 transfers
(the senders in turn, each signed with its sender's key) are admitted by both
(``Chain.submit_many``), built into one block by the proposer (``build_block``),
validated by the follower (``validate_block``) and committed by both (``apply_block``).
Prints wall and CPU microseconds per transfer of each stage (CPU of every thread: the
batch signature check runs on several). CPU per transfer is what stays comparable on a
machine that other work loads; compare runs made in the same minutes. After set-up the
script settles the garbage collector as a node does after start-up
(``gc_tuning.settle_after_start_up``), so the stages see a node's GC passes.

    .venv/bin/python benchmarks/profile_chain.py [COUNT] [--senders N] [--profile STAGE]

``--profile admit_follower`` (or another stage name) also prints that stage's cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tonomy_pay  # type: ignore[import-untyped]

from tonomy import _core
from tonomy.chain import blocks
from tonomy.chain.chain import Chain
from tonomy.chain.txbuilder import action, build_transaction
from tonomy.node import gc_tuning
from tonomy.testing.ledger import build_manager, make_genesis, seed

ROOMY = {"tonomy": {"max_account_txs_per_block": 4096, "mempool_max_per_account": 100_000, "max_block_transactions": 4096}}
STAGES = ("admit_proposer", "admit_follower", "build", "validate", "apply_proposer", "apply_follower")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=256)
    parser.add_argument("--profile", choices=STAGES, action="append", default=[])
    args = parser.parse_args()
    senders = [f"sender{i}" for i in range(args.senders)]
    root = Path(tempfile.mkdtemp(prefix="tonomy-profile-"))
    genesis = make_genesis(build_manager([tonomy_pay]), ("alice", "bob", *senders), parameters=ROOMY)
    proposer = Chain.open(root / "proposer", genesis, build_manager([tonomy_pay]), validator_seed=seed("validator"))
    follower = Chain.open(root / "follower", genesis, build_manager([tonomy_pay]))
    proposer.build_budget_s = None
    clock = [proposer.head.time]

    def next_time() -> int:
        clock[0] += 100
        return clock[0]

    def block_of(txs: list[bytes]) -> None:
        """Admit, build, commit on both chains (set-up, untimed)."""
        proposer.submit_many(txs)
        block = proposer.build_block(next_time())
        commit = blocks.sign_commit(seed("validator"), block.header)
        proposer.apply_block(block, commit)
        follower.apply_block(block, commit)

    def transfer(sender: str, to: str, amount: int, memo: str, nonce: int) -> bytes:
        data = {"from": sender, "to": to, "symbol": "TONO", "amount": amount, "memo": memo}
        return build_transaction(proposer.chain_id, proposer.head, [action("pay", "transfer", data, [f"{sender}@active"])], [seed(sender)], nonce=nonce)

    system = ["tonomy@active"]
    token = {"issuer": "tonomy", "symbol": "TONO", "decimals": 0, "max_supply": 10**15}
    funding = [action("pay", "create_token", token, system), action("pay", "issue", {"symbol": "TONO", "to": "alice", "amount": 10**15, "memo": ""}, system)]
    block_of([build_transaction(proposer.chain_id, proposer.head, funding, [seed("validator")])])
    block_of([transfer("alice", who, 10**9, "", 10**7 + i) for i, who in enumerate(senders)])
    block_of([transfer(senders[i % len(senders)], "bob", 1, f"w{i}", 10**6 + i) for i in range(200)])  # warm memos and caches

    batch = [transfer(senders[i % len(senders)], "bob", 1, f"t{i}", i) for i in range(args.count)]
    gc_tuning.settle_after_start_up()  # the GC settings a node runs with
    timings: dict[str, tuple[float, float, cProfile.Profile]] = {}

    def stage(name: str, work: Callable[[], Any]) -> Any:
        profile = cProfile.Profile()
        wall, cpu = time.perf_counter(), time.process_time()
        if name in args.profile:
            profile.enable()
        result = work()
        profile.disable()
        timings[name] = (time.perf_counter() - wall, time.process_time() - cpu, profile)
        return result

    stage("admit_proposer", lambda: proposer.submit_many(batch))
    stage("admit_follower", lambda: follower.submit_many(batch))
    block = stage("build", lambda: proposer.build_block(next_time()))
    assert len(block.transactions) == args.count
    stage("validate", lambda: follower.validate_block(block))
    commit = blocks.sign_commit(seed("validator"), block.header)
    value = _core.encode_block(block)  # the proposal's bytes (the node stores them as they are)
    stage("apply_proposer", lambda: proposer.apply_block(block, commit, value))
    stage("apply_follower", lambda: follower.apply_block(block, commit, value))
    assert proposer.head == follower.head
    for name, (wall, cpu, _) in timings.items():
        print(f"{name:15} {wall * 1e6 / args.count:7.1f} us/tx wall {cpu * 1e6 / args.count:7.1f} us/tx CPU")
    for name in args.profile:
        print(f"===== {name}")
        pstats.Stats(timings[name][2]).sort_stats("tottime").print_stats(25)
    proposer.close()
    follower.close()


if __name__ == "__main__":
    main()
