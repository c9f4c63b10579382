"""Login with Tonomy and payment requests through tonomy.sdk, against a real node.

The wallet side is :func:`approve_login` (what the node's consent page does); the app
side is :func:`request_login` / :func:`verify_login`. Then CORS: only the registered
origin gets CORS headers, hostile lookalikes get none.
"""

from __future__ import annotations

import itertools
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tonomy.errors import TonomyError
from tonomy.node.devnet import Devnet
from tonomy.sdk import (
    Client,
    LoginApp,
    LoginParameterError,
    PaymentNotMadeError,
    approve_login,
    create_payment_request,
    decode_login_request,
    decode_login_response,
    encode_login_response,
    payment_url,
    proven_payment,
    request_login,
    verify_login,
    wait_paid,
)
from tonomy.sdk.login import b64url_encode
from tonomy.sdk.apps import RegisteredApp, register_app

_ports = itertools.count(8701)


@pytest.fixture
def shop(client: Client, devnet: Devnet) -> RegisteredApp:
    port = next(_ports)
    origin = f"http://localhost:{port}"
    return register_app(
        client,
        creator="alice",
        creator_seed=devnet.key_seed("alice"),
        account=f"shop{port}",
        name="Test shop",
        origin=origin,
        redirect_uris=[origin + "/login/done"],
        scopes=["pay.transfer"],
    )


def _param(url: str, name: str) -> str:
    values = parse_qs(urlsplit(url).query)[name]
    assert len(values) == 1
    return values[0]


def test_login_round_trip_and_replay(client: Client, devnet: Devnet, shop: RegisteredApp) -> None:
    login = LoginApp.create(client, app=shop.account, origin=shop.origin, request_seed=shop.key.seed)
    url = request_login(login, shop.origin + "/login/done", ["pay.transfer"])
    assert url.startswith(client.url + "/id/login?request=")
    request = _param(url, "request")
    assert decode_login_request(request).record["app"] == shop.account

    back = approve_login(client, request, account="bob", active_seed=devnet.key_seed("bob"))
    assert back.startswith(shop.origin + "/login/done?response=")
    session = verify_login(login, _param(back, "response"))
    assert session.account == "bob" and session.scopes == ("pay.transfer",)

    with pytest.raises(TonomyError) as replay:
        verify_login(login, _param(back, "response"))
    assert replay.value.code == "identity.replayed"


def test_login_refuses_tampering(client: Client, devnet: Devnet, shop: RegisteredApp) -> None:
    login = LoginApp.create(client, app=shop.account, origin=shop.origin, request_seed=shop.key.seed)
    request = _param(request_login(login, shop.origin + "/login/done"), "request")
    # The wallet refuses a request whose origin it did not observe (phishing).
    with pytest.raises(TonomyError) as phished:
        approve_login(client, request, account="bob", active_seed=devnet.key_seed("bob"), observed_origin="https://evil.example")
    assert phished.value.code == "identity.wrong_origin"
    # A request signed by another key than the app's registered one.
    impostor = LoginApp.create(client, app=shop.account, origin=shop.origin, request_seed=b"\x05" * 32)
    forged = _param(request_login(impostor, shop.origin + "/login/done"), "request")
    with pytest.raises(TonomyError) as unsigned:
        approve_login(client, forged, account="bob", active_seed=devnet.key_seed("bob"))
    assert unsigned.value.code == "identity.bad_signature"

    back = approve_login(client, request, account="carol", active_seed=devnet.key_seed("carol"))
    response = decode_login_response(_param(back, "response"))
    # The response claims another account: its signature and the proven session disagree.
    from dataclasses import replace

    lie = encode_login_response(replace(response, account="bob"))
    with pytest.raises(TonomyError) as wrong:
        verify_login(login, lie)
    assert wrong.value.code.startswith("identity.")
    assert verify_login(login, _param(back, "response")).account == "carol"  # the real one still works


@pytest.mark.parametrize(
    "text",
    ["", "a", "AAAA=", "AA AA", "AB+/", "A" * 5000, b64url_encode(b"{}"), b64url_encode(b"not json"), "AB"],
)
def test_hostile_response_parameters(client: Client, shop: RegisteredApp, text: str) -> None:
    login = LoginApp.create(client, app=shop.account, origin=shop.origin, request_seed=shop.key.seed)
    with pytest.raises(LoginParameterError) as bad:
        verify_login(login, text)
    assert bad.value.code == "client.bad_login_parameter"


@pytest.mark.parametrize("text", ["", "a", "AAAA=", "A" * 5000, b64url_encode(b"x" * 64), b64url_encode(b"{}" + bytes(64))])
def test_hostile_request_parameters(text: str) -> None:
    with pytest.raises(TonomyError) as bad:
        decode_login_request(text)
    assert bad.value.code in ("client.bad_login_parameter", "identity.login_rejected")


