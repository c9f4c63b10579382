"""A funded devnet node (with the devnet wallet) and a headless Chromium, shared by the web UI's tests.

Each test module gets its own node and browser (module scope): the modules stay
independent, and one node serves every test of a module. Helpers are in ``browserkit``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tonomy.node.devnet import Devnet
from tonomy.testing.devnet_node import start_devnet_node
from tonomy.testing.node_process import NodeProcess

sys.path.insert(0, str(Path(__file__).parent))

from browserkit import ARGS, CHROMIUM, TIMEOUT_MS, watch_page  # noqa: E402


@pytest.fixture(scope="module")
def devnet_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Devnet, NodeProcess]]:
    devnet, node = start_devnet_node(tmp_path_factory.mktemp("web"), block_time_ms=100)
    try:
        yield devnet, node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    page = watch_page(browser_context.new_page())
    try:
        yield page
    finally:
        page.close()
