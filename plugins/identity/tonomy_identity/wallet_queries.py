"""Queries the browser wallet (the Tonomy ID pages) asks the node, for what a page cannot compute.

A page has WebCrypto (Ed25519, SHA-2, PBKDF2, AES-GCM) but neither BLAKE3 nor the
canonical codec, so the node computes, from public data only, what the page then
signs or shows. No query ever sees a key: signing stays in the browser.

* ``username_hash {username, chain_id}``: the salted hash (the only form of a username
  on chain) and the account it maps to, if any. The username travels to the node
  that answers (the user's own); it is not stored.
* ``login_consent {request, observed_origin, chain_id}``: the checks of
  :func:`~tonomy_identity.login.check_login_request` against the head state (the node
  is trusted here as it is for every read of the page), and what to show the user.
  An empty ``observed_origin`` means the browser did not say which page sent the user
  (no referrer): the request's own origin stands in, as docs/sdk.md allows, since the
  response can only ever go to a registered redirect URI of that app.
* ``login_response {account, request, login_tx, public_key?, signature?}``: without a
  signature, the digest the user's active key signs; with one, the encoded response
  for the redirect URI, once the signature verifies with a key of the user's ``active``
  (the app checks all of it again, from proofs).
"""

from __future__ import annotations

import re
from typing import Any

from tonomy_identity import layout
from tonomy_identity.chainview import account_info
from tonomy_identity.crypto import signature_ok, tagged_hash
from tonomy_identity.errors import LoginRejectedError
from tonomy_identity.login import RESPONSE_TAG, LoginResponse, consent_for
from tonomy_identity.login_wire import MAX_PARAM, decode_request, encode_response
from tonomy_identity.schemas import Shape, account, raw, text
from tonomy_identity.sessions import app_permission
from tonomy_identity.usernames import username_hash

_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_ORIGIN_SEEN = re.compile(r"[ -~]*")  # printable ASCII: whatever the page saw, echoed in a refusal

USERNAME_HASH_SCHEMA = Shape({"username": text(1, 256), "chain_id": raw(32)})
CONSENT_SCHEMA = Shape(
    {"request": text(1, MAX_PARAM, _B64URL), "observed_origin": text(0, 300, _ORIGIN_SEEN), "chain_id": raw(32)}
)
RESPONSE_DIGEST_SCHEMA = Shape({"account": account(), "request": text(1, MAX_PARAM, _B64URL), "login_tx": raw(32)})
RESPONSE_SCHEMA = Shape(
    {
        "account": account(),
        "request": text(1, MAX_PARAM, _B64URL),
        "login_tx": raw(32),
        "public_key": raw(32),
        "signature": raw(64),
    }
)


def query_username_hash(ctx: Any, params: Any) -> dict[str, Any]:
    digest = username_hash(params["username"], params["chain_id"])
    record = ctx.state.get_record(layout.username_key(digest))
    return {"username_hash": digest, "account": None if record is None else str(record["account"])}


def query_login_consent(ctx: Any, params: Any) -> dict[str, Any]:
    signed = decode_request(params["request"])
    request = signed.record
    if request["chain_id"] != params["chain_id"]:
        raise LoginRejectedError("the request is for another network", code="identity.login_rejected")
    info = account_info(ctx, request["app"])
    record = ctx.state.get_record(layout.app_key(request["app"]))
    observed = params["observed_origin"] or request["origin"]
    consent = consent_for(signed, None if info is None else info["type"], record, observed_origin=observed, now_ms=ctx.time_ms)
    return {
        "app": consent.app,
        "app_name": consent.app_name,
        "origin": consent.origin,
        "redirect_uri": consent.redirect_uri,
        "scopes": list(consent.scopes),
        "credentials": list(consent.credentials),
        "data_scopes": list(consent.data_scopes),
        "session_ttl_s": consent.session_ttl_s,
        "request_expires_ms": consent.request_expires_ms,
        "text": consent.text,
        "origin_observed": bool(params["observed_origin"]),
        # What the page puts in the identity.login action it signs.
        "signed_request": signed.request,
        "request_signature": signed.signature,
    }


def _unsigned(params: Any) -> LoginResponse:
    signed = decode_request(params["request"])
    request = signed.record
    return LoginResponse(params["account"], request["app"], request["origin"], signed.digest,
                         app_permission(request["app"]), params["login_tx"], b"", b"")


def query_login_response_digest(ctx: Any, params: Any) -> dict[str, Any]:
    return {"digest": tagged_hash(RESPONSE_TAG, _unsigned(params).body())}


def query_login_response(ctx: Any, params: Any) -> dict[str, Any]:
    unsigned = _unsigned(params)
    info = account_info(ctx, params["account"])
    active = [p for p in info["permissions"] if p["name"] == "active"] if info is not None else []
    if not active or params["public_key"] not in [entry["key"] for entry in active[0]["authority"]["keys"]]:
        raise LoginRejectedError(f"the key is not one of {params['account']}@active's keys", code="identity.bad_signature")
    if not signature_ok(params["public_key"], tagged_hash(RESPONSE_TAG, unsigned.body()), params["signature"]):
        raise LoginRejectedError("the response signature does not verify", code="identity.bad_signature")
    response = LoginResponse(unsigned.account, unsigned.app, unsigned.origin, unsigned.request_hash,
                             unsigned.permission, unsigned.login_tx, params["public_key"], params["signature"])
    return {"response": encode_response(response), "redirect": _redirect(params["request"])}


def _redirect(request_param: str) -> str:
    return str(decode_request(request_param).record["redirect_uri"])
