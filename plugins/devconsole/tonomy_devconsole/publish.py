"""The seam between ``tonomy dev publish`` and the marketplace plugin.

The marketplace (plugin ``marketplace``) keeps the on-chain registry of app releases;
the console only builds a release from the app's proven record and submits it as
one action signed by the app's owner. Everything marketplace-specific is in this
module: the plugin and action names and :func:`release_data`, the action's data.
A node without the marketplace refuses the action at admission
(``tx.unknown_plugin`` / ``tx.unknown_action``); the console says so plainly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from tonomy.errors import TonomyError
from tonomy.plugin.cli import ActionOutcome, Session

MARKETPLACE_PLUGIN = "marketplace"
PUBLISH_ACTION = "publish_release"
VERSION = re.compile(r"(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})")
MAX_NOTES = 2048
MISSING = ("tx.unknown_plugin", "tx.unknown_action")


@dataclass(frozen=True, slots=True)
class Release:
    app: str
    owner: str
    version: str
    notes: str
    artifact_hash: bytes  # BLAKE3 of the release package; empty when none was given


def release(app: str, record: dict[str, Any], *, version: str, notes: str, artifact: Path | None) -> Release:
    """A release of ``app`` by its current owner; refuses a malformed version or notes before signing."""
    if not VERSION.fullmatch(version):
        raise click.BadParameter(f"{version!r} is not a MAJOR.MINOR.PATCH version", param_hint="--version")
    if len(notes.encode()) > MAX_NOTES:
        raise click.BadParameter(f"the notes are longer than {MAX_NOTES} bytes", param_hint="--notes")
    digest = b""
    if artifact is not None:
        import blake3

        hasher = blake3.blake3()
        with artifact.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                hasher.update(chunk)
        digest = hasher.digest()
    return Release(app, str(record["owner"]), version, notes, digest)


def release_data(release: Release) -> dict[str, Any]:
    """The marketplace action's data (the one place its shape is known)."""
    data: dict[str, Any] = {"app": release.app, "version": release.version, "notes": release.notes}
    if release.artifact_hash:
        data["artifact_hash"] = release.artifact_hash
    return data


def submit(session: Session, release: Release) -> ActionOutcome:
    """Sign the release as the acting account (the owner must be it) and send it to the marketplace."""
    if session.me() != release.owner:
        raise click.UsageError(f"{release.app} is owned by {release.owner}: publish with --account {release.owner}")
    try:
        return session.act(MARKETPLACE_PLUGIN, PUBLISH_ACTION, **release_data(release))
    except TonomyError as exc:
        if exc.code in MISSING:
            raise click.ClickException(
                f"[{exc.code}] this node runs no marketplace with a {PUBLISH_ACTION!r} action: "
                "install the marketplace plugin on the network first"
            ) from None
        raise


def describe(outcome: ActionOutcome, release: Release) -> str:
    return f"published {release.app} {release.version} to the marketplace"
