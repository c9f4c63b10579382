"""The capability manifest of a release: what the app may reach once approved.

Canonical-codec record (the release's ``manifest`` bytes)::

    {"state": ["campaign/", "pledge/"],         # key prefixes it owns inside p/<app>/
     "calls": ["pay.transfer"],                 # other plugins' actions it may call
     "queries": ["pay.balance"],                # other plugins' queries it may ask
     "personal_data": ["email"]}                # attributes it may request from people

Every list is sorted, without duplicates, at most ``MAX_ENTRIES`` long. The network
reviews exactly these bytes when it approves a release, and the engine enforces
``state``, ``calls`` and ``queries`` from the approval's activation height
(tonomy.chain.capabilities). ``personal_data`` is what a wallet shows a person before
the app asks them for it; nothing on chain holds personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tonomy.plugin import decode_record, encode_record

MAX_ENTRIES = 32
MAX_MANIFEST_BYTES = 4096
FIELDS = ("calls", "personal_data", "queries", "state")
_PREFIX = re.compile(r"[a-z0-9_][a-z0-9_./-]{0,63}")
_TARGET = re.compile(r"[a-z][a-z0-9_]{0,63}\.[a-z][a-z0-9_]{0,63}")
_ATTRIBUTE = re.compile(r"[a-z][a-z0-9_]{0,63}")


class ManifestError(ValueError):
    """Why a manifest is malformed (the handler turns it into ``marketplace.invalid_manifest``)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    state: tuple[str, ...]
    calls: tuple[str, ...]
    queries: tuple[str, ...]
    personal_data: tuple[str, ...]

    def to_record(self) -> dict[str, Any]:
        return {"calls": list(self.calls), "personal_data": list(self.personal_data), "queries": list(self.queries), "state": list(self.state)}

    def encode(self) -> bytes:
        return encode_record(self.to_record())

    def window(self, start: int, version: str) -> dict[str, Any]:
        """The engine's capability window for this manifest, from height ``start``."""
        return {
            "from": start,
            "until": None,
            "version": version,
            "state": [prefix.encode("ascii") for prefix in self.state],
            "calls": list(self.calls),
            "queries": list(self.queries),
        }


def _entries(record: dict[str, Any], name: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    values = record.get(name)
    if not isinstance(values, list) or len(values) > MAX_ENTRIES:
        raise ManifestError(f"{name} must be a list of at most {MAX_ENTRIES} strings")
    for value in values:
        if type(value) is not str or not pattern.fullmatch(value):
            raise ManifestError(f"{name}: {str(value)[:80]!r} is not a valid entry")
    if values != sorted(set(values)):
        raise ManifestError(f"{name} must be sorted, without duplicates")
    return tuple(values)


def from_record(record: Any) -> Manifest:
    if not isinstance(record, dict) or sorted(record) != list(FIELDS):
        raise ManifestError(f"a manifest is a record with exactly {', '.join(FIELDS)}")
    return Manifest(
        state=_entries(record, "state", _PREFIX),
        calls=_entries(record, "calls", _TARGET),
        queries=_entries(record, "queries", _TARGET),
        personal_data=_entries(record, "personal_data", _ATTRIBUTE),
    )


def decode(raw: bytes) -> Manifest:
    """Parse canonical manifest bytes; ``ManifestError`` for anything else."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"a manifest is at most {MAX_MANIFEST_BYTES} bytes")
    try:
        record = decode_record(raw)
    except Exception as exc:  # the codec's own error, whatever its class
        raise ManifestError(f"not a canonical record: {exc}") from None
    manifest = from_record(record)
    if manifest.encode() != raw:
        raise ManifestError("not in canonical form")
    return manifest


def build(state: list[str] | tuple[str, ...] = (), calls: list[str] | tuple[str, ...] = (), queries: list[str] | tuple[str, ...] = (),
          personal_data: list[str] | tuple[str, ...] = ()) -> Manifest:
    """A manifest from unsorted lists (what publishers write); validated like stored ones."""
    return from_record({
        "calls": sorted(set(calls)), "personal_data": sorted(set(personal_data)),
        "queries": sorted(set(queries)), "state": sorted(set(state)),
    })
