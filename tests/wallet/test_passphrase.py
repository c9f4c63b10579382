"""Word list and passphrases: size, entropy, normalisation, checking."""

from __future__ import annotations

import math
from importlib import resources

import pytest

from tonomy import _core
from tonomy.errors import InvalidPassphraseError
from tonomy.wallet import PASSPHRASE_ENTROPY_BITS, check_passphrase, generate_passphrase, normalise_passphrase
from tonomy.wallet.wordlist import WORD_COUNT, words


WORD_LIST_DIGEST = "385fb8e9771c80b4940ebf37d560c6e548cf47fae90b7b637d89f7633bf44e61"

def test_word_list_is_2048_distinct_simple_words() -> None:
    listed = words()
    assert len(listed) == WORD_COUNT == 2048
    assert len(set(listed)) == 2048
    assert all(w.isascii() and w.isalpha() and w.islower() and 3 <= len(w) <= 8 for w in listed)
    assert list(listed) == sorted(listed)


def test_word_list_file_never_changes() -> None:
    # Changing the list would make existing passphrases fail the check: pin its digest.
    data = resources.files("tonomy.wallet").joinpath("words.txt").read_bytes()
    assert _core.hash_plain(data).hex() == WORD_LIST_DIGEST



def test_generated_passphrase_has_66_bits() -> None:
    assert PASSPHRASE_ENTROPY_BITS == 66.0 == 6 * math.log2(len(words()))
    phrase = generate_passphrase()
    parts = phrase.split(" ")
    assert len(parts) == 6 and all(p in words() for p in parts)
    assert check_passphrase(phrase) == phrase


def test_generation_draws_from_the_whole_list() -> None:
    seen = {w for _ in range(2000) for w in generate_passphrase().split(" ")}
    # 12000 uniform draws from 2048 words leave about 2048·e^-5.9 ≈ 6 unseen; far fewer than 100.
    assert len(seen) > 1948
    assert len({generate_passphrase() for _ in range(200)}) == 200


def test_longer_passphrases_are_allowed_shorter_are_not() -> None:
    assert len(generate_passphrase(8).split(" ")) == 8
    for bad in (5, 0, 25, True, "6"):
        with pytest.raises(InvalidPassphraseError):
            generate_passphrase(bad)  # type: ignore[arg-type]


def test_normalisation_makes_keyboards_agree() -> None:
    canonical = "omelet teacher item fresh flood ash"
    typed = [
        "  Omelet\tTEACHER  item\nfresh flood ash  ",
        "omelet\u3000teacher\u00a0item fresh flood ash",  # ideographic and no-break spaces
        "\uff4f\uff4d\uff45\uff4c\uff45\uff54 teacher item fresh flood ash",  # full-width letters
    ]
    for text in typed:
        assert normalise_passphrase(text) == canonical
        assert check_passphrase(text) == canonical


def test_check_names_the_position_not_the_word() -> None:
    with pytest.raises(InvalidPassphraseError, match="position 3") as err:
        check_passphrase("omelet teacher zzyzx fresh flood ash")
    assert "zzyzx" not in str(err.value)
    assert err.value.code == "wallet.invalid_passphrase"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "omelet teacher item fresh flood",  # 5 words
        "omelet teacher item fresh flood café",  # accent survives NFKD as a combining mark
        "omelet teacher item fresh flood ash " * 5,  # 30 words
        "x" * 5000,
    ],
)
def test_bad_passphrases_are_refused(text: str) -> None:
    with pytest.raises(InvalidPassphraseError):
        check_passphrase(text)


@pytest.mark.parametrize("value", [None, b"omelet teacher item fresh flood ash", 42])
def test_non_strings_are_refused(value: object) -> None:
    with pytest.raises(InvalidPassphraseError):
        check_passphrase(value)  # type: ignore[arg-type]
