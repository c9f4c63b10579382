"""Presentations bound to one verifier (nonce + domain) and their verification.

The holder builds a ``VerifiablePresentation`` revealing chosen claims of chosen
credentials, and signs it (``proofPurpose: authentication``) with the verifier's
``challenge`` and ``domain`` inside the proof options, so the signature covers them: a
presentation replayed to another verifier or for another nonce fails.

The verifier checks, for every credential: the issuer's proof (``assertionMethod`` key
of the issuer's DID), that governance trusts the issuer, validity period, the revocation
bit of its status entry, that the holder is the subject, and the disclosures (native
digest check). What it returns holds only the revealed claims.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tonomy.errors import CredentialError
from tonomy.wallet import jcs
from tonomy.wallet.vc import VC_CONTEXT, IssuedCredential, Signer, add_proof, check_proof, decode_disclosure, fail, reveal

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MAX_CREDENTIALS = 16
STATUS_TYPE = "BitstringStatusListEntry"


def iso_time(ms: int) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds) of a time in ms: the one form we sign."""
    return datetime.datetime.fromtimestamp(ms // 1000, tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(value: Any, what: str) -> str:
    if type(value) is not str or not _DATETIME.match(value):
        raise fail("malformed", f"{what} must be YYYY-MM-DDTHH:MM:SSZ")
    return value


class Trust(Protocol):
    """What the verifier believes about the chain (normally read with Merkle proofs)."""

    def keys_of(self, did: str, relationship: str) -> Sequence[bytes]:
        """Ed25519 keys of ``did`` for ``assertionMethod`` or ``authentication``."""

    def is_trusted_issuer(self, did: str) -> bool:
        """Whether governance currently accredits ``did`` as an issuer."""

    def is_revoked(self, issuer: str, list_id: str, index: int) -> bool:
        """The issuer's revocation bit ``index`` of status list ``list_id``."""


@dataclass(frozen=True)
class VerifiedCredential:
    issuer: str
    subject: str
    types: tuple[str, ...]
    claims: dict[str, Any]


def present(
    holder: Signer,
    holder_did: str,
    chosen: Sequence[tuple[IssuedCredential, Sequence[str]]],
    *,
    challenge: str,
    domain: str,
    created: str,
) -> dict[str, Any]:
    """A presentation revealing, per credential, only the claims named."""
    credentials, disclosures = [], []
    for issued, names in chosen:
        wanted = set(names)
        picked, found = [], set()
        for disclosure in issued.disclosures:
            name = decode_disclosure(disclosure)[0]
            if name in wanted:
                picked.append(disclosure)
                found.add(name)
        if found != wanted:
            raise fail("malformed", f"the credential has no claim {', '.join(sorted(wanted - found))}")
        credentials.append(issued.credential)
        disclosures.append(picked)
    document = {
        "@context": [VC_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": holder_did,
        "verifiableCredential": credentials,
        "selectiveDisclosures": disclosures,
    }
    return add_proof(document, holder, "authentication", created, challenge=challenge, domain=domain)


def _check_status(credential: dict[str, Any], issuer: str, trust: Trust) -> None:
    status = credential.get("credentialStatus")
    if status is None:
        return
    if type(status) is not dict or status.get("type") != STATUS_TYPE or status.get("statusPurpose") != "revocation":
        raise fail("malformed", "credentialStatus must be a revocation BitstringStatusListEntry")
    list_id, index = status.get("statusListCredential"), status.get("statusListIndex")
    if type(list_id) is not str or type(index) is not str or not index.isdigit() or len(index) > 9:
        raise fail("malformed", "credentialStatus needs statusListCredential and a decimal statusListIndex")
    prefix = f"{issuer}/status/"
    if not list_id.startswith(prefix):
        raise fail("malformed", "the status list must be the issuer's own")
    if trust.is_revoked(issuer, list_id[len(prefix):], int(index)):
        raise fail("revoked", f"the issuer revoked this credential ({list_id} #{index})")


def verify_credential(credential: Any, disclosures: Any, trust: Trust, now: str) -> VerifiedCredential:
    if type(credential) is not dict or type(disclosures) is not list:
        raise fail("malformed", "a credential is an object with a list of disclosures")
    context = credential.get("@context")
    if type(context) is not list or not context or context[0] != VC_CONTEXT:
        raise fail("malformed", f"@context must start with {VC_CONTEXT}")
    types = credential.get("type")
    if type(types) is not list or "VerifiableCredential" not in types or not all(type(t) is str for t in types):
        raise fail("malformed", "type must list VerifiableCredential")
    issuer = credential.get("issuer")
    if type(issuer) is not str:
        raise fail("malformed", "issuer must be a DID string")
    check_proof(credential, "assertionMethod", issuer, trust.keys_of)
    if not trust.is_trusted_issuer(issuer):
        raise fail("untrusted_issuer", f"{issuer} is not accredited by governance")
    if _time(credential.get("validFrom"), "validFrom") > now:
        raise fail("expired", "the credential is not valid yet")
    if "validUntil" in credential and _time(credential["validUntil"], "validUntil") <= now:
        raise fail("expired", "the credential has expired")
    _check_status(credential, issuer, trust)
    claims = reveal(credential, disclosures)
    subject = claims.pop("id", None)
    if type(subject) is not str:
        raise fail("malformed", "credentialSubject.id must be the holder's DID")
    return VerifiedCredential(issuer, subject, tuple(types), claims)


def verify_presentation(
    presentation: bytes | str | dict[str, Any], trust: Trust, *, challenge: str, domain: str, now: str
) -> list[VerifiedCredential]:
    """Every credential of a presentation made for this verifier, with its revealed claims.

    ``presentation`` may be untrusted JSON text (parsed strictly, see :mod:`jcs`).
    Raises ``credential.<reason>`` on the first failed check.
    """
    _time(now, "now")
    document = jcs.parse(presentation) if isinstance(presentation, bytes | str) else presentation
    if type(document) is not dict or document.get("type") != ["VerifiablePresentation"]:
        raise fail("malformed", "not a VerifiablePresentation")
    holder = document.get("holder")
    credentials = document.get("verifiableCredential")
    disclosures = document.get("selectiveDisclosures")
    if type(holder) is not str or type(credentials) is not list or type(disclosures) is not list:
        raise fail("malformed", "a presentation needs holder, verifiableCredential and selectiveDisclosures")
    if not 1 <= len(credentials) <= MAX_CREDENTIALS or len(disclosures) != len(credentials):
        raise fail("malformed", f"1–{MAX_CREDENTIALS} credentials, one disclosure list each")
    proof = check_proof(document, "authentication", holder, trust.keys_of)
    if proof.get("challenge") != challenge:
        raise fail("wrong_nonce", "the presentation was made for another challenge")
    if proof.get("domain") != domain:
        raise fail("wrong_domain", "the presentation was made for another verifier")
    verified = []
    for credential, revealed in zip(credentials, disclosures, strict=True):
        result = verify_credential(credential, revealed, trust, now)
        if result.subject != holder:
            raise fail("bad_proof", "the holder is not the credential's subject")
        verified.append(result)
    return verified


class Challenges:
    """A verifier's single-use challenges: issue one per request, accept each once, in time.

    ``verify_presentation`` only compares the challenge; this book is what stops a replay
    of a presentation to the *same* verifier. Bounded: the oldest pending challenges are
    dropped past ``capacity``.
    """

    def __init__(self, ttl_ms: int = 5 * 60_000, capacity: int = 10_000) -> None:
        self.ttl_ms = ttl_ms
        self.capacity = capacity
        self._pending: dict[str, int] = {}

    def new(self, now_ms: int) -> str:
        challenge = secrets.token_urlsafe(24)
        self._pending[challenge] = now_ms + self.ttl_ms
        while len(self._pending) > self.capacity:
            self._pending.pop(next(iter(self._pending)))
        return challenge

    def consume(self, challenge: str, now_ms: int) -> None:
        """Accept ``challenge`` once (``credential.wrong_nonce`` if unknown, used or expired)."""
        expires = self._pending.pop(challenge, None) if type(challenge) is str else None
        if expires is None or now_ms >= expires:
            raise fail("wrong_nonce", "unknown, used or expired challenge")

    def verify(self, presentation: bytes | str | dict[str, Any], trust: Trust, *, challenge: str, domain: str,
               now_ms: int) -> list[VerifiedCredential]:
        """Consume ``challenge`` and verify a presentation made for it."""
        self.consume(challenge, now_ms)
        return verify_presentation(presentation, trust, challenge=challenge, domain=domain, now=iso_time(now_ms))


__all__ = [
    "Challenges","CredentialError", "Trust", "VerifiedCredential", "iso_time", "present", "verify_credential", "verify_presentation"]
