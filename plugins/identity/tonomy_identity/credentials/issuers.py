"""Trusted issuers: the governance-set parameter ``identity.trusted_issuers``.

Why a parameter and not a registry with its own actions: parameters already are the
one thing only the governance plugin may change (``ctx.set_parameter`` is refused to
every other plugin and to the system account's key holders), every change is voted,
time-locked and recorded in governance's parameter history, and the value sits in
state under ``sys/param/identity/trusted_issuers`` where a verifier reads it with a
Merkle proof. A registry of our own would have to re-create exactly that privilege.

The value is a comma-separated list of account names, sorted, without duplicates (a
short text so the parameter stays a scalar). Entries that are not valid account names
are ignored by readers, so a badly formed vote can only shrink the set, never widen it.
"""

from __future__ import annotations

from typing import Any

from tonomy_identity.schemas import ACCOUNT_PATTERN, Shape

PARAMETER = "trusted_issuers"
MAX_LENGTH = 4096
QUERY_SCHEMA = Shape({})


def parse(value: Any) -> frozenset[str]:
    """The accounts a parameter value names (invalid entries dropped)."""
    if type(value) is not str:
        return frozenset()
    return frozenset(entry for entry in value.split(",") if 3 <= len(entry) <= 32 and ACCOUNT_PATTERN.fullmatch(entry))


def render(accounts: set[str] | frozenset[str]) -> str:
    """The canonical parameter value for a set of accounts (what a proposal should set)."""
    return ",".join(sorted(accounts))


def query_trusted_issuers(ctx: Any, data: Any) -> Any:
    return sorted(parse(ctx.parameter(PARAMETER)))
