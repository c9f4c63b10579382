"""Login requests and responses in URLs: ``?request=<base64url>`` and ``?response=<base64url>``.

Both are base64url without padding (RFC 4648 §5) of one canonical-codec record:

* request: ``{"request": <the signed request record's bytes>, "signature": <64 bytes>}``;
* response: ``{"account", "app", "origin", "request_hash", "permission", "login_tx",
  "public_key", "signature"}`` (the fields of :class:`~tonomy_identity.login.LoginResponse`).

A value that is not exactly this (bad base64url, padding, not a record, other fields,
non-canonical bytes, over the size limit) is refused with ``identity.login_rejected``.
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
MAX_PARAM = 8192
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_RESPONSE_FIELDS = ("account", "app", "origin", "request_hash", "permission", "login_tx", "public_key", "signature")


def _reject(message: str) -> LoginRejectedError:
    return LoginRejectedError(message, code="identity.login_rejected")


def to_param(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def from_param(text: object, what: str) -> dict[str, Any]:
    """The canonical record a URL parameter carries, or ``identity.login_rejected``."""
    if type(text) is not str or not text or len(text) > MAX_PARAM or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise _reject(f"the {what} is not base64url text of at most {MAX_PARAM} characters")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        record = decode_record(raw)
    except (binascii.Error, ValueError, TonomyError):
        raise _reject(f"the {what} is not an encoded record") from None
    if not isinstance(record, dict) or encode_record(record) != raw or to_param(raw) != text:
        raise _reject(f"the {what} is not in canonical form")
    return dict(record)


def encode_request(signed: SignedLoginRequest) -> str:
    return to_param(encode_record({"request": signed.request, "signature": signed.signature}))


def decode_request(text: object) -> SignedLoginRequest:
    record = from_param(text, "login request")
    if set(record) != {"request", "signature"} or type(record["request"]) is not bytes or type(record["signature"]) is not bytes:
        raise _reject("the login request must hold exactly a request and its signature")
    signed = SignedLoginRequest(record["request"], record["signature"])
    signed.record  # noqa: B018 -- validates the inner request (raises identity.login_rejected)
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
