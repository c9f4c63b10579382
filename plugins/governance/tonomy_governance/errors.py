"""Failure reasons: every refusal is ``governance.<reason>`` (via ``ctx.fail``)."""

from __future__ import annotations

UNKNOWN_PROPOSAL = "unknown_proposal"
UNKNOWN_TRACK = "unknown_track"
UNKNOWN_STRATEGY = "unknown_strategy"
INVALID_OPTIONS = "invalid_options"
ACTION_NOT_IN_TRACK = "action_not_in_track"
NOT_ACTIVE = "not_active"  # voting has not started or has ended
ALREADY_VOTED = "already_voted"
INVALID_CHOICE = "invalid_choice"
NO_POWER = "no_power"
NOT_APPROVED = "not_approved"
TIMELOCK = "timelock"  # approved, but the timelock has not passed
EXPIRED = "expired"  # approved, but the grace period is over
FINAL = "final"  # executed, cancelled or vetoed already
NOT_ALLOWED = "not_allowed"
NOT_MEMBER = "not_member"
COUNCIL = "council"  # council already set up / handed over
SELF_DELEGATION = "self_delegation"
UNKNOWN_ACCOUNT = "unknown_account"
NOT_SETTLED = "not_settled"
ALREADY_SETTLED = "already_settled"
HASH_MISMATCH = "hash_mismatch"
TOKEN = "token"  # the deposit or voting token plugin is not usable
