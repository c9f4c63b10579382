"""An app's logo from an image file: a small data URL, or the file's BLAKE3 content hash.

The chain accepts PNG, JPEG and WebP data URLs of at most 8 KiB whose bytes match the
type (never SVG: it can carry script), or ``blake3:<hex>`` for an image hosted elsewhere;
anyone can check a hosted image against it with any BLAKE3 tool. This module refuses
other files before a transaction is built, with the reason.
"""

from __future__ import annotations

import base64
from pathlib import Path

import blake3
import click

MAX_LOGO_BYTES = 8 * 1024
_TYPES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))


def image_type(image: bytes) -> str | None:
    for magic, kind in _TYPES:
        if image.startswith(magic):
            return kind
    if image[:4] == b"RIFF" and image[8:12] == b"WEBP":
        return "webp"
    return None


def data_url(path: Path) -> str:
    image = path.read_bytes()[: MAX_LOGO_BYTES + 1]
    if len(image) > MAX_LOGO_BYTES:
        raise click.BadParameter(f"{path} is larger than {MAX_LOGO_BYTES} bytes: use --logo-hash-of and host it yourself")
    kind = image_type(image)
    if kind is None:
        raise click.BadParameter(f"{path} is not a PNG, JPEG or WebP image (SVG is refused: it can carry script)")
    return f"data:image/{kind};base64," + base64.b64encode(image).decode()


def content_hash(path: Path) -> str:
    hasher = blake3.blake3()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            hasher.update(chunk)
    return "blake3:" + hasher.hexdigest()
