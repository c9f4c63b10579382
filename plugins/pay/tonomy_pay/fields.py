"""Field builders shared by Pay's action and query schemas.

The schema is the first line of defence: exact types, account names 3-32 long,
symbols 1-12 long, amounts 1 to ``MAX_AMOUNT``, memos at most 256 UTF-8 bytes.
What a schema cannot express (name shapes, existence, parameters) the handlers check.
"""

from __future__ import annotations

from tonomy.plugin import Field

from tonomy_pay.layout import MAX_AMOUNT, MAX_ID, SYMBOL_MAX
from tonomy_pay.parameters import MEMO_HARD_LIMIT


def account(name: str, description: str, *, required: bool = True) -> Field:
    return Field(name, str, required=required, minimum=3, maximum=32, description=description)


def symbol(description: str = "token symbol: A-Z and 0-9, starting with a letter") -> Field:
    return Field("symbol", str, minimum=1, maximum=SYMBOL_MAX, description=description)


def amount(description: str = "amount in the token's smallest unit") -> Field:
    return Field("amount", int, minimum=1, maximum=MAX_AMOUNT, description=description)


def memo() -> Field:
    return Field("memo", str, required=False, maximum=MEMO_HARD_LIMIT, description="free text (UTF-8), optional")


def record_id(description: str) -> Field:
    return Field("id", int, minimum=1, maximum=MAX_ID, description=description)


def height(name: str, description: str) -> Field:
    return Field(name, int, required=False, minimum=1, maximum=MAX_ID, description=description)
