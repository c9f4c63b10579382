"""Reviews and audits of a release, attached as W3C verifiable credentials.

``attach_review {app, version, reviewer, kind, credential}`` (authority: reviewer)
stores the credential's JSON bytes after checking, on chain, that it is a credential
*by the reviewer* *about this exact artifact*:

* ``type`` lists ``VerifiableCredential`` and ``AppReviewCredential`` (kind ``review``)
  or ``AppAuditCredential`` (kind ``audit``);
* ``issuer`` is the reviewer's DID ``did:tonomy:<network>:<reviewer>``;
* ``credentialSubject.id`` is ``urn:tonomy:artifact:<BLAKE3 hex>`` of the release;
* it carries a ``DataIntegrityProof`` object.

The proof itself (the issuer's key at the issuer's DID, the issuer's accreditation,
the revocation status list) is checked by readers with the identity plugin's
credential checks (``tonomy_marketplace.client.verify_review``), exactly as any other
credential of the network is: a credential whose issuer later revokes it stops
verifying without the chain having to change.
"""

from __future__ import annotations

import json
from typing import Any

from tonomy.plugin import Field, RecordSchema, decode_record

from tonomy_marketplace import errors
from tonomy_marketplace.artifacts import account_field
from tonomy_marketplace.errors import fail
from tonomy_marketplace.layout import release_key, review_key, review_prefix
from tonomy_marketplace.releases import app_field, get_release, version_field

MAX_CREDENTIAL_BYTES = 16 * 1024
MAX_REVIEWS = 64
KINDS = {"review": "AppReviewCredential", "audit": "AppAuditCredential"}

ATTACH = RecordSchema(
    (
        app_field(),
        version_field(),
        account_field("reviewer"),
        Field("kind", str, minimum=5, maximum=5, description="review or audit"),
        Field("credential", bytes, minimum=2, maximum=MAX_CREDENTIAL_BYTES, description="the credential's JSON"),
    )
)
LIST = RecordSchema((app_field(), version_field()))


def subject_id(artifact: bytes) -> str:
    """What a review credential's ``credentialSubject.id`` names: the exact package."""
    return f"urn:tonomy:artifact:{artifact.hex()}"


def check_credential(raw: bytes, reviewer: str, kind: str, artifact: bytes) -> str | None:
    """Why the credential cannot be a ``kind`` by ``reviewer`` about ``artifact``; None when it can."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return "the credential is not JSON"
    if not isinstance(document, dict):
        return "the credential is not a JSON object"
    types = document.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types or KINDS[kind] not in types:
        return f"type must list VerifiableCredential and {KINDS[kind]}"
    issuer = document.get("issuer")
    if not isinstance(issuer, str) or not issuer.startswith("did:tonomy:") or issuer.rsplit(":", 1)[-1] != reviewer:
        return f"the issuer must be the reviewer's DID (did:tonomy:<network>:{reviewer})"
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("id") != subject_id(artifact):
        return f"credentialSubject.id must be {subject_id(artifact)}"
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("type") != "DataIntegrityProof":
        return "the credential carries no DataIntegrityProof"
    return None


def attach_review(ctx: Any, data: Any) -> None:
    app, version, reviewer, kind = data["app"], data["version"], data["reviewer"], data["kind"]
    ctx.require_auth(reviewer)
    if kind not in KINDS:
        fail(ctx, errors.INVALID_CREDENTIAL, "kind is review or audit")
    record = get_release(ctx, app, version)
    problem = check_credential(data["credential"], reviewer, kind, record["artifact"])
    if problem is not None:
        fail(ctx, errors.INVALID_CREDENTIAL, problem)
    if record["reviews"] >= MAX_REVIEWS:
        fail(ctx, errors.TOO_MANY_REVIEWS, f"{app} {version} already has {MAX_REVIEWS} reviews")
    record["reviews"] += 1
    ctx.state.put_record(review_key(app, version, record["reviews"]), {
        "reviewer": reviewer, "kind": kind, "credential": data["credential"], "height": ctx.height,
    })
    ctx.state.put_record(release_key(app, version), record)
    ctx.emit("reviewed", {"app": app, "version": version, "reviewer": reviewer, "kind": kind})


def query_reviews(ctx: Any, params: Any) -> Any:
    prefix = review_prefix(params["app"], params["version"])
    return [dict(decode_record(raw)) for _, raw in ctx.state.items(prefix, prefix[:-1] + b"0")]
