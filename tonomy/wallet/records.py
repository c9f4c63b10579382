"""``records.json``: the devices and app sessions an identity knows about, kept locally.

These records are not secret (no private keys: a session's key stays with the
app, a device's key on the device) and the chain will mirror them later, at
which point the chain is the authority and this file a cache. Revocation here is
local bookkeeping: it marks the record and stops this client from using it.
Records are never deleted, so the history of what was authorised stays visible.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any

from tonomy.errors import InvalidInputError, KeystoreCorruptError, UnknownRecordError
from tonomy.wallet import fields

FORMAT = "tonomy-wallet-records"
VERSION = 1
MAX_RECORDS = 4096
MAX_SCOPES = 64
RECORD_ID_BYTES = 16


def new_record_id() -> str:
    return secrets.token_hex(RECORD_ID_BYTES)


def check_name(value: object, what: str) -> str:
    """A name people read (device, app): 1 to 128 printable characters, no newlines or controls."""
    if type(value) is not str or not 1 <= len(value) <= 128 or not value.isprintable():
        raise InvalidInputError(f"{what} must be 1 to 128 printable characters")
    return value


def _optional_key(value: object, what: str) -> bytes | None:
    if value is None:
        return None
    if type(value) is not bytes or len(value) != 32:
        raise InvalidInputError(f"{what} must be a 32-byte public key")
    return value


@dataclass(frozen=True)
class DeviceRecord:
    device_id: str
    name: str
    added_at: int
    public_key: bytes | None = None
    revoked_at: int | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "name": self.name,
            "added_at": self.added_at,
            "public_key": None if self.public_key is None else self.public_key.hex(),
            "revoked_at": self.revoked_at,
        }

    @classmethod
    def from_dict(cls, raw: object, what: str) -> DeviceRecord:
        raw = fields.require_keys(raw, what, {"device_id", "name", "added_at", "public_key", "revoked_at"})
        key = raw["public_key"]
        return cls(
            device_id=fields.hex_id(raw["device_id"], RECORD_ID_BYTES, f"{what}.device_id"),
            name=fields.name(raw["name"], f"{what}.name"),
            added_at=fields.integer(raw["added_at"], f"{what}.added_at", 0, fields.TIME_MAX),
            public_key=None if key is None else fields.hex_bytes(key, 32, f"{what}.public_key"),
            revoked_at=fields.optional_integer(raw["revoked_at"], f"{what}.revoked_at", 0, fields.TIME_MAX),
        )


@dataclass(frozen=True)
class SessionRecord:
    """An app session: the app's name/origin, the session key the app holds, and its scopes."""

    session_id: str
    app: str
    device_id: str
    public_key: bytes
    scopes: tuple[str, ...]
    created_at: int
    expires_at: int | None = None
    revoked_at: int | None = None

    def is_active(self, now: int) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "app": self.app,
            "device_id": self.device_id,
            "public_key": self.public_key.hex(),
            "scopes": list(self.scopes),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
        }

    @classmethod
    def from_dict(cls, raw: object, what: str) -> SessionRecord:
        raw = fields.require_keys(
            raw,
            what,
            {"session_id", "app", "device_id", "public_key", "scopes", "created_at", "expires_at", "revoked_at"},
        )
        scopes = fields.array(raw["scopes"], f"{what}.scopes", MAX_SCOPES)
        return cls(
            session_id=fields.hex_id(raw["session_id"], RECORD_ID_BYTES, f"{what}.session_id"),
            app=fields.name(raw["app"], f"{what}.app"),
            device_id=fields.hex_id(raw["device_id"], RECORD_ID_BYTES, f"{what}.device_id"),
            public_key=fields.hex_bytes(raw["public_key"], 32, f"{what}.public_key"),
            scopes=tuple(fields.text(s, f"{what}.scopes[{i}]", 64) for i, s in enumerate(scopes)),
            created_at=fields.integer(raw["created_at"], f"{what}.created_at", 0, fields.TIME_MAX),
            expires_at=fields.optional_integer(raw["expires_at"], f"{what}.expires_at", 0, fields.TIME_MAX),
            revoked_at=fields.optional_integer(raw["revoked_at"], f"{what}.revoked_at", 0, fields.TIME_MAX),
        )


