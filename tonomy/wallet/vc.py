"""Verifiable credentials (W3C VC Data Model 2.0) with Data Integrity ``eddsa-jcs-2022``
proofs, SD-JWT-style selective disclosure and holder-bound presentations.

docs/credentials.md is the specification; in short:

* **Proof** (``eddsa-jcs-2022``): ``hash = SHA-256(JCS(proof options + @context)) ‖
  SHA-256(JCS(document without proof))``, signed with Ed25519, ``proofValue`` =
  multibase base58btc of the signature.
* **Selective disclosure**: each hidden claim becomes a disclosure
  ``base64url(JCS([salt, name, value]))`` with a fresh 128-bit salt; the signed
  ``credentialSubject._sd`` lists the base64url SHA-256 digests (sorted, with decoys
  optional). The digest check runs in the native core (``_core.sd_match_disclosures``).
* **Presentation**: a ``VerifiablePresentation`` whose holder proof
  (``proofPurpose: authentication``) carries the verifier's ``challenge`` (nonce) and
  ``domain``; the revealed disclosures sit in ``selectiveDisclosures`` (one list per
  credential) and are covered by the holder's signature.

Everything chain-specific (whose keys a DID has, which issuers governance trusts, whether
a status bit is set) comes in through :class:`Trust`, so this module knows no plugin.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tonomy import _core
from tonomy.errors import CredentialError, TonomyError
from tonomy.wallet import jcs

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CRYPTOSUITE = "eddsa-jcs-2022"
SD_ALG = "sha-256"
SALT_BYTES = 16
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
#: Claims that are never hidden: they say what the credential is about.
RESERVED_CLAIMS = frozenset({"id", "_sd", "_sd_alg"})


def fail(reason: str, message: str) -> CredentialError:
    return CredentialError(message, code=f"credential.{reason}")


# --- encodings -------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if type(text) is not str or not text.isascii():
        raise fail("bad_disclosure", "not base64url text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise fail("bad_disclosure", "not base64url text") from None


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = _B58[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


def base58btc_decode(text: str) -> bytes:
    if type(text) is not str or len(text) > 128 or any(c not in _B58 for c in text):
        raise fail("bad_proof", "proofValue is not base58btc")
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


# --- Data Integrity eddsa-jcs-2022 -------------------------------------------------------


class Signer(Protocol):
    """Whoever signs: a verification method (``did#key``) and an Ed25519 signature."""

    @property
    def verification_method(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True)
class SeedSigner:
    """A signer from a raw 32-byte Ed25519 seed (an issuer service's key)."""

    verification_method: str
    seed: bytes

    def sign(self, message: bytes) -> bytes:
        return _core.ed25519_sign(self.seed, message)


@dataclass(frozen=True)
class CallableSigner:
    """A signer over a callable, e.g. ``UnlockedIdentity.sign_active`` of the wallet."""

    verification_method: str
    sign_fn: Callable[[bytes], bytes]

    def sign(self, message: bytes) -> bytes:
        return self.sign_fn(message)


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    config = dict(options)
    config.pop("proofValue", None)
    if "@context" in document:
        config["@context"] = document["@context"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return hashlib.sha256(jcs.canonicalize(config)).digest() + hashlib.sha256(jcs.canonicalize(unsecured)).digest()


def add_proof(document: dict[str, Any], signer: Signer, purpose: str, created: str, **extra: str) -> dict[str, Any]:
    """``document`` with a DataIntegrityProof by ``signer`` (``extra``: challenge, domain)."""
    options: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": signer.verification_method,
        "proofPurpose": purpose,
        **extra,
    }
    signature = signer.sign(_hash_data(document, options))
    return {**document, "proof": {**options, "proofValue": "z" + base58btc(signature)}}


def check_proof(
    document: dict[str, Any], purpose: str, signer_did: str, keys_of: Callable[[str, str], Sequence[bytes]]
) -> dict[str, Any]:
    """Verify that ``signer_did`` made ``document.proof``; return the proof.

    ``keys_of(did, relationship)`` gives the DID's Ed25519 keys for ``assertionMethod`` or
    ``authentication``; it is asked only about ``signer_did`` (the issuer or the holder the
    document names), never about a DID an attacker put in the proof.
    """
    proof = document.get("proof")
    if type(proof) is not dict:
        raise fail("bad_proof", "no proof object (one DataIntegrityProof expected)")
    for name, expected in (("type", "DataIntegrityProof"), ("cryptosuite", CRYPTOSUITE), ("proofPurpose", purpose)):
        if proof.get(name) != expected:
            raise fail("bad_proof", f"proof.{name} must be {expected!r}")
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if type(method) is not str or "#" not in method or type(value) is not str or not value.startswith("z"):
        raise fail("bad_proof", "proof needs a verificationMethod did#key and a base58btc proofValue")
    did = method.split("#", 1)[0]
    if did != signer_did:
        raise fail("bad_proof", f"the proof is by {did[:140]!r}, not by {signer_did[:140]!r}")
    signature = base58btc_decode(value[1:])
    message = _hash_data(document, proof)
    try:
        keys = keys_of(did, purpose)
    except CredentialError:
        raise
    except TonomyError as exc:  # unresolvable DID, another network, a lying node
        raise fail("unknown_issuer", f"cannot resolve the keys of {did[:140]!r}: {exc}") from None
    for key in keys:
        try:
            _core.ed25519_verify(key, message, signature)
        except (TonomyError, ValueError):
            continue
        return proof
    raise fail("bad_proof", f"the proof does not verify under any {purpose} key of {did}")


# --- issuing with selective disclosure -------------------------------------------------


def make_disclosure(name: str, value: Any, salt: bytes | None = None) -> str:
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    return b64url(jcs.canonicalize([b64url(salt), name, value]))


def disclosure_digest(disclosure: str) -> str:
    return b64url(_core.sd_disclosure_digest(disclosure.encode("ascii")))


@dataclass(frozen=True)
class IssuedCredential:
    """What an issuer hands the holder: the signed credential and every disclosure."""

    credential: dict[str, Any]
    disclosures: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"credential": self.credential, "disclosures": list(self.disclosures)}

    @classmethod
    def from_dict(cls, raw: Any) -> IssuedCredential:
        if type(raw) is not dict or set(raw) != {"credential", "disclosures"}:
            raise fail("malformed", "an issued credential is {credential, disclosures}")
        if type(raw["credential"]) is not dict or type(raw["disclosures"]) is not list:
            raise fail("malformed", "an issued credential is {credential, disclosures}")
        if not all(type(d) is str for d in raw["disclosures"]):
            raise fail("malformed", "disclosures are strings")
        return cls(raw["credential"], tuple(raw["disclosures"]))


