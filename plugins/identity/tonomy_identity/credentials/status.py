"""Bitstring status lists (revocation) as plugin state, one per (issuer, list id).

``status/<issuer>/<list_id>`` holds ``{"size": bits, "bits": bytes}``; bit ``i`` is
bit ``7 - i % 8`` of byte ``i // 8`` (the W3C Bitstring Status List order: the first
index is the most significant bit). Only the issuer's own authorization changes its
lists. The list is public and uniform in size, so which credential a verifier checks
says nothing beyond "one of ``size``"; W3C suggests at least 131 072 entries for
group privacy, which is the default size.
"""

from __future__ import annotations

import re
from typing import Any

from tonomy_identity.chainview import require_account
from tonomy_identity.schemas import Shape, account, integer, text

LIST_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]){0,31}")
MIN_BITS = 8
MAX_BITS = 131_072  # 16 KiB, well under the state value limit
DEFAULT_BITS = MAX_BITS

CREATE_SCHEMA = Shape({"issuer": account(), "list_id": text(1, 32, LIST_ID), "size": integer(MIN_BITS, MAX_BITS)})
SET_SCHEMA = Shape({"issuer": account(), "list_id": text(1, 32, LIST_ID), "index": integer(0, MAX_BITS - 1),
                    "revoked": integer(0, 1)})
QUERY_SCHEMA = Shape({"issuer": account(), "list_id": text(1, 32, LIST_ID)})


def status_key(issuer: str, list_id: str) -> bytes:
    return b"status/" + issuer.encode() + b"/" + list_id.encode()


def bit(record: dict[str, Any], index: int) -> bool:
    """Whether bit ``index`` is set; an index outside the list is a malformed entry."""
    if not 0 <= index < record["size"]:
        raise IndexError(f"status index {index} outside a list of {record['size']}")
    return bool(record["bits"][index // 8] >> (7 - index % 8) & 1)


def revoked(record: dict[str, Any] | None, issuer: str, list_id: str, index: int) -> bool:
    """A verifier's reading of a credential's status bit: a missing list or an index
    outside it is a malformed credential (``credential.malformed``), never "not revoked"."""
    from tonomy.wallet.vc import fail

    if record is None:
        raise fail("malformed", f"{issuer} has no status list {list_id!r}")
    try:
        return bit(record, index)
    except IndexError as exc:
        raise fail("malformed", str(exc)) from None


def create_status_list(ctx: Any, data: Any) -> None:
    issuer = data["issuer"]
    ctx.require_auth(issuer)
    require_account(ctx, issuer)
    if data["size"] % 8:
        ctx.fail("invalid_status", "a status list's size is a multiple of 8")
    key = status_key(issuer, data["list_id"])
    if ctx.state.get_record(key) is not None:
        ctx.fail("status_exists", f"{issuer} already has the status list {data['list_id']!r}")
    ctx.state.put_record(key, {"size": data["size"], "bits": bytes(data["size"] // 8)})
    ctx.emit("status_list_created", {"issuer": issuer, "list_id": data["list_id"], "size": data["size"]})


def set_status(ctx: Any, data: Any) -> None:
    """Set (revoke) or clear one bit of the issuer's list."""
    issuer, index = data["issuer"], data["index"]
    ctx.require_auth(issuer)
    key = status_key(issuer, data["list_id"])
    record = ctx.state.get_record(key)
    if record is None:
        ctx.fail("not_found", f"{issuer} has no status list {data['list_id']!r}")
    if index >= record["size"]:
        ctx.fail("invalid_status", f"index {index} outside a list of {record['size']}")
    bits = bytearray(record["bits"])
    mask = 1 << (7 - index % 8)
    bits[index // 8] = bits[index // 8] | mask if data["revoked"] else bits[index // 8] & ~mask
    ctx.state.put_record(key, {"size": record["size"], "bits": bytes(bits)})
    ctx.emit("status_changed", {"issuer": issuer, "list_id": data["list_id"], "index": index, "revoked": data["revoked"]})


def query_status_list(ctx: Any, data: Any) -> Any:
    return ctx.state.get_record(status_key(data["issuer"], data["list_id"]))
