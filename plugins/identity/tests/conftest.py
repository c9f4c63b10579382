"""A real chain per test (LedgerNet, LMDB in tmp_path) with the identity plugin loaded."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules beside the tests

import tonomy_identity  # noqa: E402
from identity_net import Net  # noqa: E402
from tonomy.testing.ledger import LedgerNet  # noqa: E402


@pytest.fixture
def net(tmp_path: Any) -> Any:
    ledger = LedgerNet.create(tmp_path / "chain", plugins=[tonomy_identity],
                              accounts=["alice", "bob", "carol", "dave", "erin", "frank"])
    try:
        yield Net(ledger)
    finally:
        ledger.close()


__all__ = ["Net"]
