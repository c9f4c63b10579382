"""Reviews and audits as verifiable credentials: bound on chain to the reviewer and the exact artifact,
verified by readers with the network's credential checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from marketnet import POLL_V1, Market
from tonomy_marketplace.client import verify_review
from tonomy_marketplace.reviews import subject_id

from tonomy.errors import TonomyError
from tonomy.testing.ledger import public_key, seed
from tonomy.wallet.vc import SeedSigner, add_proof

NOW = "2026-06-01T00:00:00Z"


class Trust:
    """The reviewer's keys as the chain holds them; dave is accredited, revocation bits as given."""

    def __init__(self, revoked: bool = False) -> None:
        self.revoked = revoked

    def keys_of(self, did: str, relationship: str) -> list[bytes]:
        return [public_key(did.rsplit(":", 1)[-1])]

    def is_trusted_issuer(self, did: str) -> bool:
        return did.endswith(":dave")

    def is_revoked(self, issuer: str, list_id: str, index: int) -> bool:
        return self.revoked


def credential(reviewer: str, artifact: bytes, kind: str = "AppAuditCredential", signer: str | None = None, **subject: Any) -> bytes:
    did = f"did:tonomy:testnet:{reviewer}"
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", kind],
        "issuer": did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": subject_id(artifact), "verdict": "no findings", "_sd": [], "_sd_alg": "sha-256", **subject},
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                             "statusListCredential": f"{did}/status/main", "statusListIndex": "7"},
    }
    signed = add_proof(document, SeedSigner(f"{did}#active-0", seed(signer or reviewer)), "assertionMethod", NOW)
    return json.dumps(signed).encode()


def attach(market: Market, reviewer: str, raw: bytes, kind: str = "audit") -> Any:
    return market.act("marketplace", "attach_review", {"app": "poll", "version": "1.0.0", "reviewer": reviewer, "kind": kind, "credential": raw}, reviewer)


def test_an_audit_attached_and_verified(market: Market) -> None:
    digest = market.publish(POLL_V1)
    assert attach(market, "dave", credential("dave", digest)).status == "executed"
    [review] = market.query("marketplace", "reviews", {"app": "poll", "version": "1.0.0"})
    assert (review["reviewer"], review["kind"]) == ("dave", "audit")
    verified = verify_review(review, Trust(), NOW)
    assert verified.issuer == "did:tonomy:testnet:dave" and verified.claims["verdict"] == "no findings"
    assert market.query("marketplace", "release", {"app": "poll", "version": "1.0.0"})["reviews"] == 1
    with pytest.raises(TonomyError) as revoked:
        verify_review(review, Trust(revoked=True), NOW)
    assert revoked.value.code.endswith("revoked")


def test_a_review_by_an_unaccredited_or_forged_issuer_does_not_verify(market: Market) -> None:
    digest = market.publish(POLL_V1)
    assert attach(market, "erin", credential("erin", digest)).status == "executed"  # on chain: erin's own opinion
    forged = credential("erin", digest, signer="alice")
    assert attach(market, "erin", forged).status == "executed"  # the chain keeps it; readers refuse it
    first, second = market.query("marketplace", "reviews", {"app": "poll", "version": "1.0.0"})
    with pytest.raises(TonomyError):
        verify_review(first, Trust(), NOW)
    with pytest.raises(TonomyError):
        verify_review(second, Trust(), NOW)


@pytest.mark.parametrize(
    "case",
    ["not json", "array", "wrong kind", "other issuer", "other artifact", "no proof", "bad kind"],
)
def test_malformed_reviews_are_refused_on_chain(market: Market, case: str) -> None:
    digest = market.publish(POLL_V1)
    good = json.loads(credential("dave", digest))
    raw = {
        "not json": b"{nope",
        "array": b"[]",
        "wrong kind": credential("dave", digest, kind="AppReviewCredential"),
        "other issuer": credential("erin", digest),
        "other artifact": credential("dave", bytes(32)),
        "no proof": json.dumps({k: v for k, v in good.items() if k != "proof"}).encode(),
        "bad kind": credential("dave", digest),
    }[case]
    receipt = attach(market, "dave", raw, kind="vetos" if case == "bad kind" else "audit")
    assert (receipt.status, receipt.error_code) == ("failed", "marketplace.invalid_credential")
    assert market.query("marketplace", "reviews", {"app": "poll", "version": "1.0.0"}) == []


def test_a_review_needs_the_reviewers_authority_and_a_release(market: Market) -> None:
    digest = market.publish(POLL_V1)
    receipt = market.act("marketplace", "attach_review", {"app": "poll", "version": "1.0.0", "reviewer": "dave", "kind": "audit", "credential": credential("dave", digest)}, "erin")
    assert receipt.error_code == "tx.missing_authorization"
    receipt = market.act("marketplace", "attach_review", {"app": "poll", "version": "9.9.9", "reviewer": "dave", "kind": "audit", "credential": credential("dave", digest)}, "dave")
    assert receipt.error_code == "marketplace.unknown_release"
