"""The stable failure reasons of the DAO plugin (codes ``dao.<reason>``)."""

from __future__ import annotations

from typing import Any, NoReturn

DAO_EXISTS = "dao_exists"
"""``create`` names an account that already exists."""
UNKNOWN_DAO = "unknown_dao"
"""No DAO has this name."""
NOT_MEMBER = "not_member"
"""The account is not a member of the DAO (or joined after the proposal was made)."""
ALREADY_MEMBER = "already_member"
"""The account is already a member."""
NOT_INVITED = "not_invited"
"""``join`` without an invitation to a DAO that is not open."""
NOT_ALLOWED = "not_allowed"
"""The acting account's role does not allow this."""
REQUIREMENT_NOT_MET = "requirement_not_met"
"""The DAO's credential requirement refused the joining account."""
INVALID_ROLE = "invalid_role"
"""A role other than ``member`` or ``admin``."""
INVALID_CONFIG = "invalid_config"
"""A governance setting out of bounds, or a malformed requirement spec."""
INVALID_ACTIONS = "invalid_actions"
"""A proposal's actions are malformed, too many, or act for an account the DAO does not own."""
UNKNOWN_PROPOSAL = "unknown_proposal"
"""No proposal has this id."""
NOT_ACTIVE = "not_active"
"""The proposal does not take votes at this height."""
ALREADY_VOTED = "already_voted"
"""The voter already voted on this proposal."""
NO_POWER = "no_power"
"""The voter holds no voting power at the proposal's snapshot."""
NOT_APPROVED = "not_approved"
"""``execute`` of a proposal that is open, rejected or without quorum."""
TIMELOCK = "timelock"
"""``execute`` before the proposal's timelock ended."""
EXPIRED = "expired"
"""``execute`` after the proposal's grace period."""
FINAL = "final"
"""The proposal was already executed."""


def refuse(ctx: Any, reason: str, message: str) -> NoReturn:
    ctx.fail(reason, message)
    raise AssertionError(f"the context did not refuse the action: {reason}")


ALL_REASONS: tuple[str, ...] = tuple(value for name, value in sorted(globals().items()) if name.isupper() and isinstance(value, str))
