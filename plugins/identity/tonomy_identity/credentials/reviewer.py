"""The built-in, offline identity verifier: a person reviews submitted evidence.

It implements :class:`tonomy.plugin.verifiers.IdentityVerifier` over a private folder
(``0700``, files ``0600``) on the reviewer's machine::

    <root>/sessions/<id>.json   subject, state, evidence (until decided), holder X25519 key
    <root>/outbox/<id>.sealed   the issued credential, sealed to the holder's X25519 key
    <root>/status.json          next free index of the issuer's revocation list

Evidence is personal data: it never goes on chain and is wiped from the session as soon
as the reviewer decides (a BLAKE3 digest of it stays, so the decision can be audited
against evidence the subject still holds). Approved attributes live only until the
credential is issued; the issued credential is sealed (X25519 sealed box) to the key the
holder's wallet gave at submission, so the outbox holds no readable attribute either.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nacl.public import PublicKey, SealedBox

from tonomy import _core
from tonomy.errors import CredentialError
from tonomy.plugin.verifiers import VerificationDecision, VerificationSession
from tonomy.wallet import jcs
from tonomy.wallet.files import ensure_private_dir, read_json, remove_file, write_atomic, write_json

NAME = "reviewer"
ATTRIBUTE = re.compile(r"[a-z][a-z0-9_]{0,31}")
SESSION_ID = re.compile(r"[0-9a-f]{32}")
MAX_EVIDENCE_ITEMS = 32
MAX_VALUE = 4096
EVIDENCE_TAG = "tonomy/identity/review-evidence/v1"


def _fail(message: str, reason: str = "malformed") -> CredentialError:
    return CredentialError(message, code=f"credential.{reason}")


def check_attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    if len(values) > MAX_EVIDENCE_ITEMS:
        raise _fail(f"at most {MAX_EVIDENCE_ITEMS} items")
    out = {}
    for name, value in values.items():
        if type(name) is not str or not ATTRIBUTE.fullmatch(name):
            raise _fail(f"{str(name)[:40]!r} is not an attribute name (a-z, 0-9, _)")
        if type(value) is not str or len(value) > MAX_VALUE:
            raise _fail(f"{name}: values are text of at most {MAX_VALUE} characters")
        out[name] = value
    return out


class ReviewerVerifier:
    """Sessions in a folder; decisions by a person through ``tonomy identity verify``."""

    name = NAME
    attributes: tuple[str, ...] = ()  # whatever the reviewer confirms

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # --- files ------------------------------------------------------------------------

    def _dirs(self) -> tuple[Path, Path]:
        ensure_private_dir(self.root)
        return ensure_private_dir(self.root / "sessions"), ensure_private_dir(self.root / "outbox")

    def _path(self, session_id: str) -> Path:
        if type(session_id) is not str or not SESSION_ID.fullmatch(session_id):
            raise _fail(f"{str(session_id)[:40]!r} is not a session id", "not_found")
        return self._dirs()[0] / f"{session_id}.json"

    def _load(self, session_id: str) -> dict[str, Any]:
        try:
            return read_json(self._path(session_id))
        except FileNotFoundError:
            raise _fail(f"no session {session_id}", "not_found") from None

    def _save(self, record: dict[str, Any]) -> None:
        write_json(self._path(record["session_id"]), record)

    @staticmethod
    def _view(record: dict[str, Any]) -> VerificationSession:
        return VerificationSession(record["session_id"], record["subject"], record["state"],
                                   "submit evidence, then wait for a reviewer's decision")

    # --- IdentityVerifier ---------------------------------------------------------------

    def start(self, subject: str, holder_key: bytes | None = None) -> VerificationSession:
        if type(subject) is not str or not subject.startswith("did:") or len(subject) > 128:
            raise _fail("the subject is a DID")
        if holder_key is not None and len(holder_key) != 32:
            raise _fail("the holder key is a 32-byte X25519 public key")
        record = {"session_id": secrets.token_hex(16), "subject": subject, "state": "pending", "evidence": {},
                  "evidence_digest": "", "holder_key": holder_key.hex() if holder_key else "", "attributes": {},
                  "reason": "", "issued": False}
        self._save(record)
        return self._view(record)

    def submit(self, session_id: str, evidence: Mapping[str, str]) -> VerificationSession:
        record = self._load(session_id)
        if record["state"] != "pending":
            raise _fail("the session is already decided")
        record["evidence"] = {**record["evidence"], **check_attributes(evidence)}
        check_attributes(record["evidence"])
        self._save(record)
        return self._view(record)

    def decision(self, session_id: str) -> VerificationDecision:
        record = self._load(session_id)
        return VerificationDecision(record["session_id"], record["subject"], record["state"],
                                    dict(record["attributes"]), record["reason"])

    # --- the reviewer's side ------------------------------------------------------------

    def pending(self) -> list[dict[str, Any]]:
        """Sessions waiting for a decision, with their evidence (for the reviewer's eyes)."""
        sessions, _ = self._dirs()
        found = []
        for path in sorted(sessions.glob("*.json")):
            record = read_json(path)
            if record.get("state") == "pending":
                found.append({k: record[k] for k in ("session_id", "subject", "evidence")})
        return found

    def _decide(self, record: dict[str, Any], state: str) -> None:
        if record["state"] != "pending":
            raise _fail("the session is already decided")
        record["evidence_digest"] = _core.hash_tagged(EVIDENCE_TAG, jcs.canonicalize(record["evidence"])).hex()
        record["evidence"] = {}
        record["state"] = state

    def approve(self, session_id: str, attributes: Mapping[str, str] | None = None) -> VerificationDecision:
        """Approve; ``attributes`` default to the evidence as submitted."""
        record = self._load(session_id)
        if record["state"] == "pending" and not record["evidence"]:
            raise _fail("nothing was submitted")
        confirmed = check_attributes(dict(record["evidence"]) if attributes is None else dict(attributes))
        self._decide(record, "approved")
        record["attributes"] = confirmed
        self._save(record)
        return self.decision(session_id)

    def reject(self, session_id: str, reason: str) -> VerificationDecision:
        record = self._load(session_id)
        self._decide(record, "rejected")
        record["reason"] = str(reason)[:512]
        self._save(record)
        return self.decision(session_id)

    def allocate_status_index(self, size: int) -> int:
        """The next free index of the issuer's revocation list (one per credential)."""
        path = self._dirs()[0].parent / "status.json"
        try:
            current = int(read_json(path).get("next", 0))
        except FileNotFoundError:
            current = 0
        if current >= size:
            raise _fail("the status list is full: create a new one")
        write_json(path, {"next": current + 1})
        return current

    def deliver(self, session_id: str, issued_json: bytes) -> Path:
        """Seal the issued credential to the holder and forget the attributes."""
        record = self._load(session_id)
        if record["state"] != "approved" or record["issued"]:
            raise _fail("only an approved, not yet issued session is delivered")
        if not record["holder_key"]:
            raise _fail("the session has no holder key to seal to")
        sealed = SealedBox(PublicKey(bytes.fromhex(record["holder_key"]))).encrypt(issued_json)
        path = self._dirs()[1] / f"{session_id}.sealed"
        write_atomic(path, bytes(sealed))
        record["attributes"], record["issued"] = {}, True
        self._save(record)
        return path

    def collect(self, session_id: str) -> bytes:
        """The sealed credential for the holder (who opens it with the wallet's X25519 key)."""
        path = self._dirs()[1] / f"{self._path(session_id).stem}.sealed"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise _fail(f"nothing issued for {session_id} (yet)", "not_found") from None

    def collected(self, session_id: str) -> None:
        remove_file(self._dirs()[1] / f"{self._path(session_id).stem}.sealed")
