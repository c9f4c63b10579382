"""``msg.*`` errors: stable codes for the mailbox API (with their HTTP status) and the client."""

from __future__ import annotations

from tonomy.errors import TonomyError, register_error


class MsgError(TonomyError, ValueError):
    code = "msg.error"
    http_status = 422


class MsgMalformedError(MsgError):
    """A message, receipt or request that does not parse (wrong sizes, truncation, garbage)."""

    code = "msg.malformed"
    http_status = 400


class MsgTooLargeError(MsgError):
    code = "msg.too_large"
    http_status = 413


class MsgRateLimitedError(MsgError):
    """The sender posted more than its rate allows on this node."""

    code = "msg.rate_limited"
    http_status = 429


class MsgQuotaExceededError(MsgError):
    """The recipient's mailbox holds as many messages or bytes as it may."""

    code = "msg.quota_exceeded"
    http_status = 429


class MsgUnauthorizedError(MsgError, PermissionError):
    """A request not signed by a current key of the account it names, stale, or replayed."""

    code = "msg.unauthorized"
    http_status = 422  # as the API answers any refused signature or authority


class MsgUnknownAccountError(MsgError, LookupError):
    code = "msg.unknown_account"
    http_status = 404


class MsgExpiredError(MsgError):
    code = "msg.expired"


class MsgDuplicateError(MsgError):
    code = "msg.duplicate"
    http_status = 409


class MsgNotFoundError(MsgError, LookupError):
    code = "msg.not_found"
    http_status = 404


class MsgTamperedError(MsgError):
    """Client side: a message does not authenticate (swapped, truncated, altered)."""

    code = "msg.tampered"


class MsgMisaddressedError(MsgError):
    """Client side: a message sealed or signed for another recipient (re-targeted)."""

    code = "msg.misaddressed"


class MsgBadSenderError(MsgError):
    """Client side: the sender's signature is not by a key of the sender's DID."""

    code = "msg.bad_sender"


class MsgReplayedError(MsgError):
    """Client side: a message id this client already read."""

    code = "msg.replayed"


ERRORS = (
    MsgError, MsgMalformedError, MsgTooLargeError, MsgRateLimitedError, MsgQuotaExceededError,
    MsgUnauthorizedError, MsgUnknownAccountError, MsgExpiredError, MsgDuplicateError, MsgNotFoundError,
    MsgTamperedError, MsgMisaddressedError, MsgBadSenderError, MsgReplayedError,
)  # fmt: skip
for _cls in ERRORS:
    register_error(_cls)

ALL_CODES = tuple(cls.code for cls in ERRORS)
