"""Scalar values and the record schema that checks action, query and parameter data.

Consensus-critical data is made of four scalar types only: ``int``, ``bool``,
``bytes`` and ``str``. Floats are refused everywhere because their rounding is
not the same on every machine. Types are checked exactly (``True`` is not an
``int`` here, and ``1`` is not a ``bool``) so that a value means one thing.

Bounds are value bounds for ``int`` and length bounds for ``bytes`` and ``str``
(``str`` length counts UTF-8 bytes, which is what goes on the wire).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias, runtime_checkable

from tonomy.errors import InvalidInputError

#: A value that may appear in action, query or parameter data.
Scalar: TypeAlias = int | bool | bytes | str
#: The type of a :data:`Scalar`; ``float`` is deliberately not one.
ScalarType: TypeAlias = type[int] | type[bool] | type[bytes] | type[str]
#: The data of one action or query call: field name → value.
Data: TypeAlias = Mapping[str, Scalar]

SCALAR_TYPES: tuple[ScalarType, ...] = (int, bool, bytes, str)

#: Names of plugins, actions, queries, parameters and fields: lower snake case,
#: so they read the same in Python, on the wire, in URLs and in CLI output.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")


def name_problem(kind: str, name: object) -> str | None:
    """Why ``name`` is not a valid name of ``kind``, or None if it is."""
    if not isinstance(name, str):
        return f"{kind} name must be a str, got {type(name).__name__}"
    if not NAME_PATTERN.fullmatch(name):
        return f"{kind} name {name!r} must be lower snake case (a-z, 0-9, _), start with a letter, at most 64 long"
    return None


def _is_int(value: object) -> bool:
    return type(value) is int  # bool is a subclass of int: refuse it here


def bounds_problem(label: str, value_type: object, minimum: object, maximum: object) -> str | None:
    """Why these bounds do not fit ``value_type``, or None if they do."""
    if value_type not in SCALAR_TYPES:
        shown = getattr(value_type, "__name__", repr(value_type))
        return f"{label}: type must be one of int, bool, bytes, str (floats are never allowed), got {shown}"
    for bound_name, bound in (("minimum", minimum), ("maximum", maximum)):
        if bound is None:
            continue
        if value_type is bool:
            return f"{label}: a bool has no bounds, but {bound_name} is {bound!r}"
        if not _is_int(bound):
            return f"{label}: {bound_name} must be an int, got {type(bound).__name__}"
        if value_type is not int and isinstance(bound, int) and bound < 0:
            return f"{label}: {bound_name} is a length and cannot be negative, got {bound}"
    if isinstance(minimum, int) and isinstance(maximum, int) and minimum > maximum:
        return f"{label}: minimum {minimum} is above maximum {maximum}"
    return None


def value_problem(label: str, value_type: ScalarType, minimum: int | None, maximum: int | None, value: object) -> str | None:
    """Why ``value`` does not fit the type and bounds, or None if it does."""
    if type(value) is not value_type:
        return f"{label}: expected {value_type.__name__}, got {type(value).__name__}"
    if value_type is bool:
        return None
    if isinstance(value, bytes):
        measured, unit = len(value), " bytes long"
    elif isinstance(value, str):
        measured, unit = len(value.encode("utf-8")), " UTF-8 bytes long"
    else:
        assert isinstance(value, int)
        measured, unit = value, ""
    if minimum is not None and measured < minimum:
        return f"{label}: must be at least {minimum}{unit}, got {measured}"
    if maximum is not None and measured > maximum:
        return f"{label}: must be at most {maximum}{unit}, got {measured}"
    return None


@runtime_checkable
class DataSchema(Protocol):
    """Anything that can check the data of an action or query.

    ``validate`` raises :class:`tonomy.errors.InvalidInputError` naming the
    offending field, and returns None when the data is acceptable. It must be
    deterministic: the same data gives the same answer on every node.
    """

    def validate(self, data: Mapping[str, object]) -> None: ...


@dataclass(frozen=True, slots=True)
class Field:
    """One typed field of a :class:`RecordSchema`."""

    name: str
    type: ScalarType
    required: bool = True
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""

    def __post_init__(self) -> None:
        problem = name_problem("field", self.name) or bounds_problem(f"field {self.name!r}", self.type, self.minimum, self.maximum)
        if problem is None and not isinstance(self.required, bool):
            problem = f"field {self.name!r}: required must be a bool"
        if problem is not None:
            raise TypeError(problem)

    def fits(self, value: object) -> bool:
        """The common case of :func:`value_problem` without building its message."""
        if type(value) is not self.type:
            return False
        if self.minimum is None and self.maximum is None or self.type is bool:
            return True
        measured: int
        if isinstance(value, bytes):
            measured = len(value)
        elif isinstance(value, str):
            measured = len(value.encode("utf-8"))
        else:
            assert isinstance(value, int)
            measured = value
        return (self.minimum is None or measured >= self.minimum) and (self.maximum is None or measured <= self.maximum)


@dataclass(frozen=True, slots=True)
class RecordSchema:
    """A flat record of typed fields: the default :class:`DataSchema`.

    Unknown fields are refused (a typo must not be silently ignored) and so is
    any value whose type is not exactly the field's type.
    """

    fields: tuple[Field, ...] = field(default_factory=tuple)
    #: The field names, made once: validate runs for every action of every transaction.
    _names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for item in self.fields:
            if not isinstance(item, Field):
                raise TypeError(f"RecordSchema fields must be Field objects, got {type(item).__name__}")
            if item.name in seen:
                raise TypeError(f"RecordSchema has the field {item.name!r} twice")
            seen.add(item.name)
        object.__setattr__(self, "_names", frozenset(seen))

    def validate(self, data: Mapping[str, object]) -> None:
        if not isinstance(data, Mapping):
            raise InvalidInputError(f"data must be a mapping of field name to value, got {type(data).__name__}")
        names = self._names
        if not all(key in names for key in data):
            unknown = sorted(str(key) for key in data if key not in names)
            raise InvalidInputError(f"unknown field(s): {', '.join(unknown)}; expected: {', '.join(sorted(names)) or 'none'}")
        for item in self.fields:
            if item.name not in data:
                if item.required:
                    raise InvalidInputError(f"field {item.name!r} is required")
                continue
            value = data[item.name]
            if item.fits(value):
                continue
            problem = value_problem(f"field {item.name!r}", item.type, item.minimum, item.maximum, value)
            if problem is not None:
                raise InvalidInputError(problem)


__all__ = [
    "NAME_PATTERN",
    "SCALAR_TYPES",
    "Data",
    "DataSchema",
    "Field",
    "RecordSchema",
    "Scalar",
    "ScalarType",
    "bounds_problem",
    "name_problem",
    "value_problem",
]
