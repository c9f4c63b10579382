"""The PIN rules: at least 6 ASCII digits, and not a trivial sequence.

A 6-digit PIN has only 10^6 values, so the rules remove the handful that people
pick first (and an attacker tries first): one repeated digit (000000), a run up
or down (123456, 987654, also wrapping like 890123), a repeated short pattern
(121212, 123123) and a short list of well-known keypad walks (147258, 159753).
Everything else is left to the attempt limit. The PIN never derives identity keys; it only unwraps the
device key, behind a small number of attempts.
"""

from __future__ import annotations

from tonomy.errors import WeakPinError

MIN_PIN_DIGITS = 6
MAX_PIN_DIGITS = 32
#: Keypad walks and pairs that survive the run/pattern rules but top every PIN list.
_WELL_KNOWN = frozenset({"112233", "147258", "159753", "258369", "147852", "102030", "123321", "987789"})


def _is_run(pin: str, step: int) -> bool:
    return all((int(b) - int(a)) % 10 == step % 10 for a, b in zip(pin, pin[1:]))


def _is_repeated_pattern(pin: str) -> bool:
    return any(len(pin) % n == 0 and pin == pin[:n] * (len(pin) // n) for n in range(1, len(pin) // 2 + 1))


def check_pin(pin: str) -> str:
    """Return ``pin`` if it follows the rules, else raise ``wallet.weak_pin`` saying which rule."""
    if type(pin) is not str:
        raise WeakPinError(f"a PIN must be a string of digits, got {type(pin).__name__}")
    if not pin.isascii() or not pin.isdigit():
        raise WeakPinError("a PIN must be ASCII digits 0-9 only")
    if not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
        raise WeakPinError(f"a PIN must be {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits long")
    if _is_run(pin, 1) or _is_run(pin, -1):
        raise WeakPinError("a PIN must not be a run of consecutive digits like 123456")
    if _is_repeated_pattern(pin):
        raise WeakPinError("a PIN must not repeat one digit or a short pattern like 000000 or 121212")
    if pin in _WELL_KNOWN:
        raise WeakPinError("that PIN is on every attacker's short list; choose another")
    return pin
