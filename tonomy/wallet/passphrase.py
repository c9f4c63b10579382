"""Passphrases: generation from the word list, normalisation and checking.

A passphrase is ``PASSPHRASE_WORDS`` (6) words drawn uniformly and independently
from the 2048-word list with the OS CSPRNG: 6 × 11 = 66 bits of entropy exactly.
Longer passphrases (more words from the list) are accepted and add 11 bits a word.

Normalisation makes what the user types on any keyboard derive the same keys:
Unicode NFKD, lowercase, every run of whitespace (any Unicode space, tabs,
newlines) becomes one ASCII space, and leading/trailing spaces go. The derived
key is computed from the normalised UTF-8 bytes only.
"""

from __future__ import annotations

import math
import secrets
import unicodedata

from tonomy.errors import InvalidPassphraseError
from tonomy.wallet.wordlist import WORD_COUNT, word_set, words

PASSPHRASE_WORDS = 6
#: Entropy of a generated passphrase of ``PASSPHRASE_WORDS`` words: 66.0 bits.
PASSPHRASE_ENTROPY_BITS = PASSPHRASE_WORDS * math.log2(WORD_COUNT)
#: Longest passphrase accepted, to keep hostile input bounded.
MAX_PASSPHRASE_WORDS = 24
_MAX_INPUT_CHARS = 1024


def generate_passphrase(word_count: int = PASSPHRASE_WORDS) -> str:
    """A fresh random passphrase of ``word_count`` (≥ 6) words, already normalised."""
    if type(word_count) is not int or not PASSPHRASE_WORDS <= word_count <= MAX_PASSPHRASE_WORDS:
        raise InvalidPassphraseError(
            f"a passphrase has {PASSPHRASE_WORDS} to {MAX_PASSPHRASE_WORDS} words, asked for {word_count!r}"
        )
    pool = words()
    return " ".join(secrets.choice(pool) for _ in range(word_count))


def normalise_passphrase(text: str) -> str:
    """NFKD, lowercase, single ASCII spaces, trimmed; does not check the words."""
    if type(text) is not str:
        raise InvalidPassphraseError(f"a passphrase must be a string, got {type(text).__name__}")
    if len(text) > _MAX_INPUT_CHARS:
        raise InvalidPassphraseError(f"a passphrase is at most {_MAX_INPUT_CHARS} characters")
    return " ".join(unicodedata.normalize("NFKD", text).lower().split())


def check_passphrase(text: str) -> str:
    """Return the normalised passphrase, or raise ``wallet.invalid_passphrase`` saying why.

    The message names the position of an unknown word, never the word itself, so
    that it is safe to log.
    """
    parts = normalise_passphrase(text).split(" ")
    parts = [p for p in parts if p]
    if not PASSPHRASE_WORDS <= len(parts) <= MAX_PASSPHRASE_WORDS:
        raise InvalidPassphraseError(
            f"a passphrase has {PASSPHRASE_WORDS} to {MAX_PASSPHRASE_WORDS} words from the word list, got {len(parts)}"
        )
    known = word_set()
    unknown = [i + 1 for i, w in enumerate(parts) if w not in known]
    if unknown:
        raise InvalidPassphraseError(f"word(s) at position {', '.join(map(str, unknown))} are not in the word list")
    return " ".join(parts)


def passphrase_entropy_bits(text: str) -> float:
    """Entropy of a generated passphrase with as many words as ``text`` (checked first)."""
    return len(check_passphrase(text).split(" ")) * math.log2(WORD_COUNT)
