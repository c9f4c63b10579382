"""Shamir secret sharing over GF(2^8), byte by byte.

A secret of any length is split into ``n`` shares so that any ``threshold`` of them
rebuild it and fewer reveal nothing about it (each secret byte is the constant term
of its own random polynomial of degree ``threshold - 1``; ``threshold - 1`` points of
such a polynomial are consistent with every value of the constant term, equally).

The field is GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11b);
multiplication goes through log/antilog tables over the generator 3. Share ``x``
coordinates are 1..n (0 would be the secret itself). Shares carry no integrity of
their own: a wrong share rebuilds a wrong secret, so the vault checks the rebuilt
key against its key id (``vault.recovery_failed``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from tonomy.errors import VaultRecoveryError

MAX_SHARES = 255


def _tables() -> tuple[list[int], list[int]]:
    exp = [0] * 510
    log = [0] * 256
    value = 1
    for power in range(255):
        exp[power] = value
        log[value] = power
        # multiply by the generator 3 = x + 1: value * 2 (with reduction) XOR value
        doubled = value << 1
        if doubled & 0x100:
            doubled ^= 0x11B
        value = doubled ^ value
    for power in range(255, 510):
        exp[power] = exp[power - 255]
    return exp, log


_EXP, _LOG = _tables()


def gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def gf_div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(256)")
    if a == 0:
        return 0
    return _EXP[_LOG[a] + 255 - _LOG[b]]


@dataclass(frozen=True)
class Share:
    x: int
    y: bytes


def split(secret: bytes, threshold: int, count: int) -> list[Share]:
    """``count`` shares of ``secret``, any ``threshold`` of which rebuild it."""
    if type(threshold) is not int or type(count) is not int or not 1 <= threshold <= count <= MAX_SHARES:
        raise VaultRecoveryError(f"need 1 <= threshold <= shares <= {MAX_SHARES}, got {threshold} of {count}")
    if not secret:
        raise VaultRecoveryError("cannot share an empty secret")
    # coefficients[i][j]: coefficient of x^(j+1) for secret byte i
    randomness = os.urandom(len(secret) * (threshold - 1))
    shares = []
    for x in range(1, count + 1):
        out = bytearray(len(secret))
        for i, constant in enumerate(secret):
            # Horner's rule from the highest coefficient down to the constant term
            acc = 0
            base = i * (threshold - 1)
            for j in range(threshold - 2, -1, -1):
                acc = gf_mul(acc, x) ^ randomness[base + j]
            out[i] = gf_mul(acc, x) ^ constant
        shares.append(Share(x, bytes(out)))
    return shares


def combine(shares: Sequence[Share], threshold: int) -> bytes:
    """Rebuild the secret by Lagrange interpolation at 0 from the first ``threshold`` shares."""
    if type(threshold) is not int or not 1 <= threshold <= MAX_SHARES:
        raise VaultRecoveryError("a threshold is 1 to 255")
    if len(shares) < threshold:
        raise VaultRecoveryError(f"{len(shares)} shares given, {threshold} needed")
    used = list(shares)[:threshold]
    xs = [share.x for share in used]
    if any(type(x) is not int or not 1 <= x <= MAX_SHARES for x in xs) or len(set(xs)) != len(xs):
        raise VaultRecoveryError("share coordinates must be distinct and in 1..255")
    length = len(used[0].y)
    if length == 0 or any(len(share.y) != length for share in used):
        raise VaultRecoveryError("shares of one secret have one, non-zero length")
    # Lagrange basis at 0: l_k = prod_{m != k} x_m / (x_m - x_k); in GF(2^8) minus is XOR.
    weights = []
    for k, xk in enumerate(xs):
        numerator, denominator = 1, 1
        for m, xm in enumerate(xs):
            if m != k:
                numerator = gf_mul(numerator, xm)
                denominator = gf_mul(denominator, xm ^ xk)
        weights.append(gf_div(numerator, denominator))
    out = bytearray(length)
    for weight, share in zip(weights, used):
        for i, byte in enumerate(share.y):
            out[i] ^= gf_mul(weight, byte)
    return bytes(out)
