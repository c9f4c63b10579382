"""The wallet's credentials: issued credentials kept sealed beside the identity.

``identities/<id>/credentials.json`` holds one entry per credential, each the JSON of
an :class:`~tonomy.wallet.vc.IssuedCredential` (the signed credential and *all* its
disclosures) sealed with XChaCha20-Poly1305 under a key derived from the identity's
vault key, with the identity id, the purpose and the entry id bound as associated
data. Nothing about a credential (issuer, type, claims) is readable without unlocking
the identity, and an entry moved to another identity or slot fails authentication.

Presenting (:meth:`CredentialStore.present`) reveals only the chosen claims, signed
by the identity's active key for one verifier's nonce and domain.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonomy import _core
from tonomy.errors import CredentialError, KeystoreCorruptError
from tonomy.wallet import fields, jcs
from tonomy.wallet.files import read_json, write_json
from tonomy.wallet.keystore import Keystore
from tonomy.wallet.presentation import present
from tonomy.wallet.sealing import NONCE_BYTES, TAG_BYTES, SealContext, Sealed, open_sealed, seal
from tonomy.wallet.unlocked import UnlockedIdentity
from tonomy.wallet.vc import CallableSigner, IssuedCredential, b64url_decode, decode_disclosure

FILE = "credentials.json"
FORMAT = "tonomy-wallet-credentials"
VERSION = 1
#: Bounds that keep credentials.json under the keystore's 1 MiB file limit (base64 adds a third).
MAX_ENTRIES = 40
MAX_CREDENTIAL_BYTES = 16 * 1024
_KEY_TAG = "tonomy/wallet/credentials-key/v1"


@dataclass(frozen=True)
class StoredCredential:
    entry_id: str
    issued: IssuedCredential

    @property
    def issuer(self) -> str:
        return str(self.issued.credential.get("issuer"))

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self.issued.credential.get("type", ()))

    def claim_names(self) -> list[str]:
        return sorted(decode_disclosure(d)[0] for d in self.issued.disclosures)


def _entry_context(identity_id: str, entry_id: str) -> SealContext:
    return SealContext(VERSION, identity_id, f"credential/{entry_id}")


def _sealed_from(raw: Any, what: str) -> Sealed:
    if type(raw) is not dict or set(raw) != {"nonce", "ciphertext"}:
        raise KeystoreCorruptError(f"{what} must be an object with nonce and ciphertext")
    nonce = b64url_decode_strict(raw["nonce"], what)
    ciphertext = b64url_decode_strict(raw["ciphertext"], what)
    if len(nonce) != NONCE_BYTES or not TAG_BYTES <= len(ciphertext) <= TAG_BYTES + MAX_CREDENTIAL_BYTES:
        raise KeystoreCorruptError(f"{what} has impossible sizes")
    return Sealed(nonce, ciphertext)


def b64url_decode_strict(value: Any, what: str) -> bytes:
    import base64
    import binascii

    if type(value) is not str or len(value) > 2 * MAX_CREDENTIAL_BYTES:
        raise KeystoreCorruptError(f"{what} must be base64")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeystoreCorruptError(f"{what} is not valid base64") from None


class CredentialStore:
    """Credentials of one unlocked identity."""

    def __init__(self, keystore: Keystore, unlocked: UnlockedIdentity) -> None:
        self._unlocked = unlocked
        self._identity_id = unlocked.identity_id
        self._path: Path = keystore.identity_dir(self._identity_id) / FILE
        self._key = _core.hash_tagged(_KEY_TAG, unlocked.vault_key())

    def _read(self) -> list[dict[str, Any]]:
        try:
            raw = read_json(self._path)
        except FileNotFoundError:
            return []
        fields.check_header(raw, FORMAT, VERSION, FILE)
        raw = fields.require_keys(raw, FILE, {"format", "version", "identity_id", "entries"})
        if raw["identity_id"] != self._identity_id:
            raise KeystoreCorruptError(f"{FILE} belongs to another identity")
        return fields.array(raw["entries"], f"{FILE}.entries", MAX_ENTRIES)

    def _write(self, entries: list[dict[str, Any]]) -> None:
        write_json(self._path, {"format": FORMAT, "version": VERSION, "identity_id": self._identity_id, "entries": entries})

    def add(self, issued: IssuedCredential) -> str:
        """Seal and store a credential; returns its entry id."""
        plaintext = jcs.canonicalize(issued.to_dict())
        if len(plaintext) > MAX_CREDENTIAL_BYTES:
            raise CredentialError("credential too large for the wallet", code="credential.malformed")
        entries = self._read()
        if len(entries) >= MAX_ENTRIES:
            raise CredentialError(f"the wallet holds at most {MAX_ENTRIES} credentials", code="credential.malformed")
        entry_id = secrets.token_hex(16)
        sealed = seal(self._key, plaintext, _entry_context(self._identity_id, entry_id))
        entries.append({"id": entry_id, "sealed": sealed.to_dict()})
        self._write(entries)
        return entry_id

    def list(self) -> list[StoredCredential]:
        out = []
        for index, entry in enumerate(self._read()):
            what = f"{FILE}.entries[{index}]"
            entry = fields.require_keys(entry, what, {"id", "sealed"})
            entry_id = fields.hex_id(entry["id"], 16, f"{what}.id")
            plaintext = open_sealed(self._key, _sealed_from(entry["sealed"], what), _entry_context(self._identity_id, entry_id))
            out.append(StoredCredential(entry_id, IssuedCredential.from_dict(jcs.parse(plaintext))))
        return out

    def get(self, entry_id: str) -> StoredCredential:
        for stored in self.list():
            if stored.entry_id == entry_id:
                return stored
        raise CredentialError(f"no credential {entry_id[:40]!r} in this wallet", code="credential.not_found")

    def remove(self, entry_id: str) -> None:
        entries = self._read()
        kept = [e for e in entries if type(e) is dict and e.get("id") != entry_id]
        if len(kept) == len(entries):
            raise CredentialError(f"no credential {entry_id[:40]!r} in this wallet", code="credential.not_found")
        self._write(kept)

    def present(
        self, holder_did: str, chosen: Sequence[tuple[str, Sequence[str]]], *, challenge: str, domain: str, created: str
    ) -> dict[str, Any]:
        """A presentation of ``[(entry_id, claim names)]`` for one verifier, signed by the active key."""
        signer = CallableSigner(f"{holder_did}#active-0", self._unlocked.sign_active)
        picked = [(self.get(entry_id).issued, names) for entry_id, names in chosen]
        return present(signer, holder_did, picked, challenge=challenge, domain=domain, created=created)


def dumps(document: dict[str, Any]) -> str:
    """A presentation or credential as compact JSON text (what travels to a verifier)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
