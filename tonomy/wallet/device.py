"""``device.json``: who this device is (a random id and a name people recognise).

Created once per keystore directory. The id names the device in every
identity's device records; it is random, not derived from hardware, so it does
not fingerprint the machine.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonomy.wallet import fields
from tonomy.wallet.files import read_json, write_json
from tonomy.wallet.records import check_name

FORMAT = "tonomy-wallet-device"
VERSION = 1
DEVICE_ID_BYTES = 16


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    name: str
    created_at: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "device_id": self.device_id,
            "name": self.name,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DeviceInfo:
        what = "device.json"
        fields.check_header(raw, FORMAT, VERSION, what)
        raw = fields.require_keys(raw, what, {"format", "version", "device_id", "name", "created_at"})
        return cls(
            device_id=fields.hex_id(raw["device_id"], DEVICE_ID_BYTES, f"{what}.device_id"),
            name=fields.name(raw["name"], f"{what}.name"),
            created_at=fields.integer(raw["created_at"], f"{what}.created_at", 0, fields.TIME_MAX),
        )


def load_or_create_device(path: Path, name: str, now: int) -> DeviceInfo:
    check_name(name, "a device name")
    try:
        return DeviceInfo.from_dict(read_json(path))
    except FileNotFoundError:
        pass
    info = DeviceInfo(secrets.token_hex(DEVICE_ID_BYTES), name, now)
    write_json(path, info.to_dict())
    return info
