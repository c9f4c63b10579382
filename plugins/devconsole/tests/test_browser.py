"""The Developer Console page in headless Chromium (Debian's package, driven by Playwright) against a real node.

An app is registered and used on a devnet (alice owns it, bob logs in), then the page
lists it with its usage and shows its settings, operated with the keyboard only. No
request may leave the node's origin and no console error may occur. Skips, saying why,
when /usr/bin/chromium is missing. A screenshot lands in artifacts/screenshots/.
"""

from __future__ import annotations

import base64
import struct
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

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed at /usr/bin/chromium")


def act(client: NodeClient, plugin: str, name: str, data: dict[str, Any], signer: str, **keys: Any) -> None:
    receipt = client.push_action(plugin, name, data, [f"{signer}@active"], **keys)
    assert receipt.ok, (receipt.error_code, receipt.error_message)


@pytest.fixture(scope="module")
def console_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    devnet, node = start_devnet_node(tmp_path_factory.mktemp("devconsole"), block_time_ms=100)
    try:
        with NodeClient(node.url) as client:
            register_and_use_an_app(devnet, client)
        yield node
    finally:
        node.stop()


def register_and_use_an_app(devnet: Devnet, client: NodeClient) -> None:
    from tonomy_identity import login

    authority = {"threshold": 1, "keys": [{"key": public_key("notesapp"), "weight": 1}], "accounts": [], "waits": []}
    act(client, "tonomy", "newaccount", {"creator": "alice", "name": "notesapp", "type": "app", "owner": authority,
                                        "active": authority}, "alice", key_file=devnet.key_file("alice"))
    act(client, "identity", "register_app", {
        "account": "notesapp", "name": "Notes", "origin": ORIGIN, "redirect_uris": [ORIGIN + "/cb"], "scopes": [],
        "data_scopes": ["name"], "request_key": public_key("notesapp-req"), "description": "Write notes <b>safely</b>",
        "logo": "data:image/png;base64," + base64.b64encode(PNG).decode(),
    }, "notesapp", seeds=[seed("notesapp")])  # fmt: skip
    head = client.head()
    app = login.LoginClient("notesapp", ORIGIN, seed("notesapp-req"), head.chain_id)
    signed = app.create_request(ORIGIN + "/cb", [], now_ms=head.time, valid_ms=600_000, data_scopes=["name"])
    plugin, name, data = login.login_action("bob", signed)
    act(client, plugin, name, data, "bob", key_file=devnet.key_file("bob"))


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


def test_console_lists_the_owners_apps_with_usage_by_keyboard(console_node: NodeProcess, page: Any) -> None:
    page.goto(console_node.url + "/app/devconsole/index.html")
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
    page.goto(console_node.url + "/app/devconsole/index.html#owner/bob")
    page.get_by_text("bob owns no apps.").wait_for()
    page.goto(console_node.url + "/app/devconsole/index.html#owner/Not!An!Account")
    page.get_by_text("That is not an account name.").wait_for()
    assert page.problems == []