# -- payments ------------------------------------------------------------------------------------


def test_payment_request_paid_and_proven(client: Client, devnet: Devnet, shop: RegisteredApp) -> None:
    request_id = create_payment_request(
        client, payee="alice", payee_seed=devnet.key_seed("alice"), symbol="TONO", amount=25, memo="order 1"
    )
    assert payment_url(client.url, request_id, shop.origin + "/paid") == (
        f"{client.url}/pay/request/{request_id}?return=http%3A%2F%2Flocalhost%3A{shop.origin.rsplit(':', 1)[1]}%2Fpaid"
    )
    assert proven_payment(client, request_id).status == "open"
    with pytest.raises(Exception) as early:
        wait_paid(client, request_id, timeout=0.3, poll_s=0.05)
    assert getattr(early.value, "code", None) == "client.error"
    client.transact([("pay", "pay_request", {"id": request_id, "payer": "bob"}, ["bob@active"])], [devnet.key_seed("bob")])
    paid = wait_paid(client, request_id, timeout=30)
    assert paid.status == "paid" and paid.record["paid_by"] == "bob" and paid.record["amount"] == 25


def test_cancelled_and_expired_requests_are_never_paid(client: Client, devnet: Devnet) -> None:
    alice = devnet.key_seed("alice")
    cancelled = create_payment_request(client, payee="alice", payee_seed=alice, symbol="TONO", amount=3)
    client.transact([("pay", "cancel_request", {"id": cancelled}, ["alice@active"])], [alice])
    with pytest.raises(PaymentNotMadeError):
        wait_paid(client, cancelled, timeout=10)
    soon = client.block().header.height + 3
    expiring = create_payment_request(client, payee="alice", payee_seed=alice, symbol="TONO", amount=3, expires_height=soon)
    deadline = time.monotonic() + 30
    while client.block().header.height < soon and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(PaymentNotMadeError, match="expired"):
        wait_paid(client, expiring, timeout=10)


# -- CORS -------------------------------------------------------------------------------------------


def test_cors_only_for_registered_origins(client: Client, shop: RegisteredApp) -> None:
    port = shop.origin.rsplit(":", 1)[1]
    with httpx.Client(base_url=client.url, timeout=30) as http:
        deadline = time.monotonic() + 10  # the node re-reads the registered origins every second
        while True:
            allowed = http.get("/v1/health", headers={"Origin": shop.origin})
            if allowed.headers.get("access-control-allow-origin") == shop.origin or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert allowed.headers.get("access-control-allow-origin") == shop.origin
        assert "Origin" in allowed.headers.get("vary", "")
        assert "access-control-allow-credentials" not in allowed.headers
        preflight = http.options(
            "/v1/transactions/signed",
            headers={"Origin": shop.origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == shop.origin
        assert "POST" in preflight.headers["access-control-allow-methods"]
        failing = http.get("/v1/transactions/" + "00" * 32, headers={"Origin": shop.origin})  # errors are readable too
        assert failing.status_code == 404 and failing.headers.get("access-control-allow-origin") == shop.origin

        hostile = [
            "null",
            shop.origin.upper(),
            shop.origin.replace("localhost", "LocalHost"),
            shop.origin + "/",
            shop.origin + ".evil.example",
            f"http://localhost:{int(port) + 1}",
            "http://localhost",
            shop.origin.replace("http://", "https://"),
            "http://localhost.evil.example:" + port,
            "http://evil.example",
            f"http://localhost:0{port}",
            "http://xn--lcalhost-9mf:" + port,
            "*",
            "",
        ]
        for origin in hostile:
            for answer in (
                http.get("/v1/health", headers={"Origin": origin}),
                http.options("/v1/health", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}),
            ):
                assert not any(h.startswith("access-control-") for h in answer.headers), (origin, dict(answer.headers))
        # Only the JSON API is shared, never the devnet wallet (a registered page must not sign).
        for path in ("/v1/devnet/wallet", "/metrics", "/"):
            for answer in (
                http.get(path, headers={"Origin": shop.origin}),
                http.options(path, headers={"Origin": shop.origin, "Access-Control-Request-Method": "POST"}),
            ):
                assert "access-control-allow-origin" not in answer.headers, (path, dict(answer.headers))
        # Two Origin headers are ambiguous: no CORS either.
        doubled = http.get("/v1/health", headers=[("Origin", shop.origin), ("Origin", shop.origin)])
        assert "access-control-allow-origin" not in doubled.headers
        # Without an Origin (same-origin or not a browser) nothing changes.
        plain = http.get("/v1/health")
        assert plain.status_code == 200 and "access-control-allow-origin" not in plain.headers
