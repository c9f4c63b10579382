"""Fixtures for the governance tests; the helpers they use are in ``govnet``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from govnet import Gov, make_net  # noqa: E402


@pytest.fixture
def gov(tmp_path: Path) -> Iterator[Gov]:
    net = make_net(tmp_path)
    try:
        yield Gov(net)
    finally:
        net.close()


@pytest.fixture
def slow_gov(tmp_path: Path) -> Iterator[Gov]:
    """Voting starts 4 blocks after creation and lasts 12 (room to cancel, or for many steps)."""
    net = make_net(tmp_path, {"voting_delay": 4, "voting_period": 12, "timelock": 6})
    try:
        yield Gov(net)
    finally:
        net.close()
