"""Client-side errors of the identity plugin, with stable ``identity.*`` codes.

Chain-side refusals use the same codes through ``ctx.fail(reason, ...)``, so a receipt
and a client-side check of the same problem read alike.
"""

from __future__ import annotations

from tonomy.errors import TonomyError


class IdentityError(TonomyError, ValueError):
    code = "identity.error"


class InvalidUsernameError(IdentityError):
    code = "identity.invalid_username"


class InvalidDidError(IdentityError):
    code = "identity.invalid_did"


class InvalidProofError(IdentityError):
    """A state value does not verify against the trusted header, or a proof is missing."""

    code = "identity.invalid_proof"


class NotFoundError(IdentityError, LookupError):
    code = "identity.not_found"


class LoginRejectedError(IdentityError, PermissionError):
    """A login request or response fails a check; ``code`` names which one."""

    code = "identity.login_rejected"


#: Every code the plugin uses, chain side and client side (the README lists each).
ALL_CODES = (
    "identity.error",
    "identity.invalid_username",
    "identity.invalid_did",
    "identity.invalid_proof",
    "identity.not_found",
    "identity.login_rejected",
    # chain side (ctx.fail)
    "identity.username_taken",
    "identity.username_exists",
    "identity.wrong_account_type",
    "identity.unknown_account",
    "identity.limit",
    "identity.no_guardians",
    "identity.no_plugin_authority",
    "identity.invalid_guardians",
    "identity.recovery_pending",
    "identity.no_recovery",
    "identity.not_guardian",
    "identity.stale_request",
    "identity.delay_not_over",
    "identity.below_threshold",
    "identity.locked",
    "identity.already_locked",
    "identity.unknown_app",
    "identity.bad_signature",
    "identity.wrong_origin",
    "identity.unregistered_redirect",
    "identity.scope_not_allowed",
    "identity.scope_taken",
    "identity.request_expired",
    "identity.replayed",
    "identity.unknown_session",
    "identity.session_revoked",
    "identity.session_expired",
    "identity.bad_sequence",
    "identity.app_exists",
    "identity.origin_taken",
    "identity.key_reused",
    "identity.nothing_to_change",
    # credentials (chain side)
    "identity.status_exists",
    "identity.invalid_status",
    # personhood (chain side)
    "identity.invalid_credential",
    "identity.already_person",
    "identity.person_taken",
    "identity.not_person",
    "identity.still_valid",
)
