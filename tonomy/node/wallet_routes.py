"""The devnet wallet's endpoints (``/v1/devnet/wallet``). DEVNET ONLY: see tonomy.node.devnet_wallet."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request

from tonomy.node.api_models import SubmitTransactionResponse, WalletAccounts, WalletActionRequest
from tonomy.node.devnet_wallet import DevnetWallet, is_loopback
from tonomy.node.encoding import value_from_json
from tonomy.node.errors import BadRequestError, RouteNotFoundError

_TAG = "devnet wallet (devnet only)"


def install_devnet_wallet(app: FastAPI, services: Any, submit_raw: Callable[[bytes], Awaitable[SubmitTransactionResponse]]) -> None:
    wallet: DevnetWallet = services.wallet

    def local_only(request: Request) -> None:
        client = request.client
        if client is None or not is_loopback(client.host):
            # Answer as if it did not exist: the wallet is no business of remote clients.
            raise RouteNotFoundError(f"no endpoint {request.method} {request.url.path}")

    @app.get("/v1/devnet/wallet", response_model=WalletAccounts, tags=[_TAG])
    async def wallet_accounts(request: Request) -> WalletAccounts:
        """DEVNET ONLY. The demo accounts this node signs for (loopback clients only)."""
        local_only(request)
        return WalletAccounts(accounts=wallet.accounts())

    @app.post("/v1/devnet/wallet/actions", status_code=202, response_model=SubmitTransactionResponse, tags=[_TAG])
    async def wallet_action(request: Request, body: WalletActionRequest) -> SubmitTransactionResponse:
        """DEVNET ONLY. Sign a one-action transaction as ``account@active`` with its devnet key and submit it."""
        local_only(request)
        from tonomy.node.api import _name

        _name("plugin", body.plugin)
        _name("action", body.name)
        data = value_from_json(body.data)
        if not isinstance(data, dict):
            raise BadRequestError("data must be a JSON object")
        raw = await services.worker.call(lambda chain: wallet.sign(chain.head, body.account, body.plugin, body.name, data))
        return await submit_raw(raw)


__all__ = ["install_devnet_wallet"]
