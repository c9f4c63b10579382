"""Wallet test fixtures.

Argon2id at the floor (64 MiB, 3 passes) costs about 0.1 s a run, so identities
for the tests that exercise many operations are created once per module and the
keystore folder is copied for each test (a copy costs no derivation). Nothing
here ever goes below the floor: the floor is what is being tested.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tonomy.wallet import FLOOR, Keystore, generate_passphrase

NETWORK_ID = bytes(range(32))
PIN = "482913"


@dataclass(frozen=True)
class Person:
    username: str
    identity_id: str
    passphrase: str
    pin: str
    owner_public_key: bytes
    active_public_key: bytes
    x25519_public_key: bytes


@dataclass(frozen=True)
class Template:
    path: Path
    alice: Person
    bob: Person


def _create(keystore: Keystore, username: str, pin: str) -> Person:
    passphrase = generate_passphrase()
    with keystore.create_identity(username, NETWORK_ID, passphrase, pin, kdf=FLOOR, pin_kdf=FLOOR) as unlocked:
        return Person(
            username,
            unlocked.identity_id,
            passphrase,
            pin,
            unlocked.owner_public_key,
            unlocked.active_public_key,
            unlocked.x25519_public_key,
        )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """A device keystore with two identities (alice, bob) at the floor parameters, built once per module."""
    path = tmp_path_factory.mktemp("wallet-template") / "device"
    keystore = Keystore(path, device_name="template phone")
    return Template(path, _create(keystore, "alice", PIN), _create(keystore, "bob", "905172"))


@pytest.fixture
def device(template: Template, tmp_path: Path) -> tuple[Keystore, Template]:
    """A fresh copy of the template keystore for one test (same identities, same device)."""
    path = tmp_path / "device"
    shutil.copytree(template.path, path)
    return Keystore(path), Template(path, template.alice, template.bob)


def identity_dir(root: Path, identity_id: str) -> Path:
    return root / "identities" / identity_id
