"""Sharing records with an app's login session, and revoking it (re-keyed: the app loses access)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tonomy.errors import TonomyError
from tonomy.vault import Vault
from tonomy.vault.app_share import (
    record_scope,
    records_in_scopes,
    revoke_app,
    session_x25519_public,
    session_x25519_secret,
    share_on_consent,
)
from tonomy.wallet.kdf import FLOOR

from tonomy_identity.crypto import public_key


def session_for(scopes: list[str], *, revoked: bool = False, expires_ms: int = 10**15) -> tuple[bytes, dict[str, Any]]:
    seed = os.urandom(32)
    return seed, {"session_key": public_key(seed), "scopes": scopes, "revoked": revoked, "expires_ms": expires_ms}


def test_scopes_name_records() -> None:
    rid = os.urandom(16)
    assert records_in_scopes([record_scope(rid), "pay.transfer", "vault.read_zz", record_scope(rid)]) == [rid]
    other = os.urandom(16)
    assert records_in_scopes(["vault.read_medical", "vault.read_diary"], {"medical": other}) == [other]
    assert records_in_scopes(["vault.read_medical", "vault.write_" + rid.hex(), "vault.read_" + rid.hex()[:31]]) == []
    with pytest.raises(TonomyError):
        record_scope(b"short")
    with pytest.raises(TonomyError):
        session_x25519_public(b"\x00" * 31)


def test_an_app_reads_what_the_login_named_and_loses_it_when_revoked(world: Any) -> None:
    alice = world.people["alice"]
    vault = Vault.create(world.server, world.directory, "alice", kek=alice.kek, x25519_secret=alice.secret, kdf=FLOOR)
    shared = vault.create_record({"note": b"for the app"})
    private = vault.create_record({"note": b"not for the app"})
    vault.share(shared, "bob")
    seed, session = session_for([record_scope(shared), "identity.set_service"])
    assert share_on_consent(vault, world.directory, "erin", session, now_ms=1) == [shared]
    app = Vault.reader(world.server, world.directory, "erin", session_x25519_secret(seed))
    assert app.read("alice", shared, "note") == b"for the app"
    with pytest.raises(TonomyError) as info:
        app.read("alice", private, "note")
    assert info.value.code == "vault.no_access"
    # Another session's seed (another app instance, an attacker) cannot open the grant.
    with pytest.raises(TonomyError):
        Vault.reader(world.server, world.directory, "erin", session_x25519_secret(os.urandom(32))).read("alice", shared, "note")
    revoke_app(vault, "erin", [shared])
    vault.write(shared, "note", b"after the revocation")
    with pytest.raises(TonomyError) as info:
        app.read("alice", shared, "note")
    assert info.value.code == "vault.no_access"
    bob = Vault.reader(world.server, world.directory, "bob", world.people["bob"].secret)
    assert bob.read("alice", shared, "note") == b"after the revocation"  # other readers keep access


def test_a_revoked_or_expired_session_gets_nothing(world: Any) -> None:
    alice = world.people["alice"]
    vault = Vault.create(world.server, world.directory, "alice", kek=alice.kek, x25519_secret=alice.secret, kdf=FLOOR)
    rid = vault.create_record({"note": b"x"})
    for session in (session_for([record_scope(rid)], revoked=True)[1], session_for([record_scope(rid)], expires_ms=5)[1]):
        with pytest.raises(TonomyError):
            share_on_consent(vault, world.directory, "erin", session, now_ms=10)
    assert vault.readers(rid) == [] or "erin" not in vault.readers(rid)
