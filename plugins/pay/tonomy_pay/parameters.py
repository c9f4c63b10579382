"""Pay's governable parameters, and how handlers read their current values.

The host does not yet hand parameter values to handlers. Until it does, a handler
reads ``ctx.parameter(name)`` when the context offers it and the genesis default
otherwise; either way the value is the same on every node.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ParameterSpec, Scalar

#: Hard ceiling of a memo, whatever governance decides (the action schema enforces it).
MEMO_HARD_LIMIT = 256

MAX_MEMO_BYTES = ParameterSpec(
    "max_memo_bytes",
    int,
    MEMO_HARD_LIMIT,
    "Longest memo (UTF-8 bytes) on a transfer, issue, retire, request or escrow",
    minimum=0,
    maximum=MEMO_HARD_LIMIT,
)
MAX_TOKENS_PER_ACCOUNT = ParameterSpec(
    "max_tokens_per_account",
    int,
    16,
    "Most tokens one account may ever create (0: nobody may create tokens)",
    minimum=0,
    maximum=1_000,
)
NATIVE_SYMBOL = ParameterSpec(
    "native_symbol",
    str,
    "TONO",
    "Symbol of the network's native token; only the native issuer may create it",
    minimum=1,
    maximum=12,
)
NATIVE_ISSUER = ParameterSpec(
    "native_issuer",
    str,
    "tonomy",
    "Account that creates the native token and issues its genesis allocation",
    minimum=3,
    maximum=32,
)

ALL_PARAMETERS: tuple[ParameterSpec, ...] = (MAX_MEMO_BYTES, MAX_TOKENS_PER_ACCOUNT, NATIVE_ISSUER, NATIVE_SYMBOL)


def current(ctx: Any, spec: ParameterSpec) -> Scalar:
    """The value of ``spec`` in force for this action (its default if the host gives none)."""
    reader = getattr(ctx, "parameter", None)
    if reader is None:
        return spec.default
    value: Scalar = reader(spec.name)
    # A host bug must not turn into a silent consensus difference: the value is checked
    # against the spec every time (an int in bounds is checked here, without the message
    # ``validate`` builds; anything else goes through ``validate``).
    if not (spec.type is int and type(value) is int and _within(spec, value)):
        spec.validate(value)
    return value


def _within(spec: ParameterSpec, value: int) -> bool:
    return (spec.minimum is None or value >= spec.minimum) and (spec.maximum is None or value <= spec.maximum)


def current_int(ctx: Any, spec: ParameterSpec) -> int:
    value = current(ctx, spec)
    assert type(value) is int  # validate() checked the exact type
    return value


def current_str(ctx: Any, spec: ParameterSpec) -> str:
    value = current(ctx, spec)
    assert type(value) is str
    return value
