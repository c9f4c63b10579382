"""Where Pay keeps its records inside its namespace, and the shapes of names in keys.

Keys (the host prefixes them with the plugin's namespace):

* ``tok/<SYMBOL>``          token record
* ``bal/<account>/<SYMBOL>`` balance (an int; absent means 0)
* ``made/<account>``        how many tokens the account created (an int)
* ``seq/request``, ``seq/escrow``  the last id handed out (an int)
* ``req/<id, 20 digits>``   payment request record
* ``esc/<id, 20 digits>``   escrow record

Account names never contain ``/`` (and every name used in a key is checked against
its pattern first), so no two records share a key. Ids are zero-padded so they
sort numerically.
"""

from __future__ import annotations

import re

#: Largest amount, supply or balance: fits a signed 128-bit integer. Since every
#: balance is a part of its token's supply and a supply never exceeds its maximum
#: supply, no sum Pay computes can exceed this bound.
MAX_AMOUNT = (1 << 127) - 1
MAX_DECIMALS = 18
MAX_ID = (1 << 64) - 1
SYMBOL_MAX = 12

SYMBOL_PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,11}")
ACCOUNT_PATTERN = re.compile(r"[a-z](?:[.-]?[a-z0-9])*")


#: Strings already seen to have each shape: every transfer checks the same few names
#: several times, and a set lookup costs less than a regex match. Only strings that
#: match are kept (a pure function of the string); bounded: emptied when full.
_SYMBOLS: set[str] = set()
_ACCOUNTS: set[str] = set()
_SHAPES_MAX = 16_384


def is_symbol(text: object) -> bool:
    if type(text) is not str:
        return False
    if text in _SYMBOLS:
        return True
    return SYMBOL_PATTERN.fullmatch(text) is not None and _remember(_SYMBOLS, text)


def is_account_name(text: object) -> bool:
    if type(text) is not str:
        return False
    if text in _ACCOUNTS:
        return True
    return 3 <= len(text) <= 32 and ACCOUNT_PATTERN.fullmatch(text) is not None and _remember(_ACCOUNTS, text)


def _remember(known: set[str], text: str) -> bool:
    if len(known) >= _SHAPES_MAX:
        known.clear()
    known.add(text)
    return True


def token_key(symbol: str) -> bytes:
    return b"tok/" + symbol.encode("ascii")


def balance_prefix(account: str) -> bytes:
    return f"bal/{account}/".encode("ascii")


def balance_key(account: str, symbol: str) -> bytes:
    # One format and one encode: every transfer builds four keys like this one.
    return f"bal/{account}/{symbol}".encode("ascii")


def created_count_key(account: str) -> bytes:
    return b"made/" + account.encode("ascii")


def sequence_key(kind: str) -> bytes:
    return b"seq/" + kind.encode("ascii")


def request_key(request_id: int) -> bytes:
    return b"req/" + b"%020d" % request_id


def escrow_key(escrow_id: int) -> bytes:
    return b"esc/" + b"%020d" % escrow_id
