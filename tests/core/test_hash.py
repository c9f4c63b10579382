"""Domain-separated hashing through the bindings, checked against the blake3 package."""

import blake3
import pytest

import tonomy._core as core
from tonomy.errors import InvalidInputError


def test_tagged_hash_is_blake3_of_tag_nul_data() -> None:
    assert core.hash_tagged("tonomy/tx/v1", b"body") == blake3.blake3(b"tonomy/tx/v1\x00body").digest()


def test_large_input_path_gives_the_same_digest() -> None:
    data = bytes(range(256)) * 1024  # above the GIL-release threshold
    assert core.hash_tagged("t", data) == blake3.blake3(b"t\x00" + data).digest()
    assert core.hash_plain(data) == blake3.blake3(data).digest()


@pytest.mark.parametrize("tag", ["", "with space", "nul\x00", "é", "x" * 129])
def test_hostile_tags_are_rejected_with_a_code(tag: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        core.hash_tagged(tag, b"")
    assert info.value.code == "core.invalid_input"


def test_non_bytes_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        core.hash_plain("text")  # type: ignore[arg-type]
