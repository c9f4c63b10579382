"""The Rust error codes and the Python hierarchy stay in step."""

import pytest

import tonomy._core as core
from tonomy import errors


def test_every_core_code_has_a_python_class() -> None:
    for code in core.ERROR_CODES:
        cls = errors.ERRORS_BY_CODE.get(code)
        assert cls is not None, f"core code {code} has no class in tonomy.errors"
        assert cls.code == code


def test_from_core_picks_the_class_and_keeps_the_message() -> None:
    err = errors.from_core("store.full", "map is full")
    assert isinstance(err, errors.StorageFullError)
    assert isinstance(err, OSError)
    assert err.code == "store.full"
    assert "map is full" in str(err)


def test_unknown_code_still_carries_its_code() -> None:
    err = errors.from_core("future.thing", "from a newer core")
    assert type(err) is errors.TonomyError
    assert err.code == "future.thing"


def test_codes_are_unique() -> None:
    class Duplicate(errors.TonomyError):
        code = "store.full"

    with pytest.raises(ValueError, match="already used"):
        errors.register_error(Duplicate)
