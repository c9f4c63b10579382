"""The node identity: signatures through the core, persistence in the data dir."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tonomy.net.identity import NodeIdentity, verify_identity_signature


def test_sign_and_verify_and_refuse_hostile_keys() -> None:
    identity = NodeIdentity.generate()
    signature = identity.sign(b"transcript")
    assert verify_identity_signature(identity.public_key, b"transcript", signature)
    assert not verify_identity_signature(identity.public_key, b"other", signature)
    assert not verify_identity_signature(NodeIdentity.generate().public_key, b"transcript", signature)
    assert not verify_identity_signature(bytes(32), b"transcript", signature)  # small-order key
    assert not verify_identity_signature(identity.public_key[:31], b"transcript", signature)
    assert not verify_identity_signature(identity.public_key, b"transcript", signature[:63])
    assert identity.seed.hex() not in repr(identity)  # the seed never shows in logs
    with pytest.raises(ValueError):
        NodeIdentity(b"short")


def test_load_or_create_keeps_one_identity_and_refuses_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "node.key"
    first = NodeIdentity.load_or_create(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert NodeIdentity.load_or_create(path).public_key == first.public_key
    path.write_bytes(b"x" * 31)
    with pytest.raises(ValueError, match="31 bytes"):
        NodeIdentity.load_or_create(path)
    assert path.read_bytes() == b"x" * 31  # not replaced
