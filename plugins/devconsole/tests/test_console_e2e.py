"""``tonomy dev`` and the Developer Console page against a real devnet node.

alice creates and registers an app with the real CLI (a separate process signing with
her key file through the node's API), bob logs in; then the CLI lists it with its usage,
and headless Chromium (Debian's package, driven by Playwright) shows it, operated with
the keyboard only, with no request leaving the node's origin and no console error. The
browser test skips, saying why, when /usr/bin/chromium is missing. A screenshot lands
in artifacts/screenshots/.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tonomy.node.client import NodeClient
from tonomy.node.devnet import Devnet
from tonomy.testing.devnet_node import start_devnet_node
from tonomy.testing.ledger import public_key, seed
from tonomy.testing.node_process import NodeProcess

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
ORIGIN = "https://notes.example"


def tiny_png(rgb: bytes = b"\x1f\x5f\xbf", size: int = 8) -> bytes:
    """A real size x size PNG of one colour (so the page shows an actual logo)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + rgb * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = tiny_png()

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed at /usr/bin/chromium")


def tonomy_dev(devnet: Devnet, node: NodeProcess, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tonomy.cli", "dev", "--node", node.url, "--key-file", str(devnet.key_file("alice")),
               "--account", "alice", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def console_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Devnet, NodeProcess]]:
    root = tmp_path_factory.mktemp("devconsole")
    devnet, node = start_devnet_node(root, block_time_ms=100)
    try:
        logo = root / "logo.png"
        logo.write_bytes(PNG)
        tonomy_dev(devnet, node, "create", "notesapp")
        tonomy_dev(devnet, node, "register", "notesapp", "--name", "Notes", "--origin", ORIGIN, "--redirect", ORIGIN + "/cb",
                   "--data-scope", "name", "--request-key", public_key("notesapp-req").hex(),
                   "--description", "Write notes <b>safely</b>", "--logo", str(logo))
        with NodeClient(node.url) as client:
            log_in(devnet, client)
        yield devnet, node
    finally:
        node.stop()


def log_in(devnet: Devnet, client: NodeClient) -> None:
    """bob logs in to notesapp (the wallet's side of Login with Tonomy)."""
    from tonomy_identity import login

    head = client.head()
    app = login.LoginClient("notesapp", ORIGIN, seed("notesapp-req"), head.chain_id)
    signed = app.create_request(ORIGIN + "/cb", [], now_ms=head.time, valid_ms=600_000, data_scopes=["name"])
    plugin, name, data = login.login_action("bob", signed)
    receipt = client.push_action(plugin, name, data, ["bob@active"], key_file=devnet.key_file("bob"))
    assert receipt.ok, (receipt.error_code, receipt.error_message)


def test_the_cli_lists_the_app_with_its_usage(console_node: tuple[Devnet, NodeProcess]) -> None:
    rows = json.loads(tonomy_dev(*console_node, "list", "--json").stdout)
    assert [row["app"] for row in rows] == ["notesapp"]
    assert rows[0]["record"]["owner"] == "alice" and rows[0]["record"]["data_scopes"] == ["name"]
    assert rows[0]["usage"]["totals"] == {"logins": 1, "transactions": 0, "users": 1}


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.problems = []
            page.on("request", lambda r: page.problems.append(r.url) if not r.url.startswith(("http://127.0.0.1:", "data:")) else None)
            page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: page.problems.append(str(e)))
            yield page
        finally:
            browser.close()


@needs_chromium
def test_console_lists_the_owners_apps_with_usage_by_keyboard(console_node: tuple[Devnet, NodeProcess], page: Any) -> None:
    _, node = console_node
    page.goto(node.url + "/app/devconsole/index.html")
    page.get_by_role("navigation").get_by_role("link", name="Developer").wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    # Keyboard only: the labelled field, Enter submits.
    page.get_by_label("Owner account").focus()
    page.keyboard.type("alice")
    page.keyboard.press("Enter")
    row = page.locator('#apps tr[data-app="notesapp"]')
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    assert cells == [ORIGIN, "1", "1", "0", "1", "1"], cells  # origin, key version, logins, transactions, users, active
    assert page.get_by_role("status").first.inner_text() == "1 app."
    # The row header is a button: Enter opens the details and moves focus to their heading.
    button = row.get_by_role("button", name="Notes (notesapp)")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement !== null && document.activeElement.id === 'detail-title'")
    assert page.url.endswith("#owner/alice/app/notesapp")
    detail = page.locator("#detail").inner_text()
    assert "Write notes <b>safely</b>" in detail  # shown as text, never as markup
    assert "alice" in detail and "May ask for data\nname" in detail and "version 1 since block" in detail
    assert page.locator("#detail-logo").get_attribute("alt") == "Notes logo"
    assert page.locator("#detail-logo").evaluate("img => img.complete && img.naturalWidth") == 8
    assert page.locator("#usage tr").count() == 7
    assert page.locator("#usage tr").last.locator("td").all_inner_texts() == ["1", "0", "1"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "devconsole.png"), full_page=True)
    # An owner without apps, and a name that is not an account, say so.
    page.goto(node.url + "/app/devconsole/index.html#owner/bob")
    page.get_by_text("bob owns no apps.").wait_for()
    page.goto(node.url + "/app/devconsole/index.html#owner/Not!An!Account")
    page.get_by_text("That is not an account name.").wait_for()
    assert page.problems == []
