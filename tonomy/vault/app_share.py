"""Sharing vault records with an app through login consent, scoped and revocable.

A login request names the records it wants as scopes ``vault.read_<name>``: a record
id in hex, or a label the user's wallet gives a record (``vault.read_medical``, which an
app can register in advance, like any scope). The identity plugin checks the scopes
against the app's registration and links them to the app's session permission; no
vault action has those names, so they grant nothing on chain by themselves.
When the user consents and the login commits, the wallet reads the session record
(proven) and wraps each named record key to the session's key-agreement key:

    session X25519 public = Ed25519→Curve25519(session_key)       (the key the app's request bound)
    session X25519 secret = Ed25519→Curve25519(session seed)      (held only by the app)

so only the app holding that session's seed can open the grants. Revoking the session
or the share calls :meth:`Vault.revoke` for each record: a new record key, every live
field re-sealed, remaining readers re-granted, the app's grant removed. What the app
read before stays read; nothing written afterwards opens with the old key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nacl.bindings import crypto_sign_ed25519_pk_to_curve25519, crypto_sign_ed25519_sk_to_curve25519, crypto_sign_seed_keypair

from tonomy.errors import VaultMalformedError
from tonomy.vault.formats import RECORD_ID_BYTES

SCOPE_PREFIX = "vault.read_"
_SCOPE = re.compile(r"vault\.read_([a-z0-9_]{1,53})")
_HEX_ID = re.compile(r"[0-9a-f]{%d}" % (2 * RECORD_ID_BYTES))


def record_scope(record_id: bytes) -> str:
    if type(record_id) is not bytes or len(record_id) != RECORD_ID_BYTES:
        raise VaultMalformedError(f"a record id is {RECORD_ID_BYTES} bytes")
    return SCOPE_PREFIX + record_id.hex()


def records_in_scopes(scopes: Iterable[str], labels: Mapping[str, bytes] | None = None) -> list[bytes]:
    """The record ids a login's scopes name: ids in hex, or labels the wallet knows.

    Other scopes are not the vault's; a label the wallet does not know names nothing.
    """
    found = []
    for scope in scopes:
        match = _SCOPE.fullmatch(scope)
        if match is None:
            continue
        name = match.group(1)
        if _HEX_ID.fullmatch(name):
            found.append(bytes.fromhex(name))
        elif labels is not None and name in labels:
            found.append(labels[name])
    return sorted(set(found))


def session_x25519_public(session_key: bytes) -> bytes:
    """The key-agreement key of a login session, from its Ed25519 session key."""
    if type(session_key) is not bytes or len(session_key) != 32:
        raise VaultMalformedError("a session key is 32 bytes")
    try:
        return bytes(crypto_sign_ed25519_pk_to_curve25519(session_key))
    except Exception:
        raise VaultMalformedError("the session key is not a valid Ed25519 key") from None


def session_x25519_secret(session_seed: bytes) -> bytes:
    """The app's side: the X25519 secret of its session, from the session seed."""
    _public, secret = crypto_sign_seed_keypair(session_seed)
    return bytes(crypto_sign_ed25519_sk_to_curve25519(secret))


def share_on_consent(
    vault: Any, directory: Any, app: str, session: Mapping[str, Any], now_ms: int, labels: Mapping[str, bytes] | None = None
) -> list[bytes]:
    """Wrap every record the session's scopes name to the session's key; the records shared.

    ``session`` is the proven on-chain session record (``identity.session``); a revoked
    or expired session shares nothing. ``directory`` must accept ``set(account, key)``:
    the app's key in this vault's directory is the session's key from now on.
    """
    if session.get("revoked") or session.get("expires_ms", 0) <= now_ms:
        raise VaultMalformedError("the session is revoked or expired: nothing is shared")
    records = records_in_scopes(session.get("scopes", ()), labels)
    directory.set(app, session_x25519_public(session["session_key"]))
    for record_id in records:
        vault.share(record_id, app)
    return records


def revoke_app(vault: Any, app: str, record_ids: Sequence[bytes]) -> None:
    """The app loses access: each record is re-keyed without it (see :meth:`Vault.revoke`)."""
    for record_id in record_ids:
        if app in vault.readers(record_id):
            vault.revoke(record_id, app)
