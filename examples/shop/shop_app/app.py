"""The shop: a third-party web app that signs people in with Tonomy and takes payments.

Everything it knows about a person comes through ``tonomy.sdk`` with proofs: the login
(``verify_login``: the user's key and the on-chain session, proven under a
commit-verified header) and the payment (``wait_paid``/``proven_payment``: the Pay
request record, proven). The browser only carries the request and response
parameters (docs/sdk.md, "The browser contract"); nothing it says is believed.

Pages are plain server-rendered HTML; nothing is loaded from another origin.
"""

from __future__ import annotations

import functools
import html
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from tonomy.errors import TonomyError
from tonomy.sdk import (
    Client,
    LoginApp,
    create_payment_request,
    payment_url,
    proven_payment,
    request_login,
    verify_login,
)

SESSION_COOKIE = "shop_session"
PRODUCT = "Tonomy T-shirt"


@dataclass
class ShopConfig:
    node_url: str
    chain_id: bytes
    account: str  # the app's account: registered app, payee of every order
    origin: str  # e.g. http://localhost:8650 (as registered on chain)
    seed: bytes  # the app's key: its active key and its registered request key
    symbol: str = "TONO"
    price: int = 25


@dataclass
class ShopState:
    """In-memory sessions and orders (a real shop keeps them in its database)."""

    sessions: dict[str, str] = field(default_factory=dict)  # cookie token -> account
    orders: dict[int, str] = field(default_factory=dict)  # payment request id -> buyer


