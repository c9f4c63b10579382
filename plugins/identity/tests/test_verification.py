"""Identity verification: the ``tonomy_identity_verifiers`` hook, the offline reviewer
through the CLI, credentials in the wallet, presentations verified against the chain, and
no attribute value in plaintext in chain storage, reviewer folder or keystore."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from credentials_net import CredNet

import tonomy_identity
from tonomy.cli import main
from tonomy.errors import CredentialError
from tonomy.plugin.verifiers import IdentityVerifier
from tonomy.testing.ledger import build_manager, seed
from tonomy.wallet import FLOOR, Keystore, generate_passphrase
from tonomy.wallet.credentials import CredentialStore
from tonomy.wallet.presentation import iso_time, verify_presentation

PIN = "482913"
# Canaries: values that must never appear in plaintext outside the wallet's sealed store.
EVIDENCE = {"given_name": "Zephyrine", "family_name": "Quattlebaum", "birthdate": "1987-03-14", "age_over_18": "yes"}


def test_identity_verifiers_hook_registers_the_reviewer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONOMY_REVIEW_DIR", str(tmp_path / "review"))
    pm = build_manager([tonomy_identity])
    found: list[Any] = []
    pm.hook.tonomy_identity_verifiers(register=found.append)
    assert [v.name for v in found] == ["reviewer"]
    verifier = found[0]
    assert isinstance(verifier, IdentityVerifier)
    assert not (tmp_path / "review").exists()  # nothing is created until a session starts
    session = verifier.start("did:tonomy:testnet:alice")
    assert session.state == "pending" and verifier.decision(session.session_id).state == "pending"
    verifier.submit(session.session_id, {"given_name": "Ada"})
    rejected = verifier.reject(session.session_id, "blurry photo")
    assert (rejected.state, rejected.reason, dict(rejected.attributes)) == ("rejected", "blurry photo", {})
    with pytest.raises(CredentialError):
        verifier.approve(session.session_id)  # decided once
    assert "Ada" not in (tmp_path / "review" / "sessions" / f"{session.session_id}.json").read_text()


def test_reviewer_refuses_hostile_input(tmp_path: Path) -> None:
    from tonomy_identity.credentials.reviewer import ReviewerVerifier

    verifier = ReviewerVerifier(tmp_path)
    session = verifier.start("did:tonomy:testnet:alice")
    for bad in ({"Bad Name": "x"}, {"a": "x" * 5000}, {f"k{i}": "v" for i in range(40)}, {"a": 5}):
        with pytest.raises(CredentialError):
            verifier.submit(session.session_id, bad)  # type: ignore[arg-type]
    for bad_id in ("../../etc/passwd", "0" * 32, 7):
        with pytest.raises(CredentialError):
            verifier.decision(bad_id)  # type: ignore[arg-type]
    with pytest.raises(CredentialError):
        verifier.approve(session.session_id)  # nothing submitted


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    keystore_path = tmp_path / "device"
    with Keystore(keystore_path).create_identity("alice", bytes(range(32)), generate_passphrase(), PIN,
                                                 kdf=FLOOR, pin_kdf=FLOOR) as unlocked:
        identity_id, active = unlocked.identity_id, unlocked.active_public_key
    net = CredNet(tmp_path / "chain", keys={"alice": active})
    net.ok("identity", "create_status_list", {"issuer": "issuer", "list_id": "main", "size": 1024}, "issuer")
    net.set_trusted("issuer")
    seed_file = tmp_path / "issuer.seed"
    seed_file.write_text(seed("issuer").hex())
    monkeypatch.setenv("TONOMY_PIN", PIN)
    monkeypatch.setenv("TONOMY_REVIEW_DIR", str(tmp_path / "review"))
    try:
        yield {"net": net, "keystore": keystore_path, "id": identity_id, "seed_file": seed_file, "tmp": tmp_path}
    finally:
        net.close()


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out.strip()


def _all_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_offline_verification_end_to_end(world: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    net: CredNet = world["net"]
    wallet = ["--keystore", str(world["keystore"]), "--identity", world["id"]]
    evidence = [arg for name, value in EVIDENCE.items() for arg in ("-e", f"{name}={value}")]
    session = _cli(capsys, "identity", "verify", "submit", *wallet, "--did", net.did("alice"), *evidence)
    pending = json.loads(_cli(capsys, "identity", "verify", "review"))
    assert [p["session_id"] for p in pending] == [session] and pending[0]["evidence"] == EVIDENCE
    approved = json.loads(_cli(capsys, "identity", "verify", "approve", session, "--issuer", net.did("issuer"),
                               "--issuer-seed-file", str(world["seed_file"]), "--status-size", "1024"))
    assert approved["status_index"] == 0
    assert json.loads(_cli(capsys, "identity", "verify", "review")) == []
    entry = _cli(capsys, "identity", "verify", "collect", session, *wallet)
    listed = json.loads(_cli(capsys, "wallet", "credentials", "list", *wallet))
    assert listed == [{"id": entry, "issuer": net.did("issuer"), "types": ["VerifiableCredential", "VerifiedAttributesCredential"],
                       "claims": sorted(EVIDENCE)}]
    text = _cli(capsys, "wallet", "credentials", "present", *wallet, "--did", net.did("alice"),
                "--challenge", "c-1", "--domain", "https://bar.example", entry, "age_over_18")
    assert "Zephyrine" not in text and "1987-03-14" not in text
    now = iso_time(int(time.time() * 1000) + 60_000)  # the CLI issues with the wall clock, as a verifier checks
    [verified] = verify_presentation(text, net.trust(), challenge="c-1", domain="https://bar.example", now=now)
    assert verified.claims == {"age_over_18": "yes"} and verified.subject == net.did("alice")

    # Revocation by the issuer on chain.
    net.ok("identity", "set_status", {"issuer": "issuer", "list_id": "main", "index": 0, "revoked": 1}, "issuer")
    with pytest.raises(CredentialError) as caught:
        verify_presentation(text, net.trust(), challenge="c-1", domain="https://bar.example", now=now)
    assert caught.value.code == "credential.revoked"

    # No attribute value in plaintext: chain storage (LMDB), reviewer folder, keystore.
    net.ledger.chain.close()
    for root in (world["tmp"] / "chain", world["tmp"] / "review", world["keystore"]):
        blob = _all_bytes(root)
        assert blob, root
        for value in ("Zephyrine", "Quattlebaum", "1987-03-14"):
            assert value.encode() not in blob, (value, root)
    net.ledger.reopen()


def test_wallet_store_is_sealed_per_identity(world: dict[str, Any]) -> None:
    from tonomy.errors import KeystoreTamperedError
    from tonomy.wallet.vc import SeedSigner, issue

    keystore = Keystore(world["keystore"])
    net: CredNet = world["net"]
    issued = issue(SeedSigner(f"{net.did('issuer')}#active-0", seed("issuer")), issuer=net.did("issuer"),
                   subject=net.did("alice"), types=["T"], claims={"nickname": "Zephyrine"}, valid_from=iso_time(0))
    with keystore.unlock_with_pin(world["id"], PIN) as unlocked:
        store = CredentialStore(keystore, unlocked)
        entry = store.add(issued)
        assert store.get(entry).issued == issued
        path = keystore.identity_dir(world["id"]) / "credentials.json"
        assert b"Zephyrine" not in path.read_bytes()
        raw = json.loads(path.read_text())
        raw["entries"][0]["id"] = "0" * 32  # an entry moved to another slot does not open
        path.write_text(json.dumps(raw))
        with pytest.raises(KeystoreTamperedError):
            store.list()


def test_wallet_store_bounds_and_corrupt_files(world: dict[str, Any]) -> None:
    from tonomy.errors import KeystoreCorruptError
    from tonomy.wallet.vc import SeedSigner, issue

    keystore = Keystore(world["keystore"])
    net: CredNet = world["net"]
    big = issue(SeedSigner(f"{net.did('issuer')}#active-0", seed("issuer")), issuer=net.did("issuer"),
                subject=net.did("alice"), types=["T"], claims={"blob": "x" * 20_000}, valid_from=iso_time(0))
    with keystore.unlock_with_pin(world["id"], PIN) as unlocked:
        store = CredentialStore(keystore, unlocked)
        with pytest.raises(CredentialError):
            store.add(big)
        assert store.list() == []
        path = keystore.identity_dir(world["id"]) / "credentials.json"
        for junk in (b"[]", b"{", b'{"format":"tonomy-wallet-credentials","version":1,"identity_id":"x","entries":[]}',
                     json.dumps({"format": "tonomy-wallet-credentials", "version": 1, "identity_id": world["id"],
                                 "entries": [{"id": "0" * 32, "sealed": {"nonce": "AA==", "ciphertext": "AA=="}}]}).encode()):
            path.write_bytes(junk)
            with pytest.raises(KeystoreCorruptError):
                store.list()


def test_collect_verifiers_refuses_a_second_provider_of_the_same_name(tmp_path: Path) -> None:
    from tonomy.errors import PluginConflictError
    from tonomy.plugin import PluginInfo, hookimpl
    from tonomy.plugin.verifiers import collect_verifiers
    from tonomy_identity.credentials.reviewer import ReviewerVerifier

    class Impostor:
        @hookimpl
        def tonomy_plugin_info(self) -> PluginInfo:
            return PluginInfo(name="impostor", version="0.1.0", protocol_min=1, protocol_max=1, description="dup")

        @hookimpl
        def tonomy_identity_verifiers(self, register: Any) -> None:
            register(ReviewerVerifier(tmp_path))

    assert list(collect_verifiers(build_manager([tonomy_identity]))) == ["reviewer"]
    with pytest.raises(PluginConflictError):
        collect_verifiers(build_manager([tonomy_identity, Impostor()]))

    class NotAVerifier(Impostor):
        @hookimpl
        def tonomy_identity_verifiers(self, register: Any) -> None:
            register(object())

    with pytest.raises(PluginConflictError):
        collect_verifiers(build_manager([NotAVerifier()]))