def issue(
    signer: Signer,
    *,
    issuer: str,
    subject: str,
    types: Sequence[str],
    claims: dict[str, Any],
    valid_from: str,
    valid_until: str | None = None,
    status: dict[str, Any] | None = None,
    credential_id: str | None = None,
    decoys: int = 0,
) -> IssuedCredential:
    """Sign a credential whose every claim in ``claims`` is selectively disclosable."""
    disclosures = []
    for name in sorted(claims):
        if name in RESERVED_CLAIMS:
            raise fail("malformed", f"claim name {name!r} is reserved")
        disclosures.append(make_disclosure(name, claims[name]))
    digests = [disclosure_digest(d) for d in disclosures]
    digests += [b64url(hashlib.sha256(secrets.token_bytes(32)).digest()) for _ in range(decoys)]
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "type": ["VerifiableCredential", *types],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {"id": subject, "_sd": sorted(digests), "_sd_alg": SD_ALG},
    }
    if credential_id is not None:
        credential["id"] = credential_id
    if valid_until is not None:
        credential["validUntil"] = valid_until
    if status is not None:
        credential["credentialStatus"] = status
    jcs.canonicalize(credential)  # refuses anything outside the canonical subset early
    return IssuedCredential(add_proof(credential, signer, "assertionMethod", valid_from), tuple(disclosures))


def decode_disclosure(disclosure: str) -> tuple[str, Any]:
    """``(name, value)`` of a disclosure already matched to a signed digest."""
    item = jcs.parse(b64url_decode(disclosure))
    if type(item) is not list or len(item) != 3 or type(item[0]) is not str or type(item[1]) is not str:
        raise fail("bad_disclosure", "a disclosure is [salt, name, value]")
    if item[1] in RESERVED_CLAIMS:
        raise fail("bad_disclosure", f"a disclosure may not set {item[1]!r}")
    return item[1], item[2]


def reveal(credential: dict[str, Any], disclosures: Sequence[str]) -> dict[str, Any]:
    """The claims the given disclosures reveal, after checking the core says each is signed."""
    subject = credential.get("credentialSubject")
    if type(subject) is not dict or subject.get("_sd_alg") != SD_ALG or type(subject.get("_sd")) is not list:
        raise fail("malformed", "credentialSubject needs _sd (list) and _sd_alg sha-256")
    if not all(type(d) is str and d.isascii() for d in disclosures):
        raise fail("bad_disclosure", "disclosures are base64url strings")
    if not all(type(d) is str for d in subject["_sd"]):
        raise fail("malformed", "_sd lists base64url digests")
    try:
        digests = [b64url_decode(d) for d in subject["_sd"]]
        _core.sd_match_disclosures(digests, [d.encode("ascii") for d in disclosures])
    except CredentialError:
        raise
    except TonomyError as exc:
        raise fail("bad_disclosure", exc.message) from None
    revealed: dict[str, Any] = {k: v for k, v in subject.items() if k not in ("_sd", "_sd_alg")}
    for disclosure in disclosures:
        name, value = decode_disclosure(disclosure)
        if name in revealed:
            raise fail("bad_disclosure", f"claim {name!r} disclosed twice or clashes with a plain claim")
        revealed[name] = value
    return revealed
