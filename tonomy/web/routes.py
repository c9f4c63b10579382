"""Serve the web UI from the node: the shell at ``/``, shared assets at ``/web/``, apps at ``/app/<name>/``.

Every answer under these paths carries a Content-Security-Policy that allows only
this origin: a page cannot load scripts, styles or fonts from elsewhere, nor send
data anywhere but the node.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tonomy.node.api_models import WebPageLink, WebPages
from tonomy.web.pages import STATIC_ROOT, RegisteredPage, host_pages

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_UI_PREFIXES = ("/app/", "/web/", "/id/", "/pay/")
#: Well-known addresses apps send people to (docs/sdk.md), served from a plugin's page
#: folder when that plugin has pages: Login with Tonomy (``/id/login?request=...``) and a
#: payment request (``/pay/request/<id>?return=...``). Served in place, not redirected, so
#: the page sees the app as its referrer; the page reads its parameters from the address.
WELL_KNOWN = {"/id/login": ("identity", "login.html"), "/pay/request/{request_id}": ("pay", "request.html")}


def install_web(app: FastAPI, pages: Sequence[RegisteredPage] | None) -> None:
    registered = list(pages) if pages is not None else host_pages()
    links = WebPages(pages=[WebPageLink(**page.to_json()) for page in registered])

    @app.get("/", include_in_schema=False)
    async def shell() -> FileResponse:
        return FileResponse(STATIC_ROOT / "index.html", media_type="text/html")

    @app.get("/v1/web/pages", response_model=WebPages, tags=["web UI"])
    async def web_pages() -> WebPages:
        """The pages of the web UI (the shell builds its navigation from this list)."""
        return links

    app.mount("/web", StaticFiles(directory=STATIC_ROOT / "shell"), name="web-shell")
    mounted: set[str] = set()
    for page in registered:
        if page.app not in mounted:
            mounted.add(page.app)
            app.mount(f"/app/{page.app}", StaticFiles(directory=page.page.static_dir, html=True), name=f"app-{page.app}")
    for address, (owner, file_name) in WELL_KNOWN.items():
        _serve_well_known(app, address, registered, owner, file_name)
    app.add_middleware(SecurityHeaders)


def _serve_well_known(app: FastAPI, address: str, pages: Sequence[RegisteredPage], owner: str, file_name: str) -> None:
    folder = next((page.page.static_dir for page in pages if page.app == owner), None)
    if folder is None or not (folder / file_name).is_file():
        return
    target = folder / file_name

    @app.get(address, include_in_schema=False)
    async def well_known() -> FileResponse:
        return FileResponse(target, media_type="text/html")


class SecurityHeaders:
    """Adds the CSP and friends to the UI's answers (the JSON API does not need them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path.startswith(_UI_PREFIXES)):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-cache"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


__all__ = ["CSP", "WELL_KNOWN", "install_web"]
