"""Golden wire fixtures, the Python half (the Rust half is `cargo test fixture`).

- ``rust/``: bytes the Rust core wrote; pycapnp must read the fields Rust recorded
  in ``expected.json``, the reference ``capnp`` tool must find them canonical, and
  Python recomputes every digest on its own.
- ``python/``: bytes ``make_fixtures.py`` wrote with pycapnp; they must still be
  exactly what the script produces, and the bindings must decode them as recorded.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import tonomy._core as core
from tonomy.schema import load

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wire"


def _fixture_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wire_make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _fixture_tool()


def _entries(side: str) -> list[tuple[str, dict[str, Any]]]:
    expected = json.loads((FIXTURES / side / "expected.json").read_text())
    return sorted(expected.items())


RUST = _entries("rust")
PYTHON = _entries("python")
SCHEMA_OF = {"SignedTransaction": "transaction", "BlockHeader": "block", "Vote": "vote", "Block": "block"}
DECODE: dict[str, Any] = {
    "SignedTransaction": core.decode_signed_transaction,
    "BlockHeader": core.decode_block_header,
    "Vote": core.decode_vote,
    "Block": core.decode_block,
}
ENCODE: dict[str, Any] = {
    "SignedTransaction": core.encode_signed_transaction,
    "BlockHeader": core.encode_block_header,
    "Vote": core.encode_vote,
    "Block": core.encode_block,
}


def test_both_sides_have_fixtures() -> None:
    assert {name for name, _ in RUST} >= {"signed_transaction", "block_header", "vote", "vote_nil", "block"}
    assert {name for name, _ in PYTHON} >= {"signed_transaction", "block_header", "vote", "vote_nil"}


@pytest.mark.parametrize(("name", "entry"), RUST, ids=[n for n, _ in RUST])
def test_rust_fixtures_read_in_pycapnp_as_rust_recorded(name: str, entry: dict[str, Any]) -> None:
    data = (FIXTURES / "rust" / entry["file"]).read_bytes()
    assert tool.to_json(tool.DESCRIBE[entry["type"]](data)) == entry["value"]


@pytest.mark.parametrize(("name", "entry"), RUST, ids=[n for n, _ in RUST])
def test_rust_fixtures_are_canonical_for_the_reference_implementation(name: str, entry: dict[str, Any]) -> None:
    data = (FIXTURES / "rust" / entry["file"]).read_bytes()
    schema = load(SCHEMA_OF[entry["type"]])
    message = getattr(schema, entry["type"]).from_segments([data]).as_builder()
    assert tool.canonical(message) == data


@pytest.mark.parametrize(("name", "entry"), RUST + PYTHON, ids=[f"rust-{n}" for n, _ in RUST] + [f"python-{n}" for n, _ in PYTHON])
def test_fixtures_decode_through_the_bindings(name: str, entry: dict[str, Any]) -> None:
    side = "rust" if (name, entry) in RUST else "python"
    data = (FIXTURES / side / entry["file"]).read_bytes()
    value = DECODE[entry["type"]](data)
    assert ENCODE[entry["type"]](value) == data
    expected = entry["value"]
    if entry["type"] == "SignedTransaction":
        assert value.id.hex() == expected["id"]
        assert value.body_bytes.hex() == expected["body_bytes"]
        assert [a.plugin for a in value.body.actions] == [a["plugin"] for a in expected["body"]["actions"]]
    elif entry["type"] == "Vote":
        assert value.signing_digest.hex() == expected["digest"]
        assert value.kind == expected["kind"]
        assert (value.block_hash.hex() if value.block_hash else None) == expected["block_hash"]
    else:
        assert value.hash.hex() == expected["hash"]


def test_python_fixtures_are_reproducible() -> None:
    files, expected = tool.build_fixtures()
    for file_name, data in files.items():
        assert (FIXTURES / "python" / file_name).read_bytes() == data, file_name
    assert (FIXTURES / "python" / "expected.json").read_text() == tool.expected_json_text(expected)


def test_python_fixture_signatures_are_real_ed25519() -> None:
    import nacl.signing

    for name, entry in PYTHON:
        value = entry["value"]
        if entry["type"] == "SignedTransaction":
            for sig in value["signatures"]:
                key = nacl.signing.VerifyKey(bytes.fromhex(sig["public_key"]))
                key.verify(bytes.fromhex(value["id"]), bytes.fromhex(sig["signature"]))
        elif entry["type"] == "Vote":
            key = nacl.signing.VerifyKey(bytes.fromhex(value["validator"]))
            key.verify(bytes.fromhex(value["digest"]), bytes.fromhex(value["signature"]))
