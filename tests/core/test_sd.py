"""Selective-disclosure digest checks through the bindings (core_rs/src/sd)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tonomy import _core
from tonomy.errors import InvalidInputError, InvalidProofError, TooLargeError

# The SD-JWT specification's example disclosure of "family_name": "Möbius" and its digest.
SPEC_DISCLOSURE = b"WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
SPEC_DIGEST = "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_published_digest() -> None:
    assert b64url(_core.sd_disclosure_digest(SPEC_DISCLOSURE)) == SPEC_DIGEST
    assert _core.sd_disclosure_digest(b"abc") == hashlib.sha256(b"abc").digest()


def test_match_returns_indexes() -> None:
    items = [b"YWFh", b"YmJi", b"Y2Nj"]
    digests = [_core.sd_disclosure_digest(d) for d in items]
    assert _core.sd_match_disclosures(digests, [b"Y2Nj", b"YWFh"]) == [2, 0]
    assert _core.sd_match_disclosures(digests, []) == []


@pytest.mark.parametrize(
    ("digests", "disclosures", "error"),
    [
        ([b"\x00" * 31], [], InvalidInputError),
        ([b"\x01" * 32, b"\x01" * 32], [], InvalidInputError),
        ([], [b"YWFh"], InvalidProofError),
        ([b"\x00" * 32], [b""], InvalidInputError),
        ([b"\x00" * 32], [b"a+b/"], InvalidInputError),
        ([b"\x00" * 32], [b"A" * (_core.SD_MAX_DISCLOSURE_LEN + 1)], TooLargeError),
        ([b"\x00" * 32] * 2 + [bytes([i]) * 32 for i in range(1, 2)], [], InvalidInputError),
        ([i.to_bytes(32, "big") for i in range(_core.SD_MAX_DIGESTS + 1)], [], TooLargeError),
    ],
)
def test_hostile_inputs_refused(digests: list[bytes], disclosures: list[bytes], error: type[Exception]) -> None:
    with pytest.raises(error):
        _core.sd_match_disclosures(digests, disclosures)


def test_duplicate_disclosure_refused() -> None:
    digests = [_core.sd_disclosure_digest(b"YWFh")]
    with pytest.raises(InvalidInputError, match="twice"):
        _core.sd_match_disclosures(digests, [b"YWFh", b"YWFh"])


def test_too_many_disclosures() -> None:
    with pytest.raises(TooLargeError):
        _core.sd_match_disclosures([], [b"YWFh"] * (_core.SD_MAX_DISCLOSURES + 1))
