"""The consensus write-ahead log: proposals and votes received for the current and next height.

The engine's safety file keeps hashes only. After a crash a validator may come back
locked on a value whose bytes only it had received; without those bytes no value could
ever gather a quorum again (docs/consensus.md, "What the host must provide"). So every
message handed to the engine is appended here first, and replayed into the new engine
right after ``start()``. At each new height the log is rewritten with only the records
of that height and later (temp file, then rename: a crash leaves the old or the new log).

Record: ``kind u8 ‖ height u64 BE ‖ length u32 BE ‖ message``. A torn tail (a crash in
the middle of an append) ends the replay; everything before it is kept.

Durability (docs/consensus.md, "Durability"): a PROPOSAL record is fsynced before the
engine sees the proposal, so no vote this validator signs for a value (and no lock it
takes on it) can outlive the value's bytes. Vote records are only flushed: losing the
last few in a power cut costs liveness at most, and peers re-send their votes anyway.
The rewrite at a new height fsyncs the file and then the directory; when no record is
kept the file is only truncated (stale records are never replayed: they are below the
restart height).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import IO

log = logging.getLogger("tonomy.node.consensus")

WAL_FILE = "consensus.wal"
KIND_PROPOSAL = 1
KIND_VOTE = 2
_HEADER = 13
#: Per height; beyond this a flood of (valid or invalid) messages is not logged.
MAX_RECORDS = 20_000
MAX_MESSAGE_BYTES = 9 * 1024 * 1024


class ConsensusWal:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / WAL_FILE
        self._records: list[tuple[int, int, bytes]] = self._read()
        self._handle: IO[bytes] = open(self.path, "ab")

    def _read(self) -> list[tuple[int, int, bytes]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        records = []
        offset = 0
        while offset + _HEADER <= len(data):
            kind = data[offset]
            height = int.from_bytes(data[offset + 1 : offset + 9], "big")
            length = int.from_bytes(data[offset + 9 : offset + 13], "big")
            end = offset + _HEADER + length
            if kind not in (KIND_PROPOSAL, KIND_VOTE) or length > MAX_MESSAGE_BYTES or end > len(data):
                log.warning("consensus WAL: torn or unknown record at byte %d; replaying what precedes it", offset)
                break
            records.append((kind, height, data[offset + _HEADER : end]))
            offset = end
        return records

    def records(self, from_height: int) -> list[tuple[int, bytes]]:
        """``(kind, message)`` of every record at ``from_height`` or later, in arrival order."""
        return [(kind, message) for kind, height, message in self._records if height >= from_height]

    def append(self, kind: int, height: int, message: bytes) -> None:
        """Log one message; a proposal is on disk (fsynced) when this returns."""
        if len(self._records) >= MAX_RECORDS or len(message) > MAX_MESSAGE_BYTES:
            return
        self._records.append((kind, height, message))
        self._handle.write(_header(kind, height, message))
        self._handle.write(message)  # not joined to its header: a proposal is megabytes
        self._handle.flush()
        if kind == KIND_PROPOSAL:
            os.fsync(self._handle.fileno())

    def new_height(self, height: int) -> None:
        """Drop the records of heights below ``height`` (rewrite the file atomically)."""
        self._records = [record for record in self._records if record[1] >= height]
        if not self._records:
            # Nothing to keep (the common case): empty the file in place. No fsync needed: if
            # the truncation is lost in a crash, the old records are below every height a
            # restart replays (the block before ``height`` is committed already).
            self._handle.truncate(0)
            return
        self._handle.close()
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            for kind, at, message in self._records:
                handle.write(_header(kind, at, message))
                handle.write(message)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(self.path)
        _fsync_directory(self.path.parent)
        self._handle = open(self.path, "ab")

    def close(self) -> None:
        self._handle.close()


def _header(kind: int, height: int, message: bytes) -> bytes:
    return bytes([kind]) + height.to_bytes(8, "big") + len(message).to_bytes(4, "big")


def _fsync_directory(path: Path) -> None:
    """Make a rename durable (POSIX: the directory entry lives in the directory)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["KIND_PROPOSAL", "KIND_VOTE", "WAL_FILE", "ConsensusWal"]
