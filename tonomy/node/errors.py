"""Errors only the node and its API raise, with stable ``api.*`` / ``keys.*`` codes.

They join the one code table in :mod:`tonomy.errors`, so a client that reads a
problem document maps its ``code`` back to the same class the node raised.
"""

from __future__ import annotations

from tonomy.errors import InvalidInputError, NotFoundError, TonomyError, register_error


@register_error
class BadRequestError(InvalidInputError):
    """A request body or parameter that is not what the endpoint takes (JSON, types, encoding)."""

    code = "api.bad_request"


@register_error
class BodyTooLargeError(InvalidInputError):
    code = "api.body_too_large"


@register_error
class UnknownTransactionError(NotFoundError):
    code = "api.unknown_transaction"


@register_error
class UnknownBlockError(NotFoundError):
    code = "api.unknown_block"


@register_error
class RouteNotFoundError(NotFoundError):
    code = "api.not_found"


@register_error
class MethodNotAllowedError(TonomyError, ValueError):
    code = "api.method_not_allowed"


@register_error
class NodeUnavailableError(TonomyError, RuntimeError):
    """The node is starting or stopping; try again."""

    code = "api.unavailable"


@register_error
class ClientError(TonomyError, RuntimeError):
    """The client could not talk to a node, or the node answered something unreadable."""

    code = "client.error"


@register_error
class UntrustedAnswerError(TonomyError, ValueError):
    """A node's answer failed client-side verification (proof, header, id)."""

    code = "client.untrusted_answer"


@register_error
class KeyFileError(TonomyError, ValueError):
    code = "keys.invalid_file"


@register_error
class InsecureKeyFileError(KeyFileError):
    """A key file readable by other users: refused, as ssh does."""

    code = "keys.insecure_permissions"


__all__ = [
    "BadRequestError",
    "BodyTooLargeError",
    "ClientError",
    "InsecureKeyFileError",
    "KeyFileError",
    "MethodNotAllowedError",
    "NodeUnavailableError",
    "RouteNotFoundError",
    "UnknownBlockError",
    "UnknownTransactionError",
    "UntrustedAnswerError",
]


@register_error
class DataDirInUseError(TonomyError, RuntimeError):
    """Another node process already runs on this data directory."""

    code = "node.data_dir_in_use"


@register_error
class NodeConfigError(TonomyError, ValueError):
    code = "node.invalid_config"


__all__ += ["DataDirInUseError", "NodeConfigError"]


@register_error
class RateLimitedError(TonomyError, RuntimeError):
    """This client sent more requests than the node's per-client rate allows; retry later."""

    code = "api.rate_limited"


@register_error
class TooManyStreamsError(TonomyError, RuntimeError):
    """The node already serves as many event streams as it allows; retry later."""

    code = "api.too_many_streams"


@register_error
class DevnetWalletError(TonomyError, ValueError):
    """The devnet wallet is off, or holds no key for that account."""

    code = "api.devnet_wallet"


__all__ += ["DevnetWalletError", "RateLimitedError", "TooManyStreamsError"]
