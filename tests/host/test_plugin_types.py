"""The spec types refuse malformed input when built, and schemas check data strictly."""

from __future__ import annotations

from typing import Any

import pytest

from tonomy.errors import InvalidInputError
from tonomy.plugin import ActionSpec, Field, ParameterSpec, PluginInfo, QuerySpec, RecordSchema


def _noop(ctx: Any, data: Any) -> None:
    return None


# --- PluginInfo -----------------------------------------------------------------


def test_plugin_info_supports_its_inclusive_range() -> None:
    info = PluginInfo(name="wallet", version="1.2.0", protocol_min=2, protocol_max=4)
    assert [p for p in range(0, 7) if info.supports(p)] == [2, 3, 4]
    assert info.protocol_range == "2..4"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "Wallet"}, "lower snake case"),
        ({"name": "1wallet"}, "lower snake case"),
        ({"name": "wal-let"}, "lower snake case"),
        ({"name": ""}, "lower snake case"),
        ({"name": "w" * 65}, "lower snake case"),
        ({"name": b"wallet"}, "must be a str"),
        ({"version": ""}, "version"),
        ({"version": " 1.0"}, "version"),
        ({"version": 1}, "version"),
        ({"protocol_min": 2, "protocol_max": 1}, "empty"),
        ({"protocol_min": 0}, "below 1"),
        ({"protocol_min": 1.0}, "must be ints"),
        ({"protocol_max": True}, "must be ints"),
        ({"description": None}, "description"),
    ],
)
def test_plugin_info_rejects_malformed_fields(kwargs: dict[str, Any], match: str) -> None:
    fields: dict[str, Any] = {"name": "wallet", "version": "1.0", "protocol_min": 1, "protocol_max": 1} | kwargs
    with pytest.raises(TypeError, match=match):
        PluginInfo(**fields)


# --- actions and queries --------------------------------------------------------


@pytest.mark.parametrize("spec_type", [ActionSpec, QuerySpec])
def test_callable_specs_check_name_handler_and_schema(spec_type: Any) -> None:
    spec = spec_type("transfer", _noop, RecordSchema())
    assert spec.name == "transfer"
    with pytest.raises(TypeError, match="lower snake case"):
        spec_type("Transfer", _noop, RecordSchema())
    with pytest.raises(TypeError, match="handler must be callable"):
        spec_type("transfer", "not callable", RecordSchema())
    with pytest.raises(TypeError, match="validate"):
        spec_type("transfer", _noop, {"amount": int})
    with pytest.raises(TypeError, match="description"):
        spec_type("transfer", _noop, RecordSchema(), description=3)


# --- parameters -----------------------------------------------------------------


