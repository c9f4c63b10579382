"""Property tests: any mutation of a keystore file parses or fails with a wallet error, never a crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tonomy import errors
from tonomy.wallet.device import DeviceInfo
from tonomy.wallet.identity_file import IdentityFile
from tonomy.wallet.pin_lock import PinLock
from tonomy.wallet.records import Records

from .conftest import Template, identity_dir

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, prefix + (i,))
    return found


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


def _check(parse: Callable[[dict[str, Any]], object], original: dict[str, Any], data: st.DataObject) -> None:
    doc = json.loads(json.dumps(original))
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = data.draw(st.sampled_from(paths))
        _set(doc, path, data.draw(json_values))
    try:
        parse(doc)
    except errors.WalletError:
        pass  # the only acceptable failure: a stable wallet.* code


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=st.data())
def test_identity_file_mutations(template: Template, data: st.DataObject) -> None:
    ident = template.alice.identity_id
    original = json.loads((identity_dir(template.path, ident) / "identity.json").read_text())
    _check(lambda d: IdentityFile.from_dict(d, ident), original, data)


@SETTINGS
@given(data=st.data())
def test_pin_file_mutations(template: Template, data: st.DataObject) -> None:
    ident = template.alice.identity_id
    original = json.loads((identity_dir(template.path, ident) / "pin.json").read_text())
    _check(lambda d: PinLock.from_dict(d, ident), original, data)


@SETTINGS
@given(data=st.data())
def test_records_file_mutations(template: Template, data: st.DataObject) -> None:
    ident = template.alice.identity_id
    original = json.loads((identity_dir(template.path, ident) / "records.json").read_text())
    original["sessions"] = [
        {
            "session_id": "ab" * 16,
            "app": "market",
            "device_id": "cd" * 16,
            "public_key": "ef" * 32,
            "scopes": ["login"],
            "created_at": 1,
            "expires_at": None,
            "revoked_at": None,
        }
    ]
    Records.from_dict(json.loads(json.dumps(original)), ident)  # the seed document itself is valid
    _check(lambda d: Records.from_dict(d, ident), original, data)


@SETTINGS
@given(data=st.data())
def test_device_file_mutations(template: Template, data: st.DataObject) -> None:
    original = json.loads((template.path / "device.json").read_text())
    _check(DeviceInfo.from_dict, original, data)
