"""Login with Tonomy, client side: the app's request, the wallet's consent, the app's check.

::

    app                                  wallet (user's device)                     chain
    LoginClient.create_request() ──────► check_login_request(observed_origin, proofs)
                                          → Consent (who asks for what)
                                         on consent: login_action() ───────────────► identity.login
                                         sign_response(tx_id) ◄──── receipt
    LoginClient.finish(response, proofs) ◄── response (to the registered redirect URI)

Phishing and replay fail because: the wallet compares the origin it *observed* with
the request's origin and the app's registered origin; the request is signed by the
app's registered key and binds the chain id, redirect URI, nonce, scopes and expiry;
the chain refuses a used nonce and an expired request; the app accepts a response only
for a request it has pending (once) and only if the on-chain session (proven) carries
that request's nonce and session key, is not revoked and has not expired.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tonomy.plugin import decode_record, encode_record
from tonomy.errors import TonomyError

from tonomy_identity import layout
from tonomy_identity.crypto import public_key, sign, signature_ok, tagged_hash
from tonomy_identity.errors import LoginRejectedError
from tonomy_identity.proofs import ProofBundle, fetch, verify
from tonomy_identity.sessions import REQUEST_SHAPE, app_permission, call_digest, request_digest, request_problem

RESPONSE_TAG = "tonomy/identity/login-response/v1"


def _reject(reason: str, message: str) -> LoginRejectedError:
    return LoginRejectedError(message, code=f"identity.{reason}")


@dataclass(frozen=True, slots=True)
class SignedLoginRequest:
    request: bytes  # canonical codec encoding of the request record
    signature: bytes

    @property
    def record(self) -> dict[str, Any]:
        try:
            decoded = decode_record(self.request)
            REQUEST_SHAPE.validate(decoded)
        except TonomyError as exc:
            raise _reject("login_rejected", f"malformed login request: {exc.message}") from None
        return dict(decoded)

    @property
    def digest(self) -> bytes:
        return request_digest(self.request)


@dataclass(frozen=True, slots=True)
class Consent:
    """What the wallet shows the user before they agree."""

    app: str
    app_name: str
    origin: str
    redirect_uri: str
    scopes: tuple[str, ...]
    session_ttl_s: int
    request_expires_ms: int
    text: str
    credentials: tuple[str, ...] = ()
    data_scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LoginResponse:
    account: str
    app: str
    origin: str
    request_hash: bytes
    permission: str
    login_tx: bytes
    public_key: bytes
    signature: bytes

    def body(self) -> bytes:
        return encode_record(
            {
                "account": self.account,
                "app": self.app,
                "origin": self.origin,
                "request_hash": self.request_hash,
                "permission": self.permission,
                "login_tx": self.login_tx,
            }
        )


# -- wallet side -----------------------------------------------------------------------------------


def app_record_keys(app: str) -> tuple[bytes, ...]:
    return (layout.system_account_key(app), layout.full_key(layout.app_key(app)))


def fetch_app_proofs(chain: Any, app: str) -> ProofBundle:
    return fetch(chain, app_record_keys(app))[0]


def check_login_request(
    signed: SignedLoginRequest,
    *,
    observed_origin: str,
    app_proofs: ProofBundle,
    trusted_header: Any,
    now_ms: int,
) -> Consent:
    """Check an app's request against its proven on-chain record; say who asks for what."""
    request = signed.record
    if request["chain_id"] != trusted_header.chain_id:
        raise _reject("login_rejected", "the request is for another network")
    app = request["app"]
    values = verify(app_proofs, trusted_header, app_record_keys(app))
    account_record, record = values[app_record_keys(app)[0]], values[app_record_keys(app)[1]]
    account_type = None if account_record is None else account_record.get("type")
    return consent_for(signed, account_type, record, observed_origin=observed_origin, now_ms=now_ms)


def consent_for(
    signed: SignedLoginRequest, account_type: Any, record: dict[str, Any] | None, *, observed_origin: str, now_ms: int
) -> Consent:
    """The checks on a request once the app's account type and app record are known (proven or read)."""
    request = signed.record
    app = request["app"]
    if account_type != "app" or record is None:
        raise _reject("unknown_app", f"{app!r} is not a registered app")
    if not signature_ok(record["request_key"], signed.digest, signed.signature):
        raise _reject("bad_signature", f"the request is not signed by {app!r}'s registered key")
    if observed_origin != request["origin"]:
        raise _reject("wrong_origin", f"the request came from {observed_origin!r} but claims {request['origin']!r}")
    problem = request_problem(request, record)
    if problem is not None:
        raise _reject(*problem)
    if now_ms > request["expires_ms"]:
        raise _reject("request_expired", "the login request expired")
    scopes = tuple(sorted(request["scopes"]))
    credentials = tuple(sorted(request.get("credentials", [])))
    data_scopes = tuple(sorted(request.get("data_scopes", [])))
    days = request["session_ttl_s"] / 86400
    what = ", ".join(scopes) if scopes else "nothing beyond knowing your account"
    shared = ""
    if credentials or data_scopes:
        shared = f" It also asks to see: {', '.join(credentials + data_scopes)}."
    text = (
        f"{record['name']} ({request['origin']}, account {app}) asks to log you in and to act for you on: {what}.{shared} "
        f"The session lasts {days:g} day(s) unless you revoke it."
    )
    return Consent(app, record["name"], request["origin"], request["redirect_uri"], scopes, request["session_ttl_s"],
                   request["expires_ms"], text, credentials, data_scopes)


def login_action(account: str, signed: SignedLoginRequest) -> tuple[str, str, dict[str, Any]]:
    """The action the wallet signs (as ``<account>@active``) once the user consents."""
    return ("identity", "login", {"account": account, "request": signed.request, "request_signature": signed.signature})


