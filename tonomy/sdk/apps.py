"""Put an app on chain for "Login with Tonomy": its account and its registration.

:func:`register_app` creates an ``app`` account (paid for by ``creator``) and registers
its origin, redirect URIs, scopes and request key with ``identity.register_app``: two
transactions, each waited on until final. An existing account is reused (its active
key must be ``key``); registering again replaces the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tonomy.node.keys import KeyPair
from tonomy.sdk.client import Client


@dataclass(frozen=True, slots=True)
class RegisteredApp:
    account: str
    origin: str
    key: KeyPair  # owner, active and request key (one key keeps the demo short)


def register_app(
    client: Client,
    *,
    creator: str,
    creator_seed: bytes,
    account: str,
    name: str,
    origin: str,
    redirect_uris: Sequence[str],
    scopes: Sequence[str] = (),
    key: KeyPair | None = None,
) -> RegisteredApp:
    """Create ``account`` (type ``app``; owner and active: ``key``) and register it; ``key`` is
    also the request key the app signs login requests with (a fresh one if not given)."""
    key = key or KeyPair.generate(account)
    authority = {"threshold": 1, "keys": [{"key": key.public_key, "weight": 1}], "accounts": [], "waits": []}
    create = {"creator": creator, "name": account, "type": "app", "owner": authority, "active": authority}
    if client.record("tonomy", b"acct/" + account.encode()) is None:  # proven absent: create it
        client.transact([("tonomy", "newaccount", create, [f"{creator}@active"])], [creator_seed])
    record = {
        "account": account,
        "name": name,
        "origin": origin,
        "redirect_uris": list(redirect_uris),
        "scopes": list(scopes),
        "request_key": key.public_key,
    }
    client.transact([("identity", "register_app", record, [f"{account}@active"])], [key.seed])
    return RegisteredApp(account, origin, key)


__all__ = ["RegisteredApp", "register_app"]
