"""Fixtures of the marketplace tests (the harness lives in ``marketnet.py``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from marketnet import POLL_V1, SNEAKY, Market, make_market  # noqa: E402


@pytest.fixture
def market(tmp_path: Path) -> Iterator[Market]:
    """A chain with the DAO ``makers`` (alice, bob, carol), a council, and the poll and sneaky apps loaded."""
    net = make_market(tmp_path, [POLL_V1, SNEAKY])
    try:
        yield net
    finally:
        net.net.close()
