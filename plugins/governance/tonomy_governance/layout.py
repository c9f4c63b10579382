"""State keys of the governance plugin (inside its own ``p/governance/`` namespace).

Ids and heights in keys are 20 decimal digits so keys sort numerically.
"""

from __future__ import annotations

SYSTEM_ACCOUNT = "tonomy"

CONFIG = b"config"  # {"mode": "council" | "open", "members": [..], "threshold": int}
NEXT_PROPOSAL = b"seq/proposal"
NEXT_HISTORY = b"seq/history"
ESCROWED = b"escrowed"  # total of unsettled deposits (conservation check)
EXECUTING = b"executing"  # id of the proposal whose actions are running, while they run


def _n(value: int) -> str:
    return f"{value:020d}"


def proposal_key(pid: int) -> bytes:
    return f"prop/{_n(pid)}".encode()


def tally_key(pid: int) -> bytes:
    return f"tally/{_n(pid)}".encode()


def ballot_key(pid: int, account: str) -> bytes:
    """Who cast an account's power on a proposal: {"by": account or delegate, "choice", "weight", "turnout"}."""
    return f"ballot/{_n(pid)}/{account}".encode()


def council_vetoes_prefix(pid: int) -> bytes:
    return f"cveto/{_n(pid)}/".encode()


def council_veto_key(pid: int, member: str) -> bytes:
    return council_vetoes_prefix(pid) + member.encode()


def track_key(name: str) -> bytes:
    return f"track/{name}".encode()


TRACK_PREFIX = b"track/"


def delegation_key(track: str, delegator: str) -> bytes:
    return f"dlg/{track}/{delegator}".encode()


def delegators_prefix(track: str, delegate: str) -> bytes:
    return f"dlgin/{track}/{delegate}/".encode()


def delegator_key(track: str, delegate: str, delegator: str) -> bytes:
    return delegators_prefix(track, delegate) + delegator.encode()


def history_key(plugin: str, name: str, seq: int) -> bytes:
    return f"hist/{plugin}/{name}/{_n(seq)}".encode()


def history_prefix(plugin: str, name: str) -> bytes:
    return f"hist/{plugin}/{name}/".encode()


def prefix_end(prefix: bytes) -> bytes:
    """The first key after every key starting with ``prefix`` (prefixes end with ``/``)."""
    return prefix[:-1] + bytes([prefix[-1] + 1])
