"""Identity records: an account's X25519 key-agreement keys and service endpoints.

One record per account (``record/<account>``), so a DID resolves from a handful of
proofs. Entries are kept sorted by id: the stored record, and so the state root, does
not depend on the order changes were made in. Only person, dao and app accounts have
identity records. Changing the record needs the account's ``active`` (or a link).
"""

from __future__ import annotations

import re
from typing import Any

from tonomy_identity import layout
from tonomy_identity.chainview import require_account
from tonomy_identity.schemas import Shape, account, raw, text

MAX_KEY_AGREEMENT = 8
MAX_SERVICES = 16
FRAGMENT = re.compile(r"[a-z0-9](?:[a-z0-9-]){0,31}")
SERVICE_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")
ENDPOINT = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/%-]*)?")

SET_KEY_SCHEMA = Shape({"account": account(), "id": text(1, 32, FRAGMENT), "key": raw(32)})
SET_SERVICE_SCHEMA = Shape(
    {"account": account(), "id": text(1, 32, FRAGMENT), "type": text(1, 64, SERVICE_TYPE), "endpoint": text(9, 512, ENDPOINT)}
)
REMOVE_SCHEMA = Shape({"account": account(), "id": text(1, 32, FRAGMENT)})
RECORD_QUERY_SCHEMA = Shape({"account": account()})


def empty_record() -> dict[str, Any]:
    return {"key_agreement": [], "services": []}


def _load(ctx: Any, owner: str) -> dict[str, Any]:
    record = ctx.state.get_record(layout.record_key(owner))
    return empty_record() if record is None else record


def _store(ctx: Any, owner: str, record: dict[str, Any]) -> None:
    record["key_agreement"].sort(key=lambda entry: entry["id"])
    record["services"].sort(key=lambda entry: entry["id"])
    if record == empty_record():
        ctx.state.delete(layout.record_key(owner))
    else:
        ctx.state.put_record(layout.record_key(owner), record)


def _upsert(ctx: Any, data: dict[str, Any], field: str, entry: dict[str, Any], limit: int) -> None:
    owner = data["account"]
    ctx.require_auth(owner)
    require_account(ctx, owner)
    record = _load(ctx, owner)
    kept = [item for item in record[field] if item["id"] != entry["id"]]
    if len(kept) >= limit:
        ctx.fail("limit", f"an identity record holds at most {limit} {field.replace('_', ' ')} entries")
    record[field] = kept + [entry]
    _store(ctx, owner, record)
    ctx.emit("record_changed", {"account": owner, "field": field, "id": entry["id"]})


def set_key_agreement(ctx: Any, data: Any) -> None:
    """Add or replace an X25519 key-agreement public key (for encrypting to the account)."""
    _upsert(ctx, data, "key_agreement", {"id": data["id"], "key": data["key"]}, MAX_KEY_AGREEMENT)


def set_service(ctx: Any, data: Any) -> None:
    """Add or replace a service endpoint (https only)."""
    entry = {"id": data["id"], "type": data["type"], "endpoint": data["endpoint"]}
    _upsert(ctx, data, "services", entry, MAX_SERVICES)


def _remove(ctx: Any, data: dict[str, Any], field: str) -> None:
    owner = data["account"]
    ctx.require_auth(owner)
    record = _load(ctx, owner)
    kept = [item for item in record[field] if item["id"] != data["id"]]
    if len(kept) == len(record[field]):
        ctx.fail("not_found", f"{owner!r} has no {field.replace('_', ' ')} entry {data['id']!r}")
    record[field] = kept
    _store(ctx, owner, record)
    ctx.emit("record_changed", {"account": owner, "field": field, "id": data["id"]})


def remove_key_agreement(ctx: Any, data: Any) -> None:
    _remove(ctx, data, "key_agreement")


def remove_service(ctx: Any, data: Any) -> None:
    _remove(ctx, data, "services")


def query_record(ctx: Any, params: Any) -> dict[str, Any]:
    return _load(ctx, params["account"])
