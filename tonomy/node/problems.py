"""Errors as RFC 9457 problem documents (``application/problem+json``).

Every error answer carries the stable ``code`` of the :mod:`tonomy.errors` class
that was raised, so clients branch on the code, never on the message. The HTTP
status says who must act: 400 a malformed request, 404 nothing there, 409 a
conflict with what is already on chain (a duplicate), 413 too large, 429 over a quota, 422 a
well-formed request the chain refuses (expired, bad signature, not authorized),
503 try again later, 500 only for a bug.
"""

from __future__ import annotations

from typing import Any

from tonomy.errors import ERRORS_BY_CODE, NotFoundError, TonomyError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:tonomy:error:"

_STATUS_BY_CODE: dict[str, int] = {
    "api.body_too_large": 413,
    "api.method_not_allowed": 405,
    "api.unavailable": 503,
    "tx.mempool_full": 503,
    "tx.quota_exceeded": 429,
    "api.rate_limited": 429,
    "api.too_many_streams": 503,
    "store.full": 503,
    "query.unknown": 404,
    "core.internal": 500,
    "store.error": 500,
}
_BAD_REQUEST_PREFIXES = ("api.", "wire.", "codec.")
_BAD_REQUEST_CODES = frozenset({"core.invalid_input", "tx.malformed", "tx.too_large"})
_CONFLICT_SUFFIXES = (".duplicate", ".conflict", ".exists")


def status_for(error: TonomyError) -> int:
    code = error.code
    declared = getattr(error, "http_status", None)  # a plugin's error class may say its status
    if type(declared) is int and 400 <= declared <= 599:
        return declared
    if code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[code]
    if isinstance(error, NotFoundError) or code.endswith(".not_found"):
        return 404
    if code.endswith(_CONFLICT_SUFFIXES):
        return 409
    if code.startswith(_BAD_REQUEST_PREFIXES) or code in _BAD_REQUEST_CODES:
        return 400
    return 422


def problem(error: TonomyError, status: int | None = None) -> tuple[int, dict[str, Any]]:
    """``(status, problem document)`` for ``error``."""
    status = status_for(error) if status is None else status
    return status, {
        "type": PROBLEM_TYPE_PREFIX + error.code,
        "title": type(error).__name__,
        "status": status,
        "code": error.code,
        "detail": error.message or error.code,
    }


def error_from_problem(doc: object, status: int) -> TonomyError:
    """The exception a client raises for a problem document it received."""
    if isinstance(doc, dict) and isinstance(doc.get("code"), str):
        code: str = doc["code"]
        raw_detail = doc.get("detail")
        detail: str = raw_detail if isinstance(raw_detail, str) else code
        cls = ERRORS_BY_CODE.get(code, TonomyError)
        if cls is TonomyError:
            return TonomyError(detail, code=code)
        try:
            return cls(detail)
        except TypeError:  # a class with a richer constructor
            return TonomyError(detail, code=code)
    return TonomyError(f"the node answered HTTP {status} without a problem document", code="client.error")


__all__ = ["PROBLEM_CONTENT_TYPE", "PROBLEM_TYPE_PREFIX", "error_from_problem", "problem", "status_for"]
