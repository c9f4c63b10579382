"""Verifiable credentials end to end on a real chain: issue, present, verify, revoke,
trusted issuers set and removed by a real governance vote, hostile presentations."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from credentials_net import CredNet, trusted_chain

from tonomy.errors import CredentialError
from tonomy.testing.ledger import GENESIS_TIME_MS
from tonomy.wallet.presentation import iso_time, present, verify_presentation
from tonomy.wallet.vc import IssuedCredential, add_proof, b64url, issue, make_disclosure

CLAIMS = {"given_name": "Ada", "family_name": "Lovelace", "birthdate": "1815-12-10", "nationality": "GB", "age_over_18": True}
CHALLENGE = "n-0f3a9c"
DOMAIN = "https://shop.example"


@pytest.fixture
def net(tmp_path: Path) -> Iterator[CredNet]:
    yield from trusted_chain(tmp_path / "chain")


def _issue(net: CredNet, issuer: str = "issuer", index: int = 7, **kw: Any) -> IssuedCredential:
    status = {"id": f"{net.did(issuer)}/status/main#{index}", "type": "BitstringStatusListEntry",
              "statusPurpose": "revocation", "statusListIndex": str(index), "statusListCredential": f"{net.did(issuer)}/status/main"}
    return issue(net.signer(issuer), issuer=net.did(issuer), subject=net.did("alice"), types=["IdentityCredential"],
                 claims=CLAIMS, valid_from=iso_time(GENESIS_TIME_MS), status=status, **kw)


def _present(net: CredNet, issued: IssuedCredential, names: list[str], challenge: str = CHALLENGE, domain: str = DOMAIN) -> str:
    vp = present(net.signer("alice"), net.did("alice"), [(issued, names)], challenge=challenge, domain=domain,
                 created=iso_time(net.chain.head.time))
    return json.dumps(vp)


def _verify(net: CredNet, text: str | dict[str, Any], challenge: str = CHALLENGE, domain: str = DOMAIN) -> Any:
    return verify_presentation(text, net.trust(), challenge=challenge, domain=domain, now=iso_time(net.chain.head.time))


def _code(net: CredNet, text: Any, **kw: Any) -> str:
    with pytest.raises(CredentialError) as caught:
        _verify(net, text, **kw)
    return caught.value.code


def test_issue_present_verify_reveals_only_chosen_claims(net: CredNet) -> None:
    issued = _issue(net)
    text = _present(net, issued, ["age_over_18", "nationality"])
    [result] = _verify(net, text)
    assert result.issuer == net.did("issuer") and result.subject == net.did("alice")
    assert result.claims == {"age_over_18": True, "nationality": "GB"}
    # Undisclosed claims are nowhere in what the verifier received.
    for hidden in ("Ada", "Lovelace", "1815-12-10", "given_name", "birthdate"):
        assert hidden not in text


def test_tampered_disclosure_rejected(net: CredNet) -> None:
    issued = _issue(net)
    vp = json.loads(_present(net, issued, ["nationality"]))
    forged = make_disclosure("nationality", "FR")
    vp["selectiveDisclosures"][0] = [forged]
    assert _code(net, vp) == "credential.bad_proof"  # the holder's signature covers the disclosures
    # Even re-signed by the holder, a disclosure the issuer did not sign is refused by the core check.
    unsigned_vp = present(net.signer("alice"), net.did("alice"),
                          [(IssuedCredential(issued.credential, (forged,)), ["nationality"])],
                          challenge=CHALLENGE, domain=DOMAIN, created=iso_time(net.chain.head.time))
    assert _code(net, unsigned_vp) == "credential.bad_disclosure"


def test_tampered_signed_credential_rejected(net: CredNet) -> None:
    issued = _issue(net)
    credential = copy.deepcopy(issued.credential)
    credential["credentialSubject"]["id"] = net.did("bob")
    vp = present(net.signer("bob"), net.did("bob"), [(IssuedCredential(credential, issued.disclosures), ["nationality"])],
                 challenge=CHALLENGE, domain=DOMAIN, created=iso_time(net.chain.head.time))
    assert _code(net, vp) == "credential.bad_proof"


def test_duplicate_disclosure_rejected(net: CredNet) -> None:
    vp = json.loads(_present(net, _issue(net), ["nationality"]))
    vp["selectiveDisclosures"] = [vp["selectiveDisclosures"][0] * 2]
    del vp["proof"]
    resigned = add_proof(vp, net.signer("alice"), "authentication", iso_time(net.chain.head.time), challenge=CHALLENGE, domain=DOMAIN)
    assert _code(net, resigned) == "credential.bad_disclosure"


def test_presenting_a_missing_claim_is_refused(net: CredNet) -> None:
    with pytest.raises(CredentialError):
        _present(net, _issue(net), ["nationality", "shoe_size"])


def test_replay_to_other_nonce_or_domain_rejected(net: CredNet) -> None:
    text = _present(net, _issue(net), ["age_over_18"])
    assert _code(net, text, challenge="another-nonce") == "credential.wrong_nonce"
    assert _code(net, text, domain="https://evil.example") == "credential.wrong_domain"
    # Editing the challenge in the document breaks the holder's signature.
    vp = json.loads(text)
    vp["proof"]["challenge"] = "another-nonce"
    assert _code(net, vp, challenge="another-nonce") == "credential.bad_proof"


def test_presentation_by_someone_else_rejected(net: CredNet) -> None:
    issued = _issue(net)
    vp = present(net.signer("bob"), net.did("alice"), [(issued, ["age_over_18"])], challenge=CHALLENGE, domain=DOMAIN,
                 created=iso_time(net.chain.head.time))
    assert _code(net, vp) == "credential.bad_proof"
    stolen = present(net.signer("bob"), net.did("bob"), [(issued, ["age_over_18"])], challenge=CHALLENGE, domain=DOMAIN,
                     created=iso_time(net.chain.head.time))
    assert _code(net, stolen) == "credential.bad_proof"  # bob is not the subject


def test_revoked_credential_rejected_and_reinstated(net: CredNet) -> None:
    issued = _issue(net, index=42)
    other = _issue(net, index=43)
    text, other_text = _present(net, issued, ["nationality"]), _present(net, other, ["nationality"])
    _verify(net, text)
    net.ok("identity", "set_status", {"issuer": "issuer", "list_id": "main", "index": 42, "revoked": 1}, "issuer")
    assert _code(net, text) == "credential.revoked"
    _verify(net, other_text)  # its neighbour is untouched
    # Only the issuer changes its list.
    receipt = net.act("identity", "set_status", {"issuer": "issuer", "list_id": "main", "index": 42, "revoked": 0}, "rogue")
    assert receipt.status == "failed"
    net.ok("identity", "set_status", {"issuer": "issuer", "list_id": "main", "index": 42, "revoked": 0}, "issuer")
    _verify(net, text)


def test_status_list_refusals(net: CredNet) -> None:
    assert net.act("identity", "create_status_list", {"issuer": "issuer", "list_id": "main", "size": 64}, "issuer").error_code == "identity.status_exists"
    assert net.act("identity", "create_status_list", {"issuer": "issuer", "list_id": "odd", "size": 12}, "issuer").error_code == "identity.invalid_status"
    assert net.act("identity", "set_status", {"issuer": "issuer", "list_id": "main", "index": 5000, "revoked": 1}, "issuer").error_code == "identity.invalid_status"
    assert net.act("identity", "set_status", {"issuer": "issuer", "list_id": "none", "index": 1, "revoked": 1}, "issuer").error_code == "identity.not_found"


def test_untrusted_issuer_rejected(net: CredNet) -> None:
    net.ok("identity", "create_status_list", {"issuer": "rogue", "list_id": "main", "size": 64}, "rogue")
    text = _present(net, _issue(net, issuer="rogue", index=1), ["nationality"])
    assert _code(net, text) == "credential.untrusted_issuer"


def test_issuer_accredited_then_removed_by_governance(net: CredNet) -> None:
    text = _present(net, _issue(net), ["nationality"])
    _verify(net, text)
    assert net.chain.query("identity", "trusted_issuers", {}) == ["issuer"]
    net.set_trusted("rogue")  # a vote replaces the list: issuer is out
    assert net.chain.query("identity", "trusted_issuers", {}) == ["rogue"]
    assert _code(net, text) == "credential.untrusted_issuer"
    net.set_trusted("issuer", "rogue")
    _verify(net, text)


def test_only_governance_can_accredit(net: CredNet) -> None:
    # Neither the system account's key holders nor an issuer can write the parameter directly.
    receipt = net.act("governance", "set_parameter", {"plugin": "identity", "name": "trusted_issuers", "value": "rogue"}, "validator")
    assert receipt.status == "failed"
    receipt = net.act("governance", "set_parameter", {"plugin": "identity", "name": "trusted_issuers", "value": "rogue"}, "rogue")
    assert receipt.status == "failed"
    assert net.chain.query("identity", "trusted_issuers", {}) == ["issuer"]


def test_expired_credential_rejected(net: CredNet) -> None:
    issued = _issue(net, valid_until=iso_time(GENESIS_TIME_MS + 1000))
    assert _code(net, _present(net, issued, ["nationality"])) == "credential.expired"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        '{"type":["VerifiablePresentation"],"holder":"x","holder":"y"}',
        '{"type":["VerifiablePresentation"],"n":' + "9" * 500 + "}",
        '{"type":["VerifiablePresentation"],"n":1.5}',
        "not json",
        '{"type":["VerifiablePresentation"]}',
        '{"type":["VerifiablePresentation"],"holder":"did:tonomy:testnet:alice","verifiableCredential":[],"selectiveDisclosures":[]}',
    ],
)
def test_hostile_json_presentations(net: CredNet, text: str) -> None:
    assert _code(net, text) in {"credential.invalid_json", "credential.malformed"}


def test_non_canonical_json_still_verifies(net: CredNet) -> None:
    """JCS rebuilds the signed bytes: whitespace and member order in transit do not matter."""
    vp = json.loads(_present(net, _issue(net), ["nationality"]))
    reordered = json.dumps(dict(reversed(list(vp.items()))), indent=3)
    assert _verify(net, reordered)[0].claims == {"nationality": "GB"}


def test_hostile_disclosures(net: CredNet) -> None:
    issued = _issue(net)
    for junk in ["", "!!!", "A" * 20000, b64url(b"[" * 100), b64url(b'["s","id","did:tonomy:testnet:bob"]')]:
        vp = present(net.signer("alice"), net.did("alice"), [(issued, [])], challenge=CHALLENGE, domain=DOMAIN,
                     created=iso_time(net.chain.head.time))
        vp["selectiveDisclosures"] = [[junk]]
        del vp["proof"]
        resigned = add_proof(vp, net.signer("alice"), "authentication", iso_time(net.chain.head.time), challenge=CHALLENGE, domain=DOMAIN)
        assert _code(net, resigned) == "credential.bad_disclosure"


def test_hostile_proofs(net: CredNet) -> None:
    vp = json.loads(_present(net, _issue(net), ["nationality"]))
    cases = [
        ("verificationMethod", "did:evil:x#k", "credential.bad_proof"),
        ("verificationMethod", "did:tonomy:testnet:nobody#active-0", "credential.bad_proof"),
        ("proofValue", "z" + "1" * 5000, "credential.bad_proof"),
        ("proofValue", "zI0O", "credential.bad_proof"),
        ("proofValue", 5, "credential.bad_proof"),
        ("cryptosuite", "eddsa-rdfc-2022", "credential.bad_proof"),
    ]
    for name, value, code in cases:
        forged = copy.deepcopy(vp)
        forged["proof"][name] = value
        assert _code(net, forged) == code, (name, value)
    for holder in ("did:evil:x", "did:tonomy:othernet:alice", "did:tonomy:testnet:nobody"):
        forged = copy.deepcopy(vp)
        forged["holder"] = holder
        forged["proof"]["verificationMethod"] = holder + "#active-0"
        assert _code(net, forged) == "credential.unknown_issuer", holder
    forged = copy.deepcopy(vp)
    forged["verifiableCredential"][0]["credentialSubject"]["_sd"] = [1, 2]
    assert _code(net, forged) in {"credential.bad_proof", "credential.malformed"}


def test_trusted_issuer_value_parsing() -> None:
    from tonomy_identity.credentials.issuers import parse, render

    assert parse("issuer,rogue") == {"issuer", "rogue"}
    assert parse("issuer,,BAD NAME,x,../etc,rogue") == {"issuer", "rogue"}  # malformed entries only shrink the set
    assert parse(5) == frozenset() and parse("") == frozenset()
    assert render({"rogue", "issuer"}) == "issuer,rogue"


def test_status_bit_order_is_msb_first(net: CredNet) -> None:
    from tonomy_identity.credentials.status import bit

    net.ok("identity", "set_status", {"issuer": "issuer", "list_id": "main", "index": 9, "revoked": 1}, "issuer")
    record = net.chain.query("identity", "status_list", {"issuer": "issuer", "list_id": "main"})
    assert record["bits"][:2] == bytes([0, 0b0100_0000]) and bit(record, 9) and not bit(record, 8)
    with pytest.raises(IndexError):
        bit(record, 1024)


def test_replay_to_the_same_verifier_rejected(net: CredNet) -> None:
    from tonomy.wallet.presentation import Challenges

    book = Challenges(ttl_ms=60_000)
    now = net.chain.head.time
    challenge = book.new(now)
    text = _present(net, _issue(net), ["nationality"], challenge=challenge)
    assert book.verify(text, net.trust(), challenge=challenge, domain=DOMAIN, now_ms=now)[0].claims == {"nationality": "GB"}
    with pytest.raises(CredentialError) as caught:
        book.verify(text, net.trust(), challenge=challenge, domain=DOMAIN, now_ms=now)
    assert caught.value.code == "credential.wrong_nonce"
    late = book.new(now)
    with pytest.raises(CredentialError):
        book.consume(late, now + 60_000)  # expired
    with pytest.raises(CredentialError):
        book.consume("never-issued", now)
