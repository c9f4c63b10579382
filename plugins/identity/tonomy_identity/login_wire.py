"""Login requests and responses in URLs: ``?request=<base64url>`` and ``?response=<base64url>``.

The contract with apps is docs/sdk.md ("The browser contract"). Both are base64url
without padding (RFC 4648 §5):

* request ``R`` = base64url(request_bytes ‖ signature): the signed request record in
  canonical form, then the app's 64-byte signature;
* response ``S`` = base64url of the canonical record ``{"account", "app", "origin",
  "request_hash", "permission", "login_tx", "public_key", "signature"}`` (the fields of
  :class:`~tonomy_identity.login.LoginResponse`).

A value that is not exactly this (bad base64url, padding, a length of 1 mod 4, unused
bits set, not a record, other fields, over 4096 characters) is refused with
``identity.login_rejected``.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from tonomy.errors import TonomyError
from tonomy.plugin import decode_record, encode_record

from tonomy_identity.errors import LoginRejectedError
from tonomy_identity.login import LoginResponse, SignedLoginRequest

#: Longest parameter accepted (characters); a real request is well under 1 KiB.
MAX_PARAM = 4096
SIGNATURE_SIZE = 64
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_RESPONSE_FIELDS = ("account", "app", "origin", "request_hash", "permission", "login_tx", "public_key", "signature")


def _reject(message: str) -> LoginRejectedError:
    return LoginRejectedError(message, code="identity.login_rejected")


def to_param(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def param_bytes(text: object, what: str) -> bytes:
    """The bytes a URL parameter carries, in its one valid spelling, or ``identity.login_rejected``."""
    if type(text) is not str or not text or len(text) > MAX_PARAM or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise _reject(f"the {what} is not base64url text of at most {MAX_PARAM} characters")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise _reject(f"the {what} is not base64url") from None
    if to_param(raw) != text:
        raise _reject(f"the {what} is not in canonical form (unused bits set)")
    return raw


def from_param(text: object, what: str) -> dict[str, Any]:
    """The canonical record a URL parameter carries, or ``identity.login_rejected``."""
    raw = param_bytes(text, what)
    try:
        record = decode_record(raw)
    except (ValueError, TonomyError):
        raise _reject(f"the {what} is not an encoded record") from None
    if not isinstance(record, dict) or encode_record(record) != raw:
        raise _reject(f"the {what} is not in canonical form")
    return dict(record)


def encode_request(signed: SignedLoginRequest) -> str:
    return to_param(signed.request + signed.signature)


def decode_request(text: object) -> SignedLoginRequest:
    raw = param_bytes(text, "login request")
    if len(raw) <= SIGNATURE_SIZE:
        raise _reject("the login request is too short to hold a request and its signature")
    signed = SignedLoginRequest(raw[:-SIGNATURE_SIZE], raw[-SIGNATURE_SIZE:])
    record = signed.record  # validates the inner request (raises identity.login_rejected)
    if encode_record(record) != signed.request:
        raise _reject("the login request is not in canonical form")
    return signed


def encode_response(response: LoginResponse) -> str:
    return to_param(encode_record({name: getattr(response, name) for name in _RESPONSE_FIELDS}))


def decode_response(text: object) -> LoginResponse:
    record = from_param(text, "login response")
    if set(record) != set(_RESPONSE_FIELDS):
        raise _reject("the login response has other fields than " + ", ".join(_RESPONSE_FIELDS))
    kinds = {"request_hash": bytes, "login_tx": bytes, "public_key": bytes, "signature": bytes}
    if any(type(record[name]) is not kinds.get(name, str) for name in _RESPONSE_FIELDS):
        raise _reject("a login response field has the wrong type")
    return LoginResponse(**{name: record[name] for name in _RESPONSE_FIELDS})
