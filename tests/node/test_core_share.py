"""Validators sharing one machine each take a share of its cores for batch signature checks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tonomy.node import core_share
from tonomy.node.core_share import SIGNATURE_THREADS_ENV, shared_core_env
from tonomy.node.devnet_cluster import ValidatorProcess


@pytest.mark.parametrize(("cores", "processes", "share"), [(2, 4, "1"), (8, 4, "2"), (16, 3, "5"), (1, 1, "1"), (4, 0, "4")])
def test_each_process_gets_its_share_of_the_cores(monkeypatch: pytest.MonkeyPatch, cores: int, processes: int, share: str) -> None:
    monkeypatch.delenv(SIGNATURE_THREADS_ENV, raising=False)
    monkeypatch.setattr(core_share.os, "cpu_count", lambda: cores)
    assert shared_core_env(processes) == {SIGNATURE_THREADS_ENV: share}


def test_an_operator_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SIGNATURE_THREADS_ENV, "7")
    assert shared_core_env(4) == {}


def test_a_validator_process_starts_with_its_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The share reaches a real child process, and the core there honours it."""
    monkeypatch.delenv(SIGNATURE_THREADS_ENV, raising=False)
    monkeypatch.setattr(core_share.os, "cpu_count", lambda: 6)
    command = [sys.executable, "-c", "import tonomy._core as c; print(c.ed25519_batch_threads())"]
    child = ValidatorProcess(0, tmp_path, command, tmp_path / "out.log", extra_env=shared_core_env(2))
    child.start()
    assert child.process is not None and child.process.wait(60) == 0
    child.stop()
    assert (tmp_path / "out.log").read_text().strip() == "3"
