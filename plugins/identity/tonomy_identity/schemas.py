"""Schemas for action data that holds lists (``RecordSchema`` is flat scalars only).

Any object with a deterministic ``validate(data)`` is a schema for the host; these
check exact field sets, exact types (``bool`` is not an ``int``) and bounds, and raise
``InvalidInputError`` naming the field, before a handler runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tonomy.errors import InvalidInputError

Check = Callable[[str, object], None]

ACCOUNT_PATTERN = re.compile(r"[a-z](?:[a-z0-9]|[.-](?=[a-z0-9])){1,30}[a-z0-9]")
LINK_NAME_PATTERN = re.compile(r"[a-z](?:[a-z0-9]|[._-](?=[a-z0-9])){0,62}[a-z0-9]|[a-z]")


def text(minimum: int, maximum: int, pattern: re.Pattern[str] | None = None) -> Check:
    def check(name: str, value: object) -> None:
        if type(value) is not str:
            raise InvalidInputError(f"field {name!r} must be a str")
        size = len(value.encode("utf-8", "surrogatepass"))
        if not minimum <= size <= maximum:
            raise InvalidInputError(f"field {name!r} must be {minimum} to {maximum} UTF-8 bytes, got {size}")
        if pattern is not None and not pattern.fullmatch(value):
            raise InvalidInputError(f"field {name!r} has the wrong form")

    return check


def account() -> Check:
    return text(3, 32, ACCOUNT_PATTERN)


def raw(size: int | None = None, maximum: int = 64 * 1024) -> Check:
    def check(name: str, value: object) -> None:
        if type(value) is not bytes:
            raise InvalidInputError(f"field {name!r} must be bytes")
        if size is not None and len(value) != size:
            raise InvalidInputError(f"field {name!r} must be {size} bytes, got {len(value)}")
        if len(value) > maximum:
            raise InvalidInputError(f"field {name!r} must be at most {maximum} bytes")

    return check


def integer(minimum: int, maximum: int) -> Check:
    def check(name: str, value: object) -> None:
        if type(value) is not int or not minimum <= value <= maximum:
            raise InvalidInputError(f"field {name!r} must be an int from {minimum} to {maximum}")

    return check


def items(each: Check, minimum: int, maximum: int, *, distinct: bool = True) -> Check:
    def check(name: str, value: object) -> None:
        if type(value) is not list:
            raise InvalidInputError(f"field {name!r} must be a list")
        if not minimum <= len(value) <= maximum:
            raise InvalidInputError(f"field {name!r} must hold {minimum} to {maximum} items, got {len(value)}")
        for index, item in enumerate(value):
            each(f"{name}[{index}]", item)
        if distinct and len({repr(item) for item in value}) != len(value):
            raise InvalidInputError(f"field {name!r} must not repeat an item")

    return check


@dataclass(frozen=True)
class Shape:
    """A record with exactly these fields (``optional`` ones may be absent)."""

    fields: Mapping[str, Check]
    optional: frozenset[str] = field(default_factory=frozenset)

    def validate(self, data: Any) -> None:
        if not isinstance(data, Mapping):
            raise InvalidInputError("the data must be a record")
        unknown = sorted(set(data) - set(self.fields))
        missing = sorted(set(self.fields) - set(data) - self.optional)
        if unknown:
            raise InvalidInputError(f"unknown field(s): {', '.join(map(str, unknown))}")
        if missing:
            raise InvalidInputError(f"missing field(s): {', '.join(missing)}")
        for name, check in self.fields.items():
            if name in data:
                check(name, data[name])