def create_app(config: ShopConfig) -> FastAPI:
    client = Client(config.node_url, chain_id=config.chain_id)
    login = LoginApp.create(client, app=config.account, origin=config.origin, request_seed=config.seed)
    state = ShopState()
    app = FastAPI(title="Example shop (Login with Tonomy, Pay)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.shop = state
    redirect_uri = config.origin + "/login/done"
    node = urlsplit(config.node_url)
    # The /buy form's answer redirects to the node's Pay page: CSP form-action must allow it.
    _page = functools.partial(_render, form_action=f"'self' {node.scheme}://{node.netloc}")

    def buyer(request: Request) -> str | None:
        token = request.cookies.get(SESSION_COOKIE)
        return None if token is None else state.sessions.get(token)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        account = buyer(request)
        if account is None:
            body = '<p>You are not signed in.</p><p><a class="button" href="/login">Sign in with Tonomy</a></p>'
        else:
            mine = sorted(i for i, who in state.orders.items() if who == account)
            orders = "".join(f'<li><a href="/orders/{i}">order {i}</a></li>' for i in mine) or "<li>none yet</li>"
            body = (
                f"<p>Signed in as <strong>{html.escape(account)}</strong>.</p>"
                f"<form method='post' action='/buy'><p>{PRODUCT}: {config.price} {html.escape(config.symbol)}</p>"
                "<button type='submit'>Buy with Tonomy Pay</button></form>"
                f"<h2>Your orders</h2><ul>{orders}</ul>"
                "<form method='post' action='/logout'><button type='submit'>Sign out</button></form>"
            )
        return _page("Example shop", body)

    @app.get("/login")
    def start_login() -> RedirectResponse:
        """Send the browser to the node's consent page with a signed login request."""
        return RedirectResponse(request_login(login, redirect_uri), status_code=302)

    @app.get("/login/done")
    def finish_login(response: str | None = None, error: str | None = None) -> Response:
        if error is not None or response is None:
            return _page("Not signed in", "<p>Sign-in was declined or cancelled.</p><p><a href='/'>Back</a></p>", 400)
        try:
            session = verify_login(login, response)
        except TonomyError as exc:
            return _page("Not signed in", f"<p>The sign-in was refused: <code>{html.escape(exc.code)}</code></p>", 400)
        token = secrets.token_urlsafe(32)
        state.sessions[token] = session.account
        answer = RedirectResponse("/", status_code=303)
        answer.set_cookie(
            SESSION_COOKIE, token, httponly=True, samesite="lax", secure=config.origin.startswith("https://"), path="/"
        )
        return answer

    @app.post("/logout")
    def logout(request: Request) -> Response:
        if not _same_origin(request, config.origin):
            return _page("Refused", "<p>Cross-site request refused.</p>", 403)
        state.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        answer = RedirectResponse("/", status_code=303)
        answer.delete_cookie(SESSION_COOKIE, path="/")
        return answer

    @app.post("/buy")
    def buy(request: Request) -> Response:
        """Create a Pay request addressed to the buyer and send them to the node's Pay page."""
        account = buyer(request)
        if account is None:
            return RedirectResponse("/login", status_code=303)
        if not _same_origin(request, config.origin):
            return _page("Refused", "<p>Cross-site request refused.</p>", 403)
        request_id = create_payment_request(
            client,
            payee=config.account,
            payee_seed=config.seed,
            symbol=config.symbol,
            amount=config.price,
            memo=f"{PRODUCT} for {account}",
            payer=account,
        )
        state.orders[request_id] = account
        return RedirectResponse(payment_url(config.node_url, request_id, f"{config.origin}/orders/{request_id}"), status_code=303)

    @app.get("/orders/{request_id}", response_class=HTMLResponse)
    def order(request: Request, request_id: int, payment: str | None = None) -> HTMLResponse:
        """The order's state as the chain proves it (the ``payment`` parameter proves nothing)."""
        status = _order_status(request, request_id)
        if status is None:
            return _page("No such order", "<p>No such order.</p>", 404)
        refresh = status["status"] == "open"
        text = {
            "paid": f"Paid: proven at block {status['height']}. Thank you!",
            "open": "Waiting for your payment…",
        }.get(status["status"], f"Not paid: {status['status']}.")
        return _page(f"Order {request_id}", f"<p>{html.escape(text)}</p><p><a href='/'>Back to the shop</a></p>", refresh=refresh)

    @app.get("/orders/{request_id}/status")
    def order_status(request: Request, request_id: int) -> JSONResponse:
        status = _order_status(request, request_id)
        if status is None:
            return JSONResponse({"error": "no such order"}, status_code=404)
        return JSONResponse(status)

    def _order_status(request: Request, request_id: int) -> dict[str, Any] | None:
        account = buyer(request)
        if account is None or state.orders.get(request_id) != account:
            return None
        proven = proven_payment(client, request_id)
        status = "expired" if proven.expired else proven.status
        return {"id": request_id, "status": status, "height": proven.height, "paid_by": proven.record.get("paid_by")}

    return app


def _same_origin(request: Request, origin: str) -> bool:
    """A state-changing POST must come from our own pages (or from no browser page at all)."""
    sent = request.headers.get("origin")
    if sent is not None:
        return sent == origin
    referer = request.headers.get("referer")
    if referer is None:
        return True
    parts = urlsplit(referer)
    return f"{parts.scheme}://{parts.netloc}" == origin


def _render(title: str, body: str, status: int = 200, *, refresh: bool = False, form_action: str = "'self'") -> HTMLResponse:
    meta = '<meta http-equiv="refresh" content="2">' if refresh else ""
    document = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>{meta}"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    headers = {"Content-Security-Policy": f"default-src 'none'; style-src 'unsafe-inline'; form-action {form_action}",
               "Referrer-Policy": "strict-origin-when-cross-origin", "X-Frame-Options": "DENY"}
    return HTMLResponse(document, status_code=status, headers=headers)


_CSS = (
    "body{font-family:system-ui,sans-serif;background:#f6f7f9;color:#1b1f24;margin:0}"
    "main{max-width:36rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}"
    "a.button,button{display:inline-block;padding:.6rem 1rem;border:0;border-radius:6px;background:#3b5bdb;color:#fff;"
    "text-decoration:none;font-size:1rem;cursor:pointer}"
)


__all__ = ["ShopConfig", "ShopState", "create_app"]
