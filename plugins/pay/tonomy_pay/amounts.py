"""Amounts as people write them ("12.50") and as the chain keeps them (1250).

Only the CLI and wallets use this: the chain itself sees integers in the token's
smallest unit. Conversion is pure string and integer work, never floats, so
"0.1" is exactly 1 unit of a one-decimal token.
"""

from __future__ import annotations

import re

from tonomy_pay.layout import MAX_AMOUNT

_DECIMAL = re.compile(r"([0-9]+)(?:\.([0-9]+))?")


def parse_amount(text: str, decimals: int) -> int:
    """``"12.5"`` with 2 decimals → 1250; refuses signs, exponents, excess digits, 0 and overflow."""
    match = _DECIMAL.fullmatch(text.strip())
    if match is None or len(text) > 80:
        raise ValueError(f"{text!r} is not an amount (digits, optionally a '.' and up to {decimals} more digits)")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > decimals:
        raise ValueError(f"{text!r} has {len(fraction)} digits after the point; this token has {decimals}")
    units: int = int(whole) * 10**decimals + int(fraction.ljust(decimals, "0") or "0")
    if not 1 <= units <= MAX_AMOUNT:
        raise ValueError(f"{text!r} is outside 1 unit to {format_amount(MAX_AMOUNT, decimals)}")
    return units


def format_amount(units: int, decimals: int) -> str:
    """1250 with 2 decimals → ``"12.50"``."""
    if decimals == 0:
        return str(units)
    whole, fraction = divmod(units, 10**decimals)
    return f"{whole}.{fraction:0{decimals}d}"