def test_parameter_accepts_each_scalar_type() -> None:
    assert ParameterSpec("period", int, 10, "blocks per period", minimum=1, maximum=100).default == 10
    assert ParameterSpec("open", bool, False, "anyone may join").default is False
    assert ParameterSpec("tag", bytes, b"ab", "a tag", maximum=4).default == b"ab"
    assert ParameterSpec("motto", str, "é", "the motto", minimum=2, maximum=2).default == "é"  # 2 UTF-8 bytes


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("rate", float, 0.5, "a rate"), {}, "floats are never allowed"),
        (("rate", int, 0.5, "a rate"), {}, "expected int, got float"),
        (("rate", int, 5, "a rate"), {"maximum": 10.0}, "maximum must be an int"),
        (("rate", int, 5, "a rate"), {"minimum": 6}, "at least 6"),
        (("rate", int, 50, "a rate"), {"maximum": 10}, "at most 10"),
        (("rate", int, 5, "a rate"), {"minimum": 9, "maximum": 1}, "above maximum"),
        (("flag", bool, 1, "a flag"), {}, "expected bool, got int"),
        (("count", int, True, "a count"), {}, "expected int, got bool"),
        (("flag", bool, True, "a flag"), {"maximum": 1}, "a bool has no bounds"),
        (("tag", bytes, b"abc", "a tag"), {"maximum": 2}, "at most 2 bytes long"),
        (("tag", bytes, b"", "a tag"), {"minimum": -1}, "cannot be negative"),
        (("motto", str, "éé", "a motto"), {"maximum": 3}, "at most 3 UTF-8 bytes"),
        (("motto", str, "x", ""), {}, "description must be a non-empty"),
        (("motto", list, [], "a list"), {}, "type must be one of"),
        (("Bad", int, 1, "bad name"), {}, "lower snake case"),
    ],
)
def test_parameter_rejects_bad_specs(args: tuple[Any, ...], kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(TypeError, match=match):
        ParameterSpec(*args, **kwargs)


def test_parameter_validate_checks_new_values() -> None:
    spec = ParameterSpec("period", int, 10, "blocks per period", minimum=1, maximum=100)
    spec.validate(100)
    for bad, match in [(0, "at least 1"), (101, "at most 100"), (5.0, "got float"), (True, "got bool"), ("5", "got str")]:
        with pytest.raises(InvalidInputError, match=match) as caught:
            spec.validate(bad)
        assert caught.value.code == "core.invalid_input"


# --- record schema --------------------------------------------------------------


SCHEMA = RecordSchema(
    (
        Field("to", str, minimum=1, maximum=64),
        Field("amount", int, minimum=1),
        Field("memo", bytes, required=False, maximum=8),
        Field("urgent", bool, required=False),
    )
)


def test_record_schema_accepts_valid_data() -> None:
    SCHEMA.validate({"to": "alice", "amount": 5})
    SCHEMA.validate({"to": "alice", "amount": 5, "memo": b"rent", "urgent": True})


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"amount": 5}, "'to' is required"),
        ({"to": "alice", "amount": 5, "extra": 1}, "unknown field"),
        ({"to": "alice", "amount": 5.0}, "expected int, got float"),
        ({"to": "alice", "amount": True}, "expected int, got bool"),
        ({"to": "alice", "amount": 0}, "at least 1"),
        ({"to": "", "amount": 1}, "at least 1 UTF-8 bytes"),
        ({"to": "a" * 65, "amount": 1}, "at most 64"),
        ({"to": "alice", "amount": 1, "memo": b"x" * 9}, "at most 8 bytes"),
        ({"to": "alice", "amount": 1, "memo": "text"}, "expected bytes, got str"),
        ({"to": "alice", "amount": 1, "urgent": 1}, "expected bool, got int"),
        ({"to": "alice", "amount": 10**400}, None),  # huge ints are fine: no upper bound declared
        ([("to", "alice")], "must be a mapping"),
        (None, "must be a mapping"),
    ],
)
def test_record_schema_rejects_bad_data(data: Any, match: str | None) -> None:
    if match is None:
        SCHEMA.validate(data)
        return
    with pytest.raises(InvalidInputError, match=match):
        SCHEMA.validate(data)


def test_record_schema_refuses_bad_fields() -> None:
    with pytest.raises(TypeError, match="twice"):
        RecordSchema((Field("a", int), Field("a", str)))
    with pytest.raises(TypeError, match="Field objects"):
        RecordSchema(({"name": "a"},))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="floats are never allowed"):
        Field("ratio", float)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="required must be a bool"):
        Field("ratio", int, required="yes")  # type: ignore[arg-type]


def test_the_plugin_api_reaches_everything_a_handler_needs() -> None:
    """Plugins import from tonomy.plugin only; these names load lazily and are the real ones."""
    import tonomy._core as core
    import tonomy.plugin as api
    from tonomy.chain import codec
    from tonomy.chain.authority import PermissionLevel
    from tonomy.chain.context import ActionContext

    assert api.ActionContext is ActionContext
    assert api.PermissionLevel is PermissionLevel
    assert api.encode_record is codec.encode and api.decode_record is codec.decode
    assert api.hash_tagged is core.hash_tagged and api.ed25519_verify is core.ed25519_verify
    assert api.decode_record(api.encode_record({"a": 1})) == {"a": 1}
    for name in api.__all__:
        assert getattr(api, name) is not None, name


_FIT_TYPES = (int, bool, bytes, str)
_SAMPLE_VALUES: tuple[object, ...] = (0, 1, -5, 300, True, False, b"", b"abc", "", "héllo", "x" * 9, None, 1.0, [1])


@pytest.mark.parametrize("value_type", _FIT_TYPES)
@pytest.mark.parametrize("bounds", [(None, None), (0, None), (None, 3), (2, 5), (-10, -1)])
def test_field_fits_agrees_with_value_problem(value_type: Any, bounds: tuple[int | None, int | None]) -> None:
    """The fast path a record schema takes must accept exactly what value_problem accepts."""
    from tonomy.plugin.schema import value_problem

    minimum, maximum = bounds
    if value_type is bool and bounds != (None, None):
        return  # a bool field has no bounds
    if value_type is not int and any(b is not None and b < 0 for b in bounds):
        return  # lengths are never negative
    item = Field("f", value_type, minimum=minimum, maximum=maximum)
    for value in _SAMPLE_VALUES:
        assert item.fits(value) == (value_problem("f", value_type, minimum, maximum, value) is None), (value_type, bounds, value)
