"""The messaging client: seal and post, fetch and open, acknowledge, collect receipts.

The node is untrusted. Everything it returns is checked here: the message must open
under this identity's key with the header as associated data (swapped, truncated or
altered: ``msg.tampered``), be addressed to this identity and signed for this header
(re-targeted: ``msg.misaddressed``), be signed by an active key of the sender's DID
(``msg.bad_sender``), not be expired, and not be an id this client already read
(replayed: ``msg.replayed``; the memory is kept in ``state_path``). Receipts must be
signed by the recipient's DID key and name a message this client sent, by hash.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.bindings import crypto_scalarmult_base

from tonomy.errors import TonomyError
from tonomy.wallet.files import write_atomic

from tonomy_msg.directory import KeyResolver
from tonomy_msg.errors import (
    MsgBadSenderError,
    MsgExpiredError,
    MsgMalformedError,
    MsgReplayedError,
    MsgTamperedError,
    MsgUnknownAccountError,
)
from tonomy_msg.formats import parse_receipt
from tonomy_msg.limits import DAY_MS
from tonomy_msg.seal import OpenedMessage, open_sealed, seal
from tonomy_msg.signing import make_receipt, receipt_ok, sign_post, sign_request

BASE = "/v1/x/msg"


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Rejected:
    """A message the node served that failed a check: its listed id and the error code."""

    listed_id: str
    code: str
    detail: str


@dataclass(frozen=True)
class Inbox:
    messages: list[OpenedMessage]
    rejected: list[Rejected]


@dataclass(frozen=True)
class DeliveryReceipt:
    message_id: bytes
    recipient: str
    read_ms: int


class MailClient:
    def __init__(self, node: Any, account: str, active_seed: bytes, x25519_secret: bytes, directory: KeyResolver,
                 state_path: Path | None = None) -> None:  # fmt: skip
        self.node = node
        self.account = account
        self._seed = active_seed
        self._x_secret = x25519_secret
        self.directory = directory
        self.state_path = state_path
        self._state: dict[str, dict[str, Any]] = {"seen": {}, "sent": {}, "receipts": {}}
        if state_path is not None and state_path.exists():
            loaded = json.loads(state_path.read_text())
            for key in self._state:
                self._state[key].update(loaded.get(key, {}))

    def _save(self) -> None:
        if self.state_path is None:
            return
        write_atomic(self.state_path, json.dumps(self._state, sort_keys=True).encode())

    def _signed(self, action: str, ids: list[bytes] | tuple[bytes, ...] = ()) -> dict[str, object]:
        return sign_request(self._seed, action, self.account, now_ms(), os.urandom(16), ids)

    # -- sending --------------------------------------------------------------------------

    def send(self, recipient: str, body: bytes, *, ttl_ms: int = 7 * DAY_MS) -> bytes:
        """Seal ``body`` to the recipient's proven key-agreement key and post it; the message id."""
        keys = self.directory.keys(recipient)
        if not keys.agreement:
            raise MsgUnknownAccountError(f"{recipient} publishes no key-agreement key: it cannot receive messages")
        sealed = seal(sender=self.account, sender_seed=self._seed, recipient=recipient, recipient_key=keys.agreement[0],
                      body=body, created_ms=now_ms(), ttl_ms=ttl_ms)
        return self.post(sealed, recipient)

    def post(self, sealed: bytes, recipient: str) -> bytes:
        from tonomy_msg.seal import message_hash
        from tonomy_msg.formats import parse_sealed

        header = parse_sealed(sealed).header
        signer, signature = sign_post(self._seed, sealed)
        self.node.request_json("POST", f"{BASE}/messages", {
            "message": base64.b64encode(sealed).decode(), "signer": signer.hex(), "signature": signature.hex()})
        self._state["sent"][header.message_id.hex()] = {"to": recipient, "hash": message_hash(sealed).hex(),
                                                        "expires_ms": header.expires_ms}
        self._save()
        return header.message_id

    # -- receiving ------------------------------------------------------------------------

    def inbox(self) -> Inbox:
        """Fetch and check every waiting message; failures are listed, never returned as mail."""
        doc = self.node.request_json("POST", f"{BASE}/inbox", self._signed("inbox"))
        opened, rejected = [], []
        batch: set[bytes] = set()
        for entry in doc.get("messages", []):
            listed = str(entry.get("id", ""))[:64]
            try:
                message = self.open(base64.b64decode(entry["message"], validate=True), listed, batch)
                batch.add(message.header.message_id)
                opened.append(message)
            except TonomyError as exc:
                rejected.append(Rejected(listed, exc.code, exc.message))
            except (KeyError, TypeError, ValueError) as exc:
                rejected.append(Rejected(listed, MsgMalformedError.code, str(exc)))
        return Inbox(opened, rejected)

    def open(self, sealed: bytes, listed_id: str, batch: set[bytes] | None = None) -> OpenedMessage:
        message = open_sealed(sealed, recipient=self.account, recipient_secret=self._x_secret)
        header = message.header
        if listed_id != header.message_id.hex():
            raise MsgTamperedError("the node listed the message under another id")
        if header.message_id.hex() in self._state["seen"] or header.message_id in (batch or set()):
            raise MsgReplayedError(f"message {header.message_id.hex()} was already read")
        if header.expires_ms <= now_ms():
            raise MsgExpiredError("the message expired")
        if message.signer not in self.directory.keys(header.sender).active:
            raise MsgBadSenderError(f"the message is not signed by a key of {header.sender}'s DID")
        return message

    def acknowledge(self, messages: list[OpenedMessage], *, discard: tuple[str, ...] = ()) -> int:
        """Send signed receipts for ``messages`` and have the nodes delete them (and ``discard`` ids)."""
        ids = [m.header.message_id for m in messages] + [bytes.fromhex(i) for i in discard]
        if not ids:
            return 0
        receipts = [
            base64.b64encode(make_receipt(self._seed, self.account, m.header.sender, m.header.message_id,
                                          m.message_hash, now_ms()).to_bytes()).decode()
            for m in messages
        ]  # fmt: skip
        doc = self.node.request_json("POST", f"{BASE}/ack", {"request": self._signed("ack", ids), "receipts": receipts})
        for m in messages:
            self._state["seen"][m.header.message_id.hex()] = m.header.expires_ms
        self._forget_expired()
        self._save()
        return int(doc.get("deleted", 0))

    def _forget_expired(self) -> None:
        now = now_ms()
        for key in ("seen",):
            self._state[key] = {k: v for k, v in self._state[key].items() if v > now}

    # -- receipts -------------------------------------------------------------------------

    def receipts(self) -> list[DeliveryReceipt]:
        """Collect verified receipts for messages this client sent; removes them from the nodes."""
        doc = self.node.request_json("POST", f"{BASE}/receipts", self._signed("receipts"))
        verified, done = [], []
        for text in doc.get("receipts", []):
            try:
                receipt = parse_receipt(base64.b64decode(text, validate=True))
            except (TonomyError, ValueError, TypeError):
                continue
            sent = self._state["sent"].get(receipt.message_id.hex())
            if sent is None or receipt.sender != self.account or sent["to"] != receipt.recipient:
                continue
            if sent["hash"] != receipt.message_hash.hex():
                continue
            if not receipt_ok(receipt, self.directory.keys(receipt.recipient).active):
                continue
            done.append(receipt.message_id)
            self._state["receipts"][receipt.message_id.hex()] = {"recipient": receipt.recipient, "read_ms": receipt.read_ms}
            verified.append(DeliveryReceipt(receipt.message_id, receipt.recipient, receipt.read_ms))
        if done:
            self.node.request_json("POST", f"{BASE}/receipts", self._signed("receipts", done))
        self._save()
        return verified

    def delivered(self) -> dict[str, dict[str, Any]]:
        """Receipts collected so far, by message id (hex)."""
        return dict(self._state["receipts"])

    @property
    def x25519_public(self) -> bytes:
        return crypto_scalarmult_base(self._x_secret)