@dataclass(frozen=True)
class Records:
    identity_id: str
    devices: tuple[DeviceRecord, ...] = ()
    sessions: tuple[SessionRecord, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "identity_id": self.identity_id,
            "devices": [d.to_dict() for d in self.devices],
            "sessions": [s.to_dict() for s in self.sessions],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any], expected_id: str) -> Records:
        what = "records.json"
        fields.check_header(raw, FORMAT, VERSION, what)
        raw = fields.require_keys(raw, what, {"format", "version", "identity_id", "devices", "sessions"})
        ident = fields.hex_id(raw["identity_id"], 16, f"{what}.identity_id")
        if ident != expected_id:
            raise KeystoreCorruptError(f"{what} belongs to identity {ident}, not {expected_id}")
        devices = fields.array(raw["devices"], f"{what}.devices", MAX_RECORDS)
        sessions = fields.array(raw["sessions"], f"{what}.sessions", MAX_RECORDS)
        return cls(
            identity_id=ident,
            devices=tuple(DeviceRecord.from_dict(d, f"{what}.devices[{i}]") for i, d in enumerate(devices)),
            sessions=tuple(SessionRecord.from_dict(s, f"{what}.sessions[{i}]") for i, s in enumerate(sessions)),
        )

    # --- changes (each returns a new Records) ---------------------------------

    def with_device(self, device_id: str, name: str, now: int, public_key: bytes | None = None) -> Records:
        """Add a device, or bring a known one back (a restore on the same device) with a fresh name."""
        name = check_name(name, "a device name")
        public_key = _optional_key(public_key, "a device public key")
        kept = tuple(d for d in self.devices if d.device_id != device_id)
        return replace(self, devices=kept + (DeviceRecord(device_id, name, now, public_key),))

    def revoke_device(self, device_id: str, now: int) -> Records:
        return replace(self, devices=_revoke(self.devices, "device_id", device_id, now, "device"))

    def with_session(
        self, app: str, device_id: str, public_key: bytes, scopes: tuple[str, ...], now: int, expires_at: int | None
    ) -> tuple[Records, SessionRecord]:
        app = check_name(app, "an app name")
        key = _optional_key(public_key, "a session public key")
        if key is None:
            raise InvalidInputError("a session needs the 32-byte public key the app holds")
        if len(scopes) > MAX_SCOPES or not all(type(s) is str and 1 <= len(s) <= 64 for s in scopes):
            raise InvalidInputError(f"scopes are at most {MAX_SCOPES} strings of 1 to 64 characters")
        if expires_at is not None and (type(expires_at) is not int or expires_at <= now):
            raise InvalidInputError("a session must expire in the future")
        if len(self.sessions) >= MAX_RECORDS:
            raise InvalidInputError(f"at most {MAX_RECORDS} sessions are kept")
        record = SessionRecord(new_record_id(), app, device_id, key, tuple(scopes), now, expires_at)
        return replace(self, sessions=self.sessions + (record,)), record

    def revoke_session(self, session_id: str, now: int) -> Records:
        return replace(self, sessions=_revoke(self.sessions, "session_id", session_id, now, "session"))


def _revoke(items: tuple[Any, ...], key: str, wanted: str, now: int, kind: str) -> tuple[Any, ...]:
    if not any(getattr(item, key) == wanted for item in items):
        raise UnknownRecordError(f"no {kind} {str(wanted)[:40]!r} for this identity")
    return tuple(
        replace(item, revoked_at=now) if getattr(item, key) == wanted and item.revoked_at is None else item
        for item in items
    )
