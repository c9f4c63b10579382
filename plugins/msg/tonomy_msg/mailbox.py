"""The node's mailbox store: sealed messages and receipts waiting for their account.

Node-local and persistent, never consensus state: one file per item in the service's
folder, ``<root>/<account>/m-<id hex>`` (a message to the account) or ``r-<id hex>``
(a receipt for a message the account sent). Files are written atomically and removed
with ``unlink``: no database free page keeps the bytes of delivered mail. The index
(counts and bytes per account, expiries) lives in memory and is rebuilt from the
folder on start. Deleted ids are remembered until they expire so that a late relay
cannot bring a delivered message back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tonomy.plugin import decode_record, encode_record
from tonomy.wallet.files import write_atomic

from tonomy_msg.errors import MsgQuotaExceededError
from tonomy_msg.formats import ACCOUNT, ID_BYTES, parse_receipt, parse_sealed

KINDS = ("m", "r")


@dataclass(frozen=True)
class Quota:
    max_items: int
    max_bytes: int


@dataclass
class Item:
    kind: str  # "m" message, "r" receipt
    item_id: bytes
    size: int
    expires_ms: int


class Mailbox:
    def __init__(self, root: Path, quota: Quota, receipt_ttl_ms: int) -> None:
        self.root = root
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.quota = quota
        self.receipt_ttl_ms = receipt_ttl_ms
        self._index: dict[str, dict[tuple[str, bytes], Item]] = {}
        self._gone: dict[tuple[str, str, bytes], int] = {}  # deleted (account, kind, id) -> expiry
        self._load()

    def _path(self, account: str, kind: str, item_id: bytes) -> Path:
        return self.root / account / f"{kind}-{item_id.hex()}"

    def _load(self) -> None:
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir() or not ACCOUNT.fullmatch(folder.name):
                continue
            for path in sorted(folder.iterdir()):
                kind, _, hex_id = path.name.partition("-")
                if kind not in KINDS or len(hex_id) != 2 * ID_BYTES or path.name.startswith("."):
                    continue
                try:
                    data = path.read_bytes()
                    expires = self._expiry(kind, data)
                except Exception:  # a damaged file is dropped, not served
                    path.unlink(missing_ok=True)
                    continue
                self._index.setdefault(folder.name, {})[(kind, bytes.fromhex(hex_id))] = Item(
                    kind, bytes.fromhex(hex_id), len(data), expires)

    def _expiry(self, kind: str, data: bytes) -> int:
        if kind == "m":
            return parse_sealed(decode_record(data)["sealed"]).header.expires_ms
        return parse_receipt(data).read_ms + self.receipt_ttl_ms

    def has(self, account: str, kind: str, item_id: bytes) -> bool:
        return (kind, item_id) in self._index.get(account, {})

    def was_deleted(self, account: str, kind: str, item_id: bytes) -> bool:
        return (account, kind, item_id) in self._gone

    def usage(self, account: str) -> tuple[int, int]:
        items = self._index.get(account, {})
        return len(items), sum(i.size for i in items.values())

    def put(self, account: str, kind: str, item_id: bytes, data: bytes, expires_ms: int) -> bool:
        """Store an item; False if already held or already delivered. Quota: ``msg.quota_exceeded``."""
        if self.has(account, kind, item_id) or self.was_deleted(account, kind, item_id):
            return False
        count, size = self.usage(account)
        if count + 1 > self.quota.max_items or size + len(data) > self.quota.max_bytes:
            raise MsgQuotaExceededError(f"the mailbox of {account} is full ({count} items, {size} bytes)")
        path = self._path(account, kind, item_id)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        write_atomic(path, data)
        self._index.setdefault(account, {})[(kind, item_id)] = Item(kind, item_id, len(data), expires_ms)
        return True

    def put_message(self, account: str, item_id: bytes, sealed: bytes, signer: bytes, signature: bytes,
                    expires_ms: int) -> bool:
        record = encode_record({"sealed": sealed, "signer": signer, "signature": signature})
        return self.put(account, "m", item_id, record, expires_ms)

    def get(self, account: str, kind: str, item_id: bytes) -> bytes | None:
        try:
            return self._path(account, kind, item_id).read_bytes()
        except FileNotFoundError:
            return None

    def items(self, account: str, kind: str, now_ms: int) -> Iterator[tuple[bytes, bytes]]:
        """``(id, stored bytes)`` of the account's live items of ``kind``, oldest expiry first."""
        listed = sorted((i for i in self._index.get(account, {}).values() if i.kind == kind and i.expires_ms > now_ms),
                        key=lambda i: (i.expires_ms, i.item_id))
        for item in listed:
            data = self.get(account, kind, item.item_id)
            if data is not None:
                yield item.item_id, data

    def delete(self, account: str, kind: str, item_id: bytes, remember_until_ms: int) -> bool:
        items = self._index.get(account, {})
        item = items.pop((kind, item_id), None)
        self._gone[(account, kind, item_id)] = max(remember_until_ms, item.expires_ms if item else 0)
        if not items:
            self._index.pop(account, None)
        self._path(account, kind, item_id).unlink(missing_ok=True)
        return item is not None

    def expire(self, now_ms: int) -> int:
        """Drop expired items and forget tombstones past their expiry; how many items went."""
        removed = 0
        for account in list(self._index):
            for (kind, item_id), item in list(self._index[account].items()):
                if item.expires_ms <= now_ms:
                    self.delete(account, kind, item_id, now_ms)
                    removed += 1
        for key, until in list(self._gone.items()):
            if until <= now_ms:
                del self._gone[key]
        return removed
