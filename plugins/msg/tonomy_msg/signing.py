"""What accounts sign for the mailbox: posts, requests (fetch, acknowledge) and receipts.

* post: ``Ed25519(sender key, H("tonomy/msg/post/v1", sealed))``. The node checks it
  against the sender's active keys on chain before it applies per-sender limits, so a
  sender cannot spend another's allowance; peers check it again when mail is relayed.
* request: ``H("tonomy/msg/request/v1", canonical record {action, account, time_ms, nonce, ids})``.
  ``time_ms`` must be within the node's window and the nonce unseen: a request cannot
  be replayed later, or to another action or account.
* receipt: ``H("tonomy/msg/receipt/v1", receipt body)`` (formats.Receipt), by the recipient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tonomy.plugin import encode_record

from tonomy_identity.crypto import public_key, sign, signature_ok, tagged_hash

from tonomy_msg.formats import ID_BYTES, Receipt, check_account

POST_TAG = "tonomy/msg/post/v1"
REQUEST_TAG = "tonomy/msg/request/v1"
RECEIPT_TAG = "tonomy/msg/receipt/v1"
ACTIONS = ("inbox", "ack", "receipts")


def post_digest(sealed: bytes) -> bytes:
    return tagged_hash(POST_TAG, sealed)


def sign_post(seed: bytes, sealed: bytes) -> tuple[bytes, bytes]:
    return public_key(seed), sign(seed, post_digest(sealed))


def request_digest(action: str, account: str, time_ms: int, nonce: bytes, ids: Sequence[bytes]) -> bytes:
    body = encode_record({"action": action, "account": account, "time_ms": time_ms, "nonce": nonce, "ids": list(ids)})
    return tagged_hash(REQUEST_TAG, body)


def sign_request(seed: bytes, action: str, account: str, time_ms: int, nonce: bytes, ids: Sequence[bytes] = ()) -> dict[str, object]:
    check_account(account)
    return {
        "action": action, "account": account, "time_ms": time_ms, "nonce": nonce.hex(), "ids": [i.hex() for i in ids],
        "signer": public_key(seed).hex(), "signature": sign(seed, request_digest(action, account, time_ms, nonce, ids)).hex(),
    }  # fmt: skip


def make_receipt(seed: bytes, recipient: str, sender: str, message_id: bytes, message_hash: bytes, read_ms: int) -> Receipt:
    unsigned = Receipt(recipient, sender, message_id, message_hash, read_ms, public_key(seed), b"")
    return replace(unsigned, signature=sign(seed, tagged_hash(RECEIPT_TAG, unsigned.body())))


def receipt_ok(receipt: Receipt, keys: Sequence[bytes]) -> bool:
    """The receipt is signed by one of ``keys`` (the recipient's active keys)."""
    return (
        receipt.signer in keys
        and len(receipt.message_id) == ID_BYTES
        and signature_ok(receipt.signer, tagged_hash(RECEIPT_TAG, receipt.body()), receipt.signature)
    )
