"""Shamir secret sharing over GF(256): field arithmetic, reconstruction, secrecy, refusals."""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tonomy.errors import VaultRecoveryError
from tonomy.vault.shamir import Share, combine, gf_div, gf_mul, split


def slow_mul(a: int, b: int) -> int:
    """Carry-less multiplication reduced by 0x11b: the definition, to check the tables."""
    out = 0
    while b:
        if b & 1:
            out ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11B
        b >>= 1
    return out


def test_table_multiplication_matches_the_definition() -> None:
    for a in range(256):
        for b in range(256):
            assert gf_mul(a, b) == slow_mul(a, b)


def test_division_inverts_multiplication() -> None:
    for a in range(256):
        for b in range(1, 256):
            assert gf_div(gf_mul(a, b), b) == a
    with pytest.raises(ZeroDivisionError):
        gf_div(1, 0)


def test_known_aes_products() -> None:
    # FIPS-197 section 4.2: {57} x {83} = {c1}, {57} x {13} = {fe}
    assert gf_mul(0x57, 0x83) == 0xC1
    assert gf_mul(0x57, 0x13) == 0xFE


@settings(max_examples=60, deadline=None)
@given(secret=st.binary(min_size=1, max_size=48), threshold=st.integers(1, 6), extra=st.integers(0, 4), data=st.data())
def test_any_threshold_subset_rebuilds(secret: bytes, threshold: int, extra: int, data: st.DataObject) -> None:
    shares = split(secret, threshold, threshold + extra)
    assert len(shares) == threshold + extra and [s.x for s in shares] == list(range(1, threshold + extra + 1))
    chosen = data.draw(st.permutations(shares))[:threshold]
    assert combine(chosen, threshold) == secret


def test_every_subset_of_three_of_five() -> None:
    secret = os.urandom(32)
    shares = split(secret, 3, 5)
    for subset in itertools.combinations(shares, 3):
        assert combine(list(subset), 3) == secret


def test_fewer_shares_are_consistent_with_every_secret() -> None:
    # With threshold 2, one share y = s + a*x: for each candidate secret byte s' there is
    # exactly one a' with y = s' + a'*x, so one share says nothing about the secret.
    secret = os.urandom(1)
    (share, _) = split(secret, 2, 2)
    candidates = {share.y[0] ^ gf_mul(a, share.x) for a in range(256)}
    assert candidates == set(range(256))


def test_shares_differ_between_splits_of_the_same_secret() -> None:
    secret = os.urandom(32)
    assert split(secret, 2, 3)[0].y != split(secret, 2, 3)[0].y


def test_threshold_one_copies_the_secret() -> None:
    secret = os.urandom(16)
    assert all(s.y == secret for s in split(secret, 1, 3))


def test_too_few_shares_with_a_lower_threshold_give_a_wrong_secret() -> None:
    secret = os.urandom(32)
    shares = split(secret, 3, 5)
    assert combine(shares[:2], 2) != secret


@pytest.mark.parametrize("threshold, count", [(0, 3), (4, 3), (1, 256), (2, 0), (-1, 2)])
def test_bad_split_parameters(threshold: int, count: int) -> None:
    with pytest.raises(VaultRecoveryError):
        split(b"secret", threshold, count)


def test_empty_secret_refused() -> None:
    with pytest.raises(VaultRecoveryError):
        split(b"", 1, 1)


@pytest.mark.parametrize(
    "shares, threshold",
    [
        ([Share(1, b"ab")], 2),
        ([Share(1, b"ab"), Share(1, b"cd")], 2),
        ([Share(0, b"ab"), Share(1, b"cd")], 2),
        ([Share(256, b"ab"), Share(1, b"cd")], 2),
        ([Share(1, b"ab"), Share(2, b"c")], 2),
        ([Share(1, b""), Share(2, b"")], 2),
        ([Share(1, b"ab")], 0),
    ],
)
def test_bad_shares_refused(shares: list[Share], threshold: int) -> None:
    with pytest.raises(VaultRecoveryError):
        combine(shares, threshold)
