"""Errors only the SDK raises (stable ``client.*`` codes, in the one table of ``tonomy.errors``).

Transport and trust failures keep the node client's codes: ``client.error`` (cannot
reach the node, timeouts) and ``client.untrusted_answer`` (an answer that does not
verify). Login failures are the identity plugin's ``identity.*`` errors.
"""

from __future__ import annotations

from typing import Any

from tonomy.errors import TonomyError, register_error


@register_error
class TransactionFailedError(TonomyError, RuntimeError):
    """A finalized transaction whose receipt says ``failed``; :attr:`plugin_code` says why."""

    code = "client.transaction_failed"

    def __init__(self, message: str = "", *, receipt: Any = None) -> None:
        super().__init__(message)
        self.receipt = receipt
        self.plugin_code: str | None = getattr(receipt, "error_code", None)


@register_error
class PaymentNotMadeError(TonomyError, RuntimeError):
    """A payment request that can no longer be paid (proven cancelled or expired)."""

    code = "client.payment_not_made"


@register_error
class LoginParameterError(TonomyError, ValueError):
    """A ``request``/``response`` URL parameter that is not valid base64url of the right shape."""

    code = "client.bad_login_parameter"


__all__ = ["LoginParameterError", "PaymentNotMadeError", "TransactionFailedError"]
