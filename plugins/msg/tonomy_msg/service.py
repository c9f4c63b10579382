"""The mailbox service a node runs (``tonomy_node_services``): API routes and relaying.

Routes (under ``/v1/x/msg``; JSON, bytes as base64 or hex as named):

* ``POST /messages`` ``{message, signer, signature}``: post a sealed message. Checked:
  format and size, the post signature by an active key of the sender named in the
  header, the recipient account exists, times within the clock window and the node's
  longest lifetime, the sender's rate, the recipient's quota. Stored, then relayed to
  every peer, so the recipient can fetch from any node.
* ``POST /inbox`` (signed request, action ``inbox``): the account's messages.
* ``POST /ack`` ``{request (action ack, ids), receipts}``: the account read these ids;
  each receipt (signed by the account) is checked against the stored message and put
  in the sender's mailbox; the messages are deleted here and on every peer.
* ``POST /receipts`` (signed request, action ``receipts``, ids): the account's
  receipts; ids named in the request are deleted (the client already holds them).

Peers relay three kinds of records: ``post``, ``receipt`` and ``delete`` (a signed
request). Each is checked exactly as the API checks it; a bad signature is provable
misbehaviour (the relaying node must have checked it) and bans the peer.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections import OrderedDict
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tonomy.errors import TonomyError
from tonomy.net.errors import ProtocolViolationError
from tonomy.plugin import NodeContext, decode_record, encode_record

from tonomy_identity.crypto import signature_ok

from tonomy_msg.errors import (
    MsgDuplicateError,
    MsgExpiredError,
    MsgMalformedError,
    MsgRateLimitedError,
    MsgTooLargeError,
    MsgUnauthorizedError,
    MsgUnknownAccountError,
)
from tonomy_msg.formats import ID_BYTES, KEY_BYTES, SIG_BYTES, check_account, parse_receipt, parse_sealed
from tonomy_msg.limits import MailLimits, SenderBuckets
from tonomy_msg.mailbox import Mailbox, Quota
from tonomy_msg.seal import message_hash
from tonomy_msg.signing import ACTIONS, post_digest, receipt_ok, request_digest

MAX_IDS = 256
EXPIRY_EVERY_MS = 5_000
MAX_NONCES = 100_000


_STRICT = ConfigDict(strict=True, extra="forbid")


class PostBody(BaseModel):
    model_config = _STRICT
    # No length in the schema: the node's body limit bounds it, the size check names it (msg.too_large).
    message: str
    signer: Annotated[str, Field(min_length=64, max_length=64)]
    signature: Annotated[str, Field(min_length=128, max_length=128)]


class SignedRequest(BaseModel):
    model_config = _STRICT
    action: Annotated[str, Field(max_length=16)]
    account: Annotated[str, Field(max_length=32)]
    time_ms: Annotated[int, Field(ge=0, le=2**63 - 1)]
    nonce: Annotated[str, Field(min_length=32, max_length=32)]
    ids: Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=MAX_IDS)] = []
    signer: Annotated[str, Field(min_length=64, max_length=64)]
    signature: Annotated[str, Field(min_length=128, max_length=128)]


class AckBody(BaseModel):
    model_config = _STRICT
    request: SignedRequest
    receipts: Annotated[list[Annotated[str, Field(max_length=512)]], Field(max_length=MAX_IDS)] = []


def _hex(text: str, size: int, what: str) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise MsgMalformedError(f"{what} is not hex") from None
    if len(raw) != size:
        raise MsgMalformedError(f"{what} is {size} bytes")
    return raw


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MsgMalformedError(f"{what} is not base64") from None


def now_ms() -> int:
    return int(time.time() * 1000)


class MailService:
    def __init__(self, limits: MailLimits | None = None) -> None:
        self.limits = limits
        self.ctx: NodeContext | None = None
        self.box: Mailbox | None = None
        self.buckets: SenderBuckets | None = None
        self._nonces: OrderedDict[bytes, int] = OrderedDict()
        self._last_expiry = 0
        self.log = logging.getLogger("tonomy.msg")

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.limits = self.limits or MailLimits.from_env()
        self.box = Mailbox(ctx.data_dir / "mail", Quota(self.limits.mailbox_max_items, self.limits.mailbox_max_bytes),
                           self.limits.receipt_ttl_ms)
        self.buckets = SenderBuckets(self.limits.sender_per_minute, self.limits.sender_burst)
        self.log = ctx.log

    async def on_block(self, height: int) -> None:
        """Drop expired mail, at most every few seconds (blocks may come many times a second)."""
        assert self.box is not None
        now = now_ms()
        if now - self._last_expiry >= EXPIRY_EVERY_MS:
            self._last_expiry = now
            self.box.expire(now)

    async def close(self) -> None:
        return None

    # -- checks ---------------------------------------------------------------------------

    async def active_keys(self, account: str) -> list[bytes]:
        assert self.ctx is not None
        raw = await self.ctx.state("tonomy", b"perm/" + account.encode() + b"/active")
        if raw is None:
            return []
        record = decode_record(raw)
        return [entry["key"] for entry in record["authority"]["keys"]]

    async def account_exists(self, account: str) -> bool:
        assert self.ctx is not None
        return await self.ctx.state("tonomy", b"acct/" + account.encode()) is not None

    async def check_post(self, sealed: bytes, signer: bytes, signature: bytes, now: int) -> Any:
        assert self.limits is not None
        if len(sealed) > self.limits.max_sealed_bytes:
            raise MsgTooLargeError(f"a message is at most {self.limits.max_sealed_bytes} bytes on this node")
        header = parse_sealed(sealed, self.limits.max_sealed_bytes).header
        if signer not in await self.active_keys(header.sender):
            raise MsgUnauthorizedError(f"the post is not signed by an active key of {header.sender}")
        if not signature_ok(signer, post_digest(sealed), signature):
            raise MsgUnauthorizedError("the post signature does not verify")
        if not await self.account_exists(header.recipient):
            raise MsgUnknownAccountError(f"no account {header.recipient}")
        if header.expires_ms <= now:
            raise MsgExpiredError("the message has expired")
        if header.created_ms > now + self.limits.clock_skew_ms:
            raise MsgMalformedError("the message is created in the future")
        if header.expires_ms - header.created_ms > self.limits.max_ttl_ms:
            raise MsgMalformedError(f"a message lives at most {self.limits.max_ttl_ms} ms on this node")
        return header

    async def check_request(self, req: SignedRequest, action: str, now: int, *, fresh_nonce: bool = True) -> list[bytes]:
        assert self.limits is not None
        if req.action != action or action not in ACTIONS:
            raise MsgUnauthorizedError(f"a signed {req.action!r} request cannot be used to {action}")
        account = check_account(req.account)
        nonce = _hex(req.nonce, 16, "nonce")
        ids = [_hex(i, ID_BYTES, "a message id") for i in req.ids]
        signer = _hex(req.signer, KEY_BYTES, "signer")
        signature = _hex(req.signature, SIG_BYTES, "signature")
        if abs(req.time_ms - now) > self.limits.clock_skew_ms:
            raise MsgUnauthorizedError("the request's time is outside this node's window")
        if signer not in await self.active_keys(account):
            raise MsgUnauthorizedError(f"the request is not signed by an active key of {account}")
        if not signature_ok(signer, request_digest(action, account, req.time_ms, nonce, ids), signature):
            raise MsgUnauthorizedError("the request signature does not verify")
        if fresh_nonce:
            self._use_nonce(nonce, now)
        return ids

    def _use_nonce(self, nonce: bytes, now: int) -> None:
        assert self.limits is not None
        while self._nonces and (next(iter(self._nonces.values())) < now or len(self._nonces) > MAX_NONCES):
            self._nonces.popitem(last=False)
        if nonce in self._nonces:
            raise MsgUnauthorizedError("the request was already used (replayed)")
        self._nonces[nonce] = now + 2 * self.limits.clock_skew_ms

    # -- operations (API and relay share them) ---------------------------------------------

    async def accept_post(self, sealed: bytes, signer: bytes, signature: bytes, *, rate_limited: bool) -> tuple[Any, bool]:
        assert self.box is not None and self.buckets is not None
        now = now_ms()
        header = await self.check_post(sealed, signer, signature, now)
        if self.box.was_deleted(header.recipient, "m", header.message_id):
            raise MsgDuplicateError("this message was already delivered")
        if self.box.has(header.recipient, "m", header.message_id):
            return header, False
        if rate_limited and not self.buckets.take(header.sender):
            raise MsgRateLimitedError(f"{header.sender} posts faster than this node allows")
        stored = self.box.put_message(header.recipient, header.message_id, sealed, signer, signature, header.expires_ms)
        return header, stored

    async def accept_receipt(self, raw: bytes, reader: str | None) -> bool:
        """Check a receipt against the message it names (still held here) and file it for the sender."""
        assert self.box is not None and self.limits is not None
        receipt = parse_receipt(raw)
        if reader is not None and receipt.recipient != reader:
            raise MsgUnauthorizedError("a receipt must be signed by the account acknowledging")
        if not receipt_ok(receipt, await self.active_keys(receipt.recipient)):
            raise MsgUnauthorizedError("the receipt is not signed by an active key of its recipient")
        stored = self.box.get(receipt.recipient, "m", receipt.message_id)
        if stored is not None:
            sealed = decode_record(stored)["sealed"]
            header = parse_sealed(sealed).header
            if message_hash(sealed) != receipt.message_hash or header.sender != receipt.sender:
                raise MsgUnauthorizedError("the receipt does not match the message it names")
        elif reader is not None:
            raise MsgUnauthorizedError("no such message to acknowledge here")
        return self.box.put(receipt.sender, "r", receipt.message_id, raw, receipt.read_ms + self.limits.receipt_ttl_ms)

    def delete(self, account: str, kind: str, ids: list[bytes]) -> int:
        assert self.box is not None and self.limits is not None
        until = now_ms() + self.limits.max_ttl_ms
        return sum(self.box.delete(account, kind, i, until) for i in ids)

    # -- API ------------------------------------------------------------------------------

    def router(self) -> Any:
        from fastapi import APIRouter

        router = APIRouter(tags=["msg"])

        @router.post("/messages", status_code=202)
        async def post_message(body: PostBody) -> dict[str, Any]:
            """Post a sealed message for its recipient (stored here and relayed to peers)."""
            sealed = _b64(body.message, "message")
            signer, signature = _hex(body.signer, KEY_BYTES, "signer"), _hex(body.signature, SIG_BYTES, "signature")
            header, stored = await self.accept_post(sealed, signer, signature, rate_limited=True)
            if stored:
                self._relay({"t": "post", "sealed": sealed, "signer": signer, "signature": signature})
            return {"id": header.message_id.hex(), "recipient": header.recipient, "expires_ms": header.expires_ms}

        @router.post("/inbox")
        async def inbox(request: SignedRequest) -> dict[str, Any]:
            """The account's waiting messages (a request signed by its active key)."""
            assert self.box is not None
            await self.check_request(request, "inbox", now_ms())
            out = []
            for item_id, data in self.box.items(request.account, "m", now_ms()):
                out.append({"id": item_id.hex(), "message": base64.b64encode(decode_record(data)["sealed"]).decode()})
            return {"messages": out}

        @router.post("/ack")
        async def ack(body: AckBody) -> dict[str, Any]:
            """The account read these messages: file its receipts for the senders, delete the mail everywhere."""
            ids = await self.check_request(body.request, "ack", now_ms())
            receipts = [_b64(r, "receipt") for r in body.receipts]
            parsed = [parse_receipt(r) for r in receipts]
            if any(p.message_id not in ids for p in parsed):
                raise MsgMalformedError("every receipt must name an acknowledged id")
            for raw in receipts:
                if await self.accept_receipt(raw, body.request.account):
                    self._relay({"t": "receipt", "receipt": raw})
            deleted = self.delete(body.request.account, "m", ids)
            self._relay({"t": "delete", "request": body.request.model_dump()})
            return {"deleted": deleted, "receipts": len(receipts)}

        @router.post("/receipts")
        async def receipts(request: SignedRequest) -> dict[str, Any]:
            """The account's delivery receipts; ids in the request are deleted first."""
            assert self.box is not None
            ids = await self.check_request(request, "receipts", now_ms())
            if ids:
                self.delete(request.account, "r", ids)
                self._relay({"t": "delete", "request": request.model_dump()})
            out = [base64.b64encode(data).decode() for _, data in self.box.items(request.account, "r", now_ms())]
            return {"receipts": out}

        return router

    # -- relay ----------------------------------------------------------------------------

    def _relay(self, record: dict[str, Any], exclude: bytes | None = None) -> None:
        assert self.ctx is not None
        self.ctx.peers.broadcast(encode_record(record), exclude)

    async def on_peer_message(self, peer_key: bytes, payload: bytes) -> None:
        try:
            record = decode_record(payload)
            kind = record["t"]
        except (TonomyError, KeyError, TypeError):
            raise ProtocolViolationError("a malformed mailbox relay") from None
        try:
            if kind == "post":
                _, stored = await self.accept_post(record["sealed"], record["signer"], record["signature"], rate_limited=False)
                relay = stored
            elif kind == "receipt":
                relay = await self.accept_receipt(record["receipt"], None)
            elif kind == "delete":
                req = SignedRequest(**record["request"])
                ids = await self.check_request(req, req.action, now_ms())
                relay = self.delete(req.account, "m" if req.action == "ack" else "r", ids) > 0
            else:
                raise ProtocolViolationError(f"unknown mailbox relay {kind!r}")
        except MsgUnauthorizedError as exc:
            if "already used" in exc.message or "window" in exc.message:
                return  # a relay loop or a slow relay: harmless
            raise ProtocolViolationError(f"a relayed mailbox record with a bad signature: {exc.message}") from None
        except (MsgMalformedError, MsgTooLargeError) as exc:
            raise ProtocolViolationError(f"a malformed relayed mailbox record: {exc.message}") from None
        except (TonomyError, ValueError, KeyError, TypeError):
            return  # expired, full, delivered, or limits differ between nodes: not the peer's fault
        if relay:
            self._relay(record, exclude=peer_key)