def sign_response(account: str, active_seed: bytes, signed: SignedLoginRequest, login_tx: bytes) -> LoginResponse:
    """The response the wallet sends to the redirect URI, signed by the user's active key."""
    request = signed.record
    unsigned = LoginResponse(account, request["app"], request["origin"], signed.digest, app_permission(request["app"]),
                             login_tx, public_key(active_seed), b"")
    signature = sign(active_seed, tagged_hash(RESPONSE_TAG, unsigned.body()))
    return replace(unsigned, signature=signature)


# -- app side --------------------------------------------------------------------------------------


def response_keys(account: str, app: str) -> tuple[bytes, ...]:
    return (layout.system_permission_key(account, "active"), layout.full_key(layout.session_key(account, app)))


def fetch_response_proofs(chain: Any, response: LoginResponse) -> ProofBundle:
    return fetch(chain, response_keys(response.account, response.app))[0]


def verify_response(
    response: LoginResponse,
    signed: SignedLoginRequest,
    proofs: ProofBundle,
    trusted_header: Any,
    *,
    expected_origin: str,
    now_ms: int,
) -> dict[str, Any]:
    """Check a response offline (proofs + a trusted header); return the proven session record."""
    request = signed.record
    if response.origin != expected_origin or request["origin"] != expected_origin:
        raise _reject("wrong_origin", f"the response is for {response.origin!r}, this app is {expected_origin!r}")
    if response.request_hash != signed.digest or response.app != request["app"]:
        raise _reject("login_rejected", "the response answers another request")
    if request["chain_id"] != trusted_header.chain_id:
        raise _reject("login_rejected", "the trusted header is of another network")
    active_key, session_key = response_keys(response.account, response.app)
    values = verify(proofs, trusted_header, (active_key, session_key))
    active, session = values[active_key], values[session_key]
    keys = [] if active is None else [entry["key"] for entry in active["authority"]["keys"]]
    if response.public_key not in keys:
        raise _reject("bad_signature", f"the response key is not one of {response.account}@active's keys")
    if not signature_ok(response.public_key, tagged_hash(RESPONSE_TAG, response.body()), response.signature):
        raise _reject("bad_signature", "the response signature does not verify")
    if session is None:
        raise _reject("unknown_session", "no session for this login on chain")
    if session["nonce"] != request["nonce"] or session["session_key"] != request["session_key"]:
        raise _reject("replayed", "the session on chain belongs to another login request")
    if session["revoked"]:
        raise _reject("session_revoked", "the user revoked this session")
    if session["expires_ms"] <= now_ms:
        raise _reject("session_expired", "the session expired")
    if session["permission"] != response.permission or session["origin"] != expected_origin:
        raise _reject("login_rejected", "the session does not match the response")
    return dict(session)


@dataclass
class LoginSession:
    account: str
    app: str
    permission: str
    session_seed: bytes
    nonce: bytes
    scopes: tuple[str, ...]
    expires_ms: int
    seq: int = 0

    def call_data(self, plugin: str, action: str, data: dict[str, Any]) -> dict[str, Any]:
        """Data of an ``identity.session_call`` acting for the user (the next sequence number)."""
        self.seq += 1
        encoded = encode_record(data)
        digest = call_digest(self.account, self.app, self.nonce, self.seq, plugin, action, encoded)
        return {"account": self.account, "app": self.app, "seq": self.seq, "plugin": plugin, "action": action,
                "data": encoded, "signature": sign(self.session_seed, digest)}


@dataclass
class LoginClient:
    """The app's helper: make signed requests, keep them pending, accept each response once."""

    app: str
    origin: str
    request_seed: bytes  # the seed of the key registered as the app's request_key
    chain_id: bytes
    _pending: dict[bytes, tuple[SignedLoginRequest, bytes]] = field(default_factory=dict)

    def create_request(
        self,
        redirect_uri: str,
        scopes: Sequence[str],
        *,
        now_ms: int,
        valid_ms: int = 300_000,
        session_ttl_s: int = 86400,
        credentials: Sequence[str] = (),
        data_scopes: Sequence[str] = (),
    ) -> SignedLoginRequest:
        session_seed = secrets.token_bytes(32)
        record = {
            "version": 1,
            "chain_id": self.chain_id,
            "app": self.app,
            "origin": self.origin,
            "redirect_uri": redirect_uri,
            "nonce": secrets.token_bytes(32),
            "scopes": sorted(scopes),
            "expires_ms": now_ms + valid_ms,
            "session_key": public_key(session_seed),
            "session_ttl_s": session_ttl_s,
        }
        if credentials:  # absent when empty, so requests of apps that ask for none keep their old form
            record["credentials"] = sorted(credentials)
        if data_scopes:
            record["data_scopes"] = sorted(data_scopes)
        REQUEST_SHAPE.validate(record)
        encoded = encode_record(record)
        signed = SignedLoginRequest(encoded, sign(self.request_seed, request_digest(encoded)))
        self._pending[signed.digest] = (signed, session_seed)
        return signed

    def finish(self, response: LoginResponse, proofs: ProofBundle, trusted_header: Any, *, now_ms: int) -> LoginSession:
        """Accept a response once: a second delivery (a replay) finds no pending request."""
        pending = self._pending.get(response.request_hash)
        if pending is None:
            raise _reject("replayed", "no pending login request for this response (already used, or never made here)")
        signed, session_seed = pending
        session = verify_response(response, signed, proofs, trusted_header, expected_origin=self.origin, now_ms=now_ms)
        del self._pending[response.request_hash]
        return LoginSession(response.account, self.app, session["permission"], session_seed, session["nonce"],
                            tuple(session["scopes"]), session["expires_ms"])
