"""Login with Tonomy for apps (and headless wallets), over the browser contract of docs/sdk.md.

The app side wraps ``tonomy_identity.login.LoginClient``::

    login = LoginApp.create(client, app="shop", origin="http://localhost:8650", request_seed=seed)
    url = request_login(login, "http://localhost:8650/login/done")     # send the browser there
    session = verify_login(login, response_param)                      # on the redirect back

The wallet side (:func:`approve_login`) is what the node's consent page does, as Python:
tests and headless wallets sign in through exactly the functions the page mirrors.
Every on-chain fact either side relies on is read with proofs under a header whose
commit the :class:`~tonomy.sdk.Client` verified.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tonomy.errors import TonomyError
from tonomy.plugin import decode_record, encode_record
from tonomy.sdk.client import Client
from tonomy.sdk.errors import LoginParameterError

if TYPE_CHECKING:
    from tonomy_identity.login import LoginClient, LoginResponse, LoginSession, SignedLoginRequest

SIGNATURE_BYTES = 64
#: Longest ``request``/``response`` parameter accepted (characters of base64url).
MAX_PARAMETER_CHARS = 4096
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_RESPONSE_FIELDS = ("account", "app", "origin", "request_hash", "permission", "login_tx", "public_key", "signature")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


# -- the URL parameters ----------------------------------------------------------------------------


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, what: str) -> bytes:
    """Strict base64url without padding; anything else is ``client.bad_login_parameter``."""
    if not isinstance(text, str) or len(text) > MAX_PARAMETER_CHARS:
        raise LoginParameterError(f"the {what} parameter is missing or longer than {MAX_PARAMETER_CHARS} characters")
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise LoginParameterError(f"the {what} parameter is not base64url without padding")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise LoginParameterError(f"the {what} parameter is not base64url") from None
    if b64url_encode(data) != text:  # non-zero trailing bits: another spelling of the same bytes
        raise LoginParameterError(f"the {what} parameter is not in canonical base64url")
    return data


def encode_login_request(signed: SignedLoginRequest) -> str:
    """``base64url(request_bytes ‖ signature)``: the ``request`` parameter of ``{node}/id/login``."""
    return b64url_encode(signed.request + signed.signature)


def decode_login_request(text: str) -> SignedLoginRequest:
    """The signed request from a ``request`` parameter (its record shape checked, not its signature)."""
    from tonomy_identity.login import SignedLoginRequest

    data = b64url_decode(text, "request")
    if len(data) <= SIGNATURE_BYTES:
        raise LoginParameterError("the request parameter is too short to hold a request and a signature")
    signed = SignedLoginRequest(data[:-SIGNATURE_BYTES], data[-SIGNATURE_BYTES:])
    signed.record  # noqa: B018 - raises identity.login_rejected for a malformed request
    return signed


def encode_login_response(response: LoginResponse) -> str:
    """``base64url(canonical record of the eight response fields)``: the ``response`` parameter."""
    return b64url_encode(encode_record({name: getattr(response, name) for name in _RESPONSE_FIELDS}))


def decode_login_response(text: str) -> LoginResponse:
    from tonomy_identity.login import LoginResponse

    data = b64url_decode(text, "response")
    try:
        record = decode_record(data)
    except TonomyError as exc:
        raise LoginParameterError(f"the response parameter is not a canonical record: {exc.message}") from None
    if not isinstance(record, dict) or sorted(record) != sorted(_RESPONSE_FIELDS):
        raise LoginParameterError(f"a login response has exactly the fields {', '.join(_RESPONSE_FIELDS)}")
    text_fields, byte_fields = ("account", "app", "origin", "permission"), ("request_hash", "login_tx", "public_key", "signature")
    sizes = {"request_hash": 32, "login_tx": 32, "public_key": 32, "signature": 64}
    if any(type(record[name]) is not str for name in text_fields) or any(
        type(record[name]) is not bytes or len(record[name]) != sizes[name] for name in byte_fields
    ):
        raise LoginParameterError("a login response field has the wrong type or size")
    return LoginResponse(**{name: record[name] for name in _RESPONSE_FIELDS})


def with_query(url: str, name: str, value: str) -> str:
    """``url`` with ``name=value`` added to its query (``?`` or ``&``)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


