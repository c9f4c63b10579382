"""CPU per transfer of each node process of a 4-validator cluster (and of the client).

The benchmark's cluster (``bench_network.funded_cluster``: 4 validator processes on
loopback, 256 funded senders). Each round submits a burst of COUNT transfers in batches
to the four nodes in turn and waits until all are final on node 0; it prints transfers
per second, p50/p99 submit-to-final, and the CPU microseconds each node process (from
``/proc``) and this client spent per transfer. On a machine other work loads, the CPU
figures stay comparable where transfers per second do not.

    .venv/bin/python benchmarks/profile_cluster.py [COUNT] [ROUNDS]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_network import FinalityWatch, funded_cluster, submit_in_batches  # noqa: E402


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads, finished ones included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("rounds", nargs="?", type=int, default=3)
    args = parser.parse_args()
    with funded_cluster(Path(tempfile.mkdtemp(prefix="tonomy-cluster-"))) as funded:
        pids = [node.process.pid for node in funded.cluster.nodes if node.process is not None]
        for round_ in range(args.rounds):
            txs = funded.transfers(args.count)
            watch = FinalityWatch(funded.urls[0])
            try:
                before, client_before, started = [process_cpu_s(p) for p in pids], own_cpu_s(), time.perf_counter()
                submitted = submit_in_batches(funded.urls, txs)
                watch.wait_for([tx_id for tx_id, _ in submitted], 120)
                after, client_after = [process_cpu_s(p) for p in pids], own_cpu_s()
                span = max(watch.final_at[tx_id] for tx_id, _ in submitted) - started
                latencies = sorted(watch.final_at[tx_id] - at for tx_id, at in submitted)
            finally:
                watch.close()
            funded.transferred += args.count
            per_node = " ".join(f"{(b - a) * 1e6 / args.count:.0f}" for a, b in zip(before, after))
            print(
                f"round {round_}: {args.count / span:.0f} tx/s, p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
                f"p99 {latencies[int(0.99 * len(latencies))] * 1000:.0f} ms; CPU us/tx per node: {per_node}; "
                f"client {(client_after - client_before) * 1e6 / args.count:.0f}",
                flush=True,
            )
        funded.check_all_arrived()


if __name__ == "__main__":
    main()
