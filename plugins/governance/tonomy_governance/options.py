"""Proposal options: what is voted on, its canonical encoding and its hash.

``options`` travels as canonical-codec bytes of a list of options; each option is
``{"label": str, "actions": [{"plugin", "name", "data": {...}, "permission"?, "actor"?}]}``
(``actor``: only on a DAO's tracks, the DAO or an account it owns; network proposals act
as the system account).
A yes/no proposal has one option (voters choose it, ``against``, ``abstain`` or
``veto``); a multiple-choice proposal has several, each with its own actions (an
option may have none: "keep things as they are"). The hash of the exact bytes is
stored at creation, and execution re-checks it before running anything, so what
runs is exactly what was voted on.
"""

from __future__ import annotations

from typing import Any

import blake3

from tonomy.plugin import decode_record

HASH_TAG = b"tonomy/governance/options/v1\x00"
MAX_OPTIONS_BYTES = 32 * 1024
MAX_LABEL = 128


def options_hash(raw: bytes) -> bytes:
    return blake3.blake3(HASH_TAG + raw).digest()


def parse_options(raw: bytes, *, max_options: int, max_actions: int) -> list[dict[str, Any]]:
    """Decode and check ``options``; raises ValueError naming the problem."""
    if len(raw) > MAX_OPTIONS_BYTES:
        raise ValueError(f"options are at most {MAX_OPTIONS_BYTES} bytes")
    try:
        options = decode_record(raw)
    except Exception as exc:  # the codec's own error, re-worded for voters
        raise ValueError(f"options are not a canonical record list: {exc}") from None
    if not isinstance(options, list) or not 1 <= len(options) <= max_options:
        raise ValueError(f"options must be a list of 1 to {max_options} options")
    for index, option in enumerate(options):
        if not isinstance(option, dict) or set(option) != {"label", "actions"}:
            raise ValueError(f"option {index} must have exactly 'label' and 'actions'")
        label, actions = option["label"], option["actions"]
        if type(label) is not str or not 0 < len(label.encode()) <= MAX_LABEL:
            raise ValueError(f"option {index}: label is 1 to {MAX_LABEL} bytes")
        if not isinstance(actions, list) or len(actions) > max_actions:
            raise ValueError(f"option {index}: actions must be a list of at most {max_actions}")
        for number, action in enumerate(actions):
            where = f"option {index} action {number}"
            if not isinstance(action, dict) or not {"plugin", "name", "data"} <= set(action) <= {"plugin", "name", "data", "permission", "actor"}:
                raise ValueError(f"{where}: needs plugin, name, data (and optionally permission, actor)")
            if type(action["plugin"]) is not str or type(action["name"]) is not str or not isinstance(action["data"], dict):
                raise ValueError(f"{where}: plugin and name are strings, data a record")
            if type(action.get("permission", "active")) is not str or type(action.get("actor", "")) is not str:
                raise ValueError(f"{where}: permission and actor are strings")
    return options