# -- app side --------------------------------------------------------------------------------------


@dataclass
class LoginApp:
    """An app's login state: its verified client and the identity plugin's LoginClient (pending requests)."""

    client: Client
    login: LoginClient

    @classmethod
    def create(cls, client: Client, *, app: str, origin: str, request_seed: bytes) -> LoginApp:
        from tonomy_identity.login import LoginClient

        return cls(client, LoginClient(app, origin, request_seed, client.chain_id))


def request_login(
    login: LoginApp,
    redirect_uri: str,
    scopes: Sequence[str] = (),
    *,
    valid_ms: int = 300_000,
    session_ttl_s: int = 86400,
    now_ms: int | None = None,
) -> str:
    """A signed login request, kept pending; returns the URL to send the browser to."""
    signed = login.login.create_request(
        redirect_uri, scopes, now_ms=_now_ms() if now_ms is None else now_ms, valid_ms=valid_ms, session_ttl_s=session_ttl_s
    )
    return login_url(login.client.url, signed)


def login_url(node_url: str, signed: SignedLoginRequest) -> str:
    return with_query(node_url.rstrip("/") + "/id/login", "request", encode_login_request(signed))


def verify_login(login: LoginApp, response: str | LoginResponse, *, now_ms: int | None = None) -> LoginSession:
    """Accept a response once: proofs of the user's key and session, verified; returns the session.

    Raises ``identity.*`` (replayed, wrong_origin, bad_signature, unknown_session, ...)
    or ``client.bad_login_parameter`` for a response that is refused.
    """
    from tonomy_identity.login import response_keys

    decoded = decode_login_response(response) if isinstance(response, str) else response
    bundle, header = proof_bundle(login.client, response_keys(decoded.account, decoded.app))
    return login.login.finish(decoded, bundle, header, now_ms=_now_ms() if now_ms is None else now_ms)


def proof_bundle(client: Client, full_keys: Sequence[bytes]) -> tuple[Any, Any]:
    """The identity plugin's ProofBundle for full state keys, at one verified header."""
    from tonomy_identity.proofs import ProofBundle, ProvenValue

    from tonomy.sdk.node_api import split_state_key

    proven = client.records([split_state_key(key) for key in full_keys])
    values = tuple(ProvenValue(key, state.value, state.proof) for key, state in zip(full_keys, proven.states))
    return ProofBundle(proven.header.height, values), proven.header


# -- wallet side -----------------------------------------------------------------------------------


def approve_login(
    client: Client,
    request: str,
    *,
    account: str,
    active_seed: bytes,
    observed_origin: str | None = None,
    now_ms: int | None = None,
    timeout: float = 30.0,
) -> str:
    """What the consent page does once the user agrees; returns the URL it sends the browser to.

    Checks the request against the app's proven record, signs and submits
    ``identity.login`` as ``<account>@active``, waits for finality, signs the response.
    ``observed_origin`` defaults to the request's own origin (docs/sdk.md).
    """
    from tonomy_identity.login import app_record_keys, check_login_request, login_action, sign_response

    signed = decode_login_request(request)
    record = signed.record
    bundle, header = proof_bundle(client, app_record_keys(record["app"]))
    consent = check_login_request(
        signed,
        observed_origin=record["origin"] if observed_origin is None else observed_origin,
        app_proofs=bundle,
        trusted_header=header,
        now_ms=_now_ms() if now_ms is None else now_ms,
    )
    plugin, name, data = login_action(account, signed)
    receipt = client.transact([(plugin, name, data, [f"{account}@active"])], [active_seed], timeout=timeout)
    response = sign_response(account, active_seed, signed, receipt.tx_id)
    return with_query(consent.redirect_uri, "response", encode_login_response(response))


__all__ = [
    "LoginApp",
    "approve_login",
    "b64url_decode",
    "b64url_encode",
    "decode_login_request",
    "decode_login_response",
    "encode_login_request",
    "encode_login_response",
    "login_url",
    "proof_bundle",
    "request_login",
    "verify_login",
    "with_query",
]
