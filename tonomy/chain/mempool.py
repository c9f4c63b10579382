"""The mempool: admitted transactions waiting for a block, in arrival order.

In memory only (a restarted node starts empty; clients resubmit). Limits are chain
parameters: a total size and a per-account share, so one account cannot crowd out
the others (Tonomy has no fees; quotas are the anti-spam rule).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable

from tonomy.chain.admission import AdmittedTransaction
from tonomy.errors import DuplicateTransactionError, MempoolFullError, QuotaExceededError


class Mempool:
    def __init__(self) -> None:
        self._entries: OrderedDict[bytes, AdmittedTransaction] = OrderedDict()
        self._per_account: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, tx_id: object) -> bool:
        return tx_id in self._entries

    def add(self, entry: AdmittedTransaction, *, max_size: int, max_per_account: int) -> None:
        if entry.tx_id in self._entries:
            raise DuplicateTransactionError(f"transaction {entry.tx_id.hex()} is already waiting for a block")
        if len(self._entries) >= max_size:
            raise MempoolFullError(f"the mempool holds {len(self._entries)} transactions, its limit; try again after the next block")
        count = self._per_account.get(entry.account, 0)
        if count >= max_per_account:
            raise QuotaExceededError(
                f"account {entry.account!r} already has {count} transactions waiting, its limit; wait for the next block"
            )
        self._entries[entry.tx_id] = entry
        self._per_account[entry.account] = count + 1

    def select(self, max_count: int, max_per_account: int, keep: Callable[[AdmittedTransaction], bool]) -> tuple[list[AdmittedTransaction], list[bytes]]:
        """Pick up to ``max_count`` in arrival order, at most ``max_per_account`` per account.

        Entries ``keep`` refuses (expired, already in a block) are returned as ids to
        drop; entries over an account's block share stay for a later block.
        """
        chosen: list[AdmittedTransaction] = []
        dropped: list[bytes] = []
        taken: dict[str, int] = {}
        for entry in self._entries.values():
            if len(chosen) >= max_count:
                break
            if not keep(entry):
                dropped.append(entry.tx_id)
                continue
            if taken.get(entry.account, 0) >= max_per_account:
                continue
            taken[entry.account] = taken.get(entry.account, 0) + 1
            chosen.append(entry)
        return chosen, dropped

    def remove(self, tx_ids: Iterable[bytes]) -> None:
        for tx_id in tx_ids:
            entry = self._entries.pop(tx_id, None)
            if entry is None:
                continue
            left = self._per_account[entry.account] - 1
            if left:
                self._per_account[entry.account] = left
            else:
                del self._per_account[entry.account]

    def clear(self) -> None:
        self._entries.clear()
        self._per_account.clear()
