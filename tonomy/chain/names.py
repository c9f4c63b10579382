"""Naming rules for accounts, permissions, plugins and actions.

All names are ASCII lowercase so they sort, compare and appear in state keys
the same way everywhere; none can contain ``/`` or ``*``, which the state
layout uses as separators and wildcard.

* Account: 3 to 32 characters from ``a-z 0-9 . -``; starts with a letter, ends
  with a letter or digit, and no two separators (``.`` ``-``) are adjacent.
  ``tonomy`` and every name starting with ``tonomy.`` are reserved for system
  accounts.
* Permission: the same rule, 1 to 32 characters.
* Plugin and action (in links): 1 to 64 characters from ``a-z 0-9 . - _``;
  starts with a letter, ends with a letter or digit, no two separators adjacent.
"""

from __future__ import annotations

import re

from tonomy.errors import InvalidAccountNameError, InvalidNameError

ACCOUNT_NAME_MIN = 3
ACCOUNT_NAME_MAX = 32
PERMISSION_NAME_MAX = 32
LINK_NAME_MAX = 64
SYSTEM_NAME = "tonomy"
SYSTEM_PREFIX = SYSTEM_NAME + "."

_ACCOUNT_OR_PERMISSION = re.compile(r"[a-z](?:[.-]?[a-z0-9])*")
_PLUGIN_OR_ACTION = re.compile(r"[a-z](?:[._-]?[a-z0-9])*")


#: Names already seen to match each pattern: the same few names are checked many times
#: per transaction (every actor, permission and link), and a regex match costs more than
#: a set lookup. Bounded: emptied when full.
_MATCHED: dict[re.Pattern[str], set[str]] = {_ACCOUNT_OR_PERMISSION: set(), _PLUGIN_OR_ACTION: set()}
_MATCHED_MAX = 65_536


def _matches(pattern: re.Pattern[str], name: str) -> bool:
    known = _MATCHED[pattern]
    if name in known:
        return True
    if pattern.fullmatch(name) is None:
        return False
    if len(known) >= _MATCHED_MAX:
        known.clear()
    known.add(name)
    return True


def _describe(name: object) -> str:
    text = repr(name)
    return text if len(text) <= 40 else text[:37] + "..."


def validate_account_name(name: object) -> str:
    """Return ``name`` if it is a valid account name, else raise ``account.invalid_name``."""
    if type(name) is not str:
        raise InvalidAccountNameError(f"an account name must be a string, got {type(name).__name__}")
    if not ACCOUNT_NAME_MIN <= len(name) <= ACCOUNT_NAME_MAX:
        raise InvalidAccountNameError(
            f"account name {_describe(name)} must be {ACCOUNT_NAME_MIN} to {ACCOUNT_NAME_MAX} characters long"
        )
    if not _matches(_ACCOUNT_OR_PERMISSION, name):
        raise InvalidAccountNameError(
            f"account name {_describe(name)} must use only a-z, 0-9, '.' and '-', start with a letter, "
            "end with a letter or digit, and never have two separators in a row"
        )
    return name


def is_reserved_account_name(name: str) -> bool:
    """True for names only system accounts may hold."""
    return name == SYSTEM_NAME or name.startswith(SYSTEM_PREFIX)


def validate_permission_name(name: object) -> str:
    """Return ``name`` if it is a valid permission name, else raise ``auth.invalid_name``."""
    if type(name) is not str:
        raise InvalidNameError(f"a permission name must be a string, got {type(name).__name__}")
    if not 1 <= len(name) <= PERMISSION_NAME_MAX or not _matches(_ACCOUNT_OR_PERMISSION, name):
        raise InvalidNameError(
            f"permission name {_describe(name)} must be 1 to {PERMISSION_NAME_MAX} characters of a-z, 0-9, "
            "'.' and '-', start with a letter, end with a letter or digit, and never have two separators in a row"
        )
    return name


def validate_link_name(kind: str, name: object) -> str:
    """Return a plugin or action name (``kind`` says which) if valid, else raise ``auth.invalid_name``."""
    if type(name) is not str:
        raise InvalidNameError(f"a {kind} name must be a string, got {type(name).__name__}")
    if not 1 <= len(name) <= LINK_NAME_MAX or not _matches(_PLUGIN_OR_ACTION, name):
        raise InvalidNameError(
            f"{kind} name {_describe(name)} must be 1 to {LINK_NAME_MAX} characters of a-z, 0-9, '.', '-' and '_', "
            "start with a letter, end with a letter or digit, and never have two separators in a row"
        )
    return name
