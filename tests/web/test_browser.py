"""The web UI in headless Chromium (Playwright), against a real node: balances, a payment, the Explorer.

Uses the system Chromium only (never a downloaded browser); skips when it is not
installed. Screenshots land in artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tonomy.node.client import NodeClient
from tonomy.node.devnet import Devnet
from tonomy.testing.node_process import NodeProcess

from browserkit import CHROMIUM, shot as _shot

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed at /usr/bin/chromium")


def _balance_text(page: Any) -> str:
    return str(page.locator('#balances tr[data-symbol="TONO"] td.num').inner_text())


def test_home_shows_apps_without_keys_hex_or_blocks(devnet_node: tuple[Devnet, NodeProcess], page: Any) -> None:
    _, node = devnet_node
    page.goto(node.url + "/")
    nav = page.get_by_role("navigation", name="Apps")
    nav.get_by_role("link", name="Pay").wait_for()
    assert nav.get_by_role("link", name="Explorer").is_visible()
    page.get_by_text("The network is running.").wait_for()
    text = page.locator("body").inner_text()
    assert not re.search(r"\b[0-9a-f]{16,}\b", text), "hex on the home page"
    assert not re.search(r"\b(key|seed|block)s?\b", text, re.IGNORECASE), text
    # Keyboard: the skip link comes first and moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    _shot(page, "home")
    assert page.outside_requests == []
    assert page.console_errors == []


def test_send_a_payment_and_find_it_in_the_explorer(devnet_node: tuple[Devnet, NodeProcess], page: Any) -> None:
    _, node = devnet_node
    page.goto(node.url + "/app/pay/index.html")
    page.get_by_label("Pay from").select_option("devnet:alice")
    page.locator('#balances tr[data-symbol="TONO"]').wait_for()
    before = _balance_text(page)
    assert before.startswith("1,000,000") or before.startswith("999,")
    _shot(page, "pay-balances")

    # Fill the form by its labels, send with the keyboard.
    page.get_by_label("To (account name)").fill("bob")
    page.get_by_label("Amount").fill("12.5")
    page.get_by_label("Token").select_option("TONO")
    page.get_by_label("Note").fill("lunch")
    page.get_by_label("Note").press("Enter")
    sent = page.locator("#sent-link")
    sent.wait_for()
    assert "Sent 12.5 TONO to bob" in page.locator("#send-status").inner_text()
    page.wait_for_function(
        "before => document.querySelector('#balances tr[data-symbol=\"TONO\"] td.num').textContent !== before", arg=before
    )
    _shot(page, "pay-sent")

    tx_id = str(sent.get_attribute("href")).rsplit("/", 1)[-1]
    with NodeClient(node.url) as client:
        assert client.query("pay", "balance", {"account": "bob", "symbol": "TONO"}) >= 1_000_000 * 10**6 + 12_500_000
        status = client.status(bytes.fromhex(tx_id))
        assert status.committed and status.receipt is not None and status.receipt.ok

    sent.click()
    page.get_by_role("heading", name=re.compile(r"^Transaction ")).wait_for()
    detail = page.locator("#detail").inner_text()
    assert "Committed" in detail and "Executed" in detail and tx_id in detail
    assert "pay · transferred" in detail
    assert "from alice" in detail and "to bob" in detail and "amount 12500000" in detail and "memo lunch" in detail
    # The live activity list (the node's event stream) shows it too.
    page.locator(f'#activity tr[data-tx="{tx_id}"]').first.wait_for()
    _shot(page, "explorer-transaction")
    # Its block is one click away, and lists it.
    page.locator("#detail").get_by_role("link", name=str(status.height)).click()
    page.get_by_role("heading", name=f"Block {status.height}").wait_for()
    assert page.locator("#detail").get_by_role("link", name=re.compile(tx_id[:8])).is_visible()
    _shot(page, "explorer-block")
    assert page.outside_requests == []
    assert page.console_errors == []


def test_a_bad_amount_is_explained_and_nothing_is_sent(devnet_node: tuple[Devnet, NodeProcess], page: Any) -> None:
    _, node = devnet_node
    with NodeClient(node.url) as client:
        height = client.head().height
    page.goto(node.url + "/app/pay/index.html")
    page.get_by_label("Pay from").select_option("devnet:alice")
    page.locator('#balances tr[data-symbol="TONO"]').wait_for()
    page.get_by_label("To (account name)").fill("bob")
    for amount in ("-1", "1.1234567", "abc", "0"):
        page.get_by_label("Amount").fill(amount)
        page.get_by_role("button", name="Send").click()
        page.get_by_text("Enter an amount above zero").wait_for()
    page.get_by_label("Amount").fill("1")
    page.get_by_label("To (account name)").fill("nobody")
    page.get_by_role("button", name="Send").click()
    page.get_by_text(re.compile("^(The payment failed|Not sent)")).wait_for()
    _shot(page, "pay-refused")
    with NodeClient(node.url) as client:
        for h in range(height + 1, client.head().height + 1):
            for tx_id in client.block(h).transaction_ids:
                receipt = client.status(tx_id).receipt
                assert receipt is not None and not receipt.ok, "only the refused payment may have committed"


def test_a_key_kept_in_the_browser_signs_a_payment(
    devnet_node: tuple[Devnet, NodeProcess], page: Any, tmp_path: Path
) -> None:
    import json

    from tonomy.node.keys import read_key_file

    devnet, node = devnet_node
    bob = read_key_file(devnet.key_file("bob"))
    page.goto(node.url + "/app/pay/index.html")

    page.get_by_text("For developers: add an existing account from a file").click()
    # A key file whose seed does not match its public key is refused.
    forged = json.loads(devnet.key_file("bob").read_text())
    forged["public_key"] = read_key_file(devnet.key_file("carol")).public_key.hex()
    (tmp_path / "forged.key").write_text(json.dumps(forged))
    page.get_by_label("Key file").set_input_files(str(tmp_path / "forged.key"))
    page.get_by_label("New passphrase").fill("a long passphrase")
    page.get_by_role("button", name="Add account").click()
    page.get_by_text("does not match its public key").wait_for()

    page.get_by_label("Key file").set_input_files(str(devnet.key_file("bob")))
    page.get_by_label("New passphrase").fill("correct horse battery")
    page.get_by_role("button", name="Add account").click()
    page.get_by_text("bob is now in this browser").wait_for()
    stored = str(page.evaluate("JSON.stringify(Object.assign({}, localStorage))"))
    import base64

    assert "tonomy.keys.v1" in stored and bob.public_key.hex() in stored
    for plain in (bob.seed.hex(), base64.b64encode(bob.seed).decode(), base64.urlsafe_b64encode(bob.seed).decode().rstrip("=")):
        assert plain not in stored, "the seed sits in browser storage in plaintext"
    assert page.evaluate("sessionStorage.length") == 0

    # A new page session starts locked; a wrong passphrase does not unlock.
    page.reload()
    page.get_by_label("Pay from").select_option("browser:bob")
    page.get_by_text("Locked. Enter its passphrase or PIN to act.").wait_for()
    page.get_by_label("Passphrase or PIN for this account").fill("wrong passphrase")
    page.get_by_role("button", name="Unlock").click()
    page.get_by_text("Not unlocked: wrong passphrase").wait_for()
    page.get_by_label("Passphrase or PIN for this account").fill("correct horse battery")
    page.get_by_label("Passphrase or PIN for this account").press("Enter")
    page.get_by_text("bob is unlocked.").wait_for()
    _shot(page, "pay-browser-key-unlocked")

    page.locator('#balances tr[data-symbol="TONO"]').wait_for()
    page.get_by_label("To (account name)").fill("carol")
    page.get_by_label("Amount").fill("2")
    page.get_by_role("button", name="Send").click()
    sent = page.locator("#sent-link")
    sent.wait_for()
    tx_id = str(sent.get_attribute("href")).rsplit("/", 1)[-1]
    with NodeClient(node.url) as client:
        status = client.status(bytes.fromhex(tx_id))
        assert status.committed and status.receipt is not None and status.receipt.ok
    _shot(page, "pay-browser-key-sent")
    sent.click()
    page.get_by_role("heading", name=re.compile(r"^Transaction ")).wait_for()
    assert "Executed" in page.locator("#detail").inner_text()
    assert page.outside_requests == []
    assert page.console_errors == []


def test_explorer_account_lookup(devnet_node: tuple[Devnet, NodeProcess], page: Any) -> None:
    _, node = devnet_node
    page.goto(node.url + "/app/explorer/index.html")
    page.get_by_label("Block height, transaction id or account name").fill("alice")
    page.get_by_role("button", name="Look up").click()
    page.get_by_role("heading", name="Account alice").wait_for()
    assert "person" in page.locator("#detail").inner_text()
    page.get_by_label("Block height, transaction id or account name").fill("nosuchname")
    page.keyboard.press("Enter")
    page.get_by_text("No account has this name.").wait_for()
    _shot(page, "explorer-account")


def test_explorer_lists_the_validators(devnet_node: tuple[Devnet, NodeProcess], page: Any) -> None:
    devnet, node = devnet_node
    from tonomy.node.keys import read_key_file

    validator = read_key_file(devnet.validator_key_file).public_key.hex()
    page.goto(node.url + "/app/explorer/index.html")
    row = page.locator(f'#validator-list tr[data-validator="{validator}"]')
    row.wait_for()
    assert int(row.locator("td.num").first.inner_text()) >= 1
    assert page.locator("#validator-list tr").count() == 1  # a one-validator devnet
    row.get_by_role("link").click()
    page.get_by_role("heading", name=re.compile(r"^Block \d+")).wait_for()
    assert validator[:8] in page.locator("#detail").inner_text()
    _shot(page, "explorer-validators")
