"""A tiny third-party web app that logs people in with Tonomy ID, for the browser tests.

It is what an app developer writes with identity's ``LoginClient``: its front page links
to the node's ``/id/login?request=...``; its callback decodes the response, fetches the
proofs over the node's HTTP API and accepts the login once. It runs on ``localhost``
(another origin than the node's ``127.0.0.1``). The example app of the SDK can replace
it: anything that serves ``/`` with a ``#login`` link and ``/callback`` fits.
"""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tonomy.node.client import NodeClient, decode_header
from tonomy_identity.login import LoginClient, response_keys
from tonomy_identity.login_wire import decode_response, encode_request
from tonomy_identity.proofs import fetch


class HttpChain:
    """What ``proofs.fetch`` needs from a chain, over the node's HTTP API."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)

    @property
    def height(self) -> int:
        return int(self.http.get("/v1/health").json()["height"])

    def get_state(self, plugin: str, key: bytes, height: int) -> tuple[bytes | None, bytes, Any]:
        doc = self.http.get(f"/v1/state/{plugin}/{key.hex()}", params={"height": str(height)}).json()
        value = None if doc["value"] is None else bytes.fromhex(doc["value"])
        return value, bytes.fromhex(doc["proof"]), decode_header(doc["header"])


@dataclass
class LoginApp:
    node_url: str
    app: str
    request_seed: bytes
    scopes: tuple[str, ...] = ("pay.transfer",)
    logins: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.origin = f"http://localhost:{self.server.server_address[1]}"
        with NodeClient(self.node_url) as client:
            chain_id = client.head().chain_id
        self.client = LoginClient(self.app, self.origin, self.request_seed, chain_id)
        self.chain = HttpChain(self.node_url)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def front_page(self) -> str:
        signed = self.client.create_request(self.origin + "/callback", self.scopes, now_ms=int(time.time() * 1000))
        link = f"{self.node_url}/id/login?request={encode_request(signed)}"
        return f'<h1>Coffee Shop</h1><p><a id="login" href="{html.escape(link)}">Log in with Tonomy</a></p>'

    def callback(self, query: dict[str, list[str]]) -> str:
        if "error" in query:
            self.refusals.append(query["error"][0])
            return '<h1>Coffee Shop</h1><p id="result">You did not log in.</p>'
        try:
            response = decode_response(query.get("response", [""])[0])
            bundle, header = fetch(self.chain, response_keys(response.account, response.app))
            session = self.client.finish(response, bundle, header, now_ms=int(time.time() * 1000))
        except Exception as exc:  # shown to the test, which fails on it
            return f'<h1>Coffee Shop</h1><p id="result">Login failed: {html.escape(str(exc))}</p>'
        self.logins.append(session.account)
        return f'<h1>Coffee Shop</h1><p id="result">Welcome, {html.escape(session.account)}.</p>'

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                url = urlsplit(self.path)
                if url.path == "/callback":
                    body = app.callback(parse_qs(url.query))
                elif url.path == "/paid":  # back from the Pay page; the app then checks the request on chain
                    app.payments.extend(parse_qs(url.query).get("payment", []))
                    body = '<h1>Coffee Shop</h1><p id="result">Thank you.</p>'
                else:
                    body = app.front_page()
                data = f"<!doctype html><html lang=en><title>Coffee Shop</title><body>{body}</body></html>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        return Handler
