"""The consensus write-ahead log: what a restarted validator replays."""

from __future__ import annotations

from pathlib import Path

from tonomy.node.consensus_wal import KIND_PROPOSAL, KIND_VOTE, WAL_FILE, ConsensusWal


def test_records_survive_a_reopen_in_order(tmp_path: Path) -> None:
    wal = ConsensusWal(tmp_path)
    wal.append(KIND_PROPOSAL, 5, b"p5")
    wal.append(KIND_VOTE, 5, b"v5")
    wal.append(KIND_VOTE, 6, b"v6")
    wal.close()
    again = ConsensusWal(tmp_path)
    assert again.records(5) == [(KIND_PROPOSAL, b"p5"), (KIND_VOTE, b"v5"), (KIND_VOTE, b"v6")]
    assert again.records(6) == [(KIND_VOTE, b"v6")]
    again.close()


def test_a_torn_tail_ends_the_replay_and_keeps_what_precedes(tmp_path: Path) -> None:
    wal = ConsensusWal(tmp_path)
    wal.append(KIND_PROPOSAL, 1, b"whole")
    wal.append(KIND_VOTE, 1, b"cut in the middle")
    wal.close()
    path = tmp_path / WAL_FILE
    path.write_bytes(path.read_bytes()[:-5])
    again = ConsensusWal(tmp_path)
    assert again.records(1) == [(KIND_PROPOSAL, b"whole")]
    again.close()


def test_new_height_drops_older_records_durably(tmp_path: Path) -> None:
    wal = ConsensusWal(tmp_path)
    wal.append(KIND_PROPOSAL, 1, b"old")
    wal.append(KIND_VOTE, 2, b"next")
    wal.new_height(2)
    wal.append(KIND_VOTE, 2, b"after")
    wal.close()
    again = ConsensusWal(tmp_path)
    assert again.records(0) == [(KIND_VOTE, b"next"), (KIND_VOTE, b"after")]
    assert not (tmp_path / (WAL_FILE.rsplit(".", 1)[0] + ".tmp")).exists()
    again.close()


def test_garbage_is_not_replayed(tmp_path: Path) -> None:
    (tmp_path / WAL_FILE).write_bytes(b"\x07" + bytes(40))
    wal = ConsensusWal(tmp_path)
    assert wal.records(0) == []
    wal.close()


def test_new_height_with_nothing_to_keep_empties_the_log_and_appends_after(tmp_path: Path) -> None:
    wal = ConsensusWal(tmp_path)
    wal.append(KIND_PROPOSAL, 3, b"p3")
    wal.append(KIND_VOTE, 3, b"v3")
    wal.new_height(4)
    assert (tmp_path / WAL_FILE).stat().st_size == 0
    wal.append(KIND_VOTE, 4, b"v4")
    wal.close()
    again = ConsensusWal(tmp_path)
    assert again.records(0) == [(KIND_VOTE, b"v4")]
    again.close()
