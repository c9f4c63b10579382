"""The example shop (examples/shop) as a real process beside a real node: a headless wallet
signs in through the same SDK functions the node's consent page mirrors, pays, and the
shop sees the payment only once the chain proves it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tonomy.node.devnet import Devnet
from tonomy.sdk import Client, approve_login
from tonomy.testing.example_shop import running_example_shop

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def shop(devnet_node: tuple[Devnet, object], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    devnet, node = devnet_node
    with running_example_shop(node.url, devnet.root, tmp_path_factory.mktemp("shop")) as url:  # type: ignore[attr-defined]
        yield url


def _query(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query)[name][0]


def test_sign_in_pay_and_the_shop_sees_it(shop: str, client: Client, devnet: Devnet) -> None:
    browser = httpx.Client(base_url=shop, timeout=60, follow_redirects=False)
    login = browser.get("/login")
    assert login.status_code == 302
    consent = login.headers["location"]
    assert consent.startswith(client.url + "/id/login?request=")

    # The wallet (the node's consent page, headless) consents and sends the browser back.
    back = approve_login(client, _query(consent, "request"), account="bob", active_seed=devnet.key_seed("bob"))
    assert back.startswith(shop + "/login/done?response=")
    done = browser.get(back.removeprefix(shop))
    assert done.status_code == 303, done.text
    assert "Signed in as <strong>bob</strong>" in browser.get("/").text

    # Replaying the same response elsewhere gets no session.
    thief = httpx.Client(base_url=shop, timeout=60)
    replay = thief.get(back.removeprefix(shop))
    assert replay.status_code == 400 and "identity.replayed" in replay.text
    assert "not signed in" in thief.get("/").text

    bought = browser.post("/buy")
    assert bought.status_code == 303
    pay_page = bought.headers["location"]
    assert pay_page.startswith(client.url + "/pay/request/")
    request_id = int(urlsplit(pay_page).path.rsplit("/", 1)[1])
    assert _query(pay_page, "return") == f"{shop}/orders/{request_id}"
    assert browser.get(f"/orders/{request_id}/status").json()["status"] == "open"
    # Coming back with ?payment= before paying proves nothing.
    assert "Waiting for your payment" in browser.get(f"/orders/{request_id}", params={"payment": request_id}).text

    client.transact([("pay", "pay_request", {"id": request_id, "payer": "bob"}, ["bob@active"])], [devnet.key_seed("bob")])
    status = browser.get(f"/orders/{request_id}/status").json()
    assert status["status"] == "paid" and status["paid_by"] == "bob"
    assert "Paid: proven at block" in browser.get(f"/orders/{request_id}").text
    assert thief.get(f"/orders/{request_id}/status").status_code == 404  # not the thief's order


def test_hostile_requests_to_the_shop(shop: str) -> None:
    browser = httpx.Client(base_url=shop, timeout=60, follow_redirects=False)
    for response in ("", "!!", "A" * 5000, "eyJ9"):
        answer = browser.get("/login/done", params={"response": response})
        assert answer.status_code == 400
    assert browser.get("/login/done", params={"error": "access_denied"}).status_code == 400
    assert browser.post("/buy").headers["location"] == "/login"  # no session: sign in first
    assert browser.get("/orders/1").status_code == 404
    assert browser.get("/orders/x").status_code == 422
