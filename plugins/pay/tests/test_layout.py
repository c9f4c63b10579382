"""Pay's own name checks agree with the chain's, and its keys never collide."""

from __future__ import annotations

from hypothesis import given, strategies as st

from tonomy.chain.names import validate_account_name
from tonomy.errors import TonomyError
from tonomy_pay.layout import balance_key, escrow_key, is_account_name, is_symbol, request_key

name_text = st.one_of(st.text(alphabet="abcz019.-_/A", max_size=34), st.text(max_size=34))


def chain_accepts(name: str) -> bool:
    try:
        validate_account_name(name)
    except TonomyError:
        return False
    return True


@given(name_text)
def test_account_name_check_matches_the_chain(name: str) -> None:
    assert is_account_name(name) == chain_accepts(name)


@given(st.text(alphabet="ABZ09a/ ", max_size=14))
def test_symbols(symbol: str) -> None:
    expected = 1 <= len(symbol) <= 12 and symbol[0] in "ABZ" and all(c in "ABZ09" for c in symbol)
    assert is_symbol(symbol) == expected


@given(st.tuples(name_text, st.text(max_size=13)), st.tuples(name_text, st.text(max_size=13)))
def test_balance_keys_of_valid_names_never_collide(a: tuple[str, str], b: tuple[str, str]) -> None:
    if a != b and all(is_account_name(n) and is_symbol(s) for n, s in (a, b)):
        assert balance_key(*a) != balance_key(*b)


def test_ids_sort_numerically() -> None:
    ids = [1, 2, 9, 10, 99, 100, 2**64 - 1]
    assert sorted(request_key(i) for i in ids) == [request_key(i) for i in ids]
    assert sorted(escrow_key(i) for i in ids) == [escrow_key(i) for i in ids]


def test_remembered_shapes_stay_apart_and_repeat_their_answers() -> None:
    # Each shape remembers only the strings that have it: a symbol is not thereby an
    # account name, nor the other way round, however often either is checked.
    cases = ["ABC", "abc", "A1", "alice", "TONO", "tono", "ab", "x" * 33, "Z" * 13, "a.b", "A.B"]
    first = [(is_symbol(text), is_account_name(text)) for text in cases]
    assert first[:2] == [(True, False), (False, True)]
    for _ in range(2):
        assert [(is_symbol(text), is_account_name(text)) for text in cases] == first
