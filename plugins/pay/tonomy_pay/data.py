"""Typed reads of action and query data that the schema has already checked.

The host validates data against the action's schema before the handler runs, so
these reads only narrow the static type; the checks below cannot fail for data
that passed the schema, and they keep a schema mistake from passing silently.
"""

from __future__ import annotations

from tonomy.plugin import Data


def text(data: Data, name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if type(value) is not str:
        raise TypeError(f"field {name!r} should be a str after schema validation")
    return value


def whole(data: Data, name: str) -> int:
    value = data.get(name)
    if type(value) is not int:
        raise TypeError(f"field {name!r} should be an int after schema validation")
    return value


def maybe_text(data: Data, name: str) -> str | None:
    return text(data, name) if name in data else None


def maybe_whole(data: Data, name: str) -> int | None:
    return whole(data, name) if name in data else None


def memo(data: Data) -> str:
    return text(data, "memo", "")
