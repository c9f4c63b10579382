"""The stable failure reasons of the marketplace (codes ``marketplace.<reason>``)."""

from __future__ import annotations

from typing import Any, NoReturn

APP_EXISTS = "app_exists"
"""``register_app`` names an app that is already registered."""
UNKNOWN_APP = "unknown_app"
"""No app has this name."""
NOT_A_DAO = "not_a_dao"
"""The publisher is not a DAO of the DAO plugin."""
NOT_PUBLISHER = "not_publisher"
"""The acting account is not the app's publisher DAO (nor, where allowed, the network)."""
NOT_NETWORK = "not_network"
"""Network approval that does not come from an executed governance proposal."""
INVALID_VERSION = "invalid_version"
"""Not MAJOR.MINOR.PATCH, or not greater than the app's latest release."""
UNKNOWN_RELEASE = "unknown_release"
"""The app has no release with this version."""
INVALID_MANIFEST = "invalid_manifest"
"""The capability manifest is malformed (see the README for its format)."""
INVALID_PROTOCOL = "invalid_protocol"
"""``protocol_min`` > ``protocol_max``."""
WRONG_STATUS = "wrong_status"
"""The release is not in a status that allows this transition."""
INVALID_HEIGHT = "invalid_height"
"""An activation or revocation height that is not in the future (or before activation)."""
UNKNOWN_ARTIFACT = "unknown_artifact"
"""No sealed artifact has this hash."""
ARTIFACT_EXISTS = "artifact_exists"
"""An artifact with this hash is already stored or being uploaded."""
TOO_LARGE = "too_large"
"""An artifact larger than ``max_artifact_bytes``."""
QUOTA_EXCEEDED = "quota_exceeded"
"""The uploader's stored and pending bytes would exceed ``upload_quota_bytes``."""
BAD_CHUNK = "bad_chunk"
"""A chunk with a wrong index or size, or uploaded twice."""
INCOMPLETE = "incomplete"
"""``upload_seal`` before every chunk arrived."""
HASH_MISMATCH = "hash_mismatch"
"""The uploaded bytes do not hash to the announced BLAKE3 hash."""
INVALID_CREDENTIAL = "invalid_credential"
"""A review that is not a well-formed credential by the reviewer about this release."""
TOO_MANY_REVIEWS = "too_many_reviews"
"""A release already carries the most reviews it may."""


def fail(ctx: Any, reason: str, message: str) -> NoReturn:
    ctx.fail(reason, message)
    raise AssertionError("ctx.fail returned")  # pragma: no cover - ctx.fail always raises
