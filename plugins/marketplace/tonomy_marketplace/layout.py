"""Where the marketplace keeps its records (inside its namespace ``p/marketplace/``).

* ``app/<app>``                         app record
* ``rel/<app>/<MMMMMMMMM.mmmmmmmmm.ppppppppp>``  release record (zero-padded: key order = version order)
* ``art/<hash hex>``                    artifact record ``{uploader, size, chunks, received, sealed, height}``
* ``chunk/<hash hex>/<index:06>``       one chunk of an artifact's bytes
* ``quota/<account>``                   bytes the account stores or has announced
* ``review/<app>/<version>/<seq:06>``   a review or audit credential
* ``cap/<app>``                         the engine's capability record (tonomy.chain.capabilities)

Names never hold ``/``, so no two records share a key.
"""

from __future__ import annotations


def app_key(app: str) -> bytes:
    return b"app/" + app.encode("ascii")


def version_sort_key(version: str) -> str:
    major, minor, patch = (int(part) for part in version.split("."))
    return f"{major:09d}.{minor:09d}.{patch:09d}"


def release_prefix(app: str) -> bytes:
    return b"rel/" + app.encode("ascii") + b"/"


def release_key(app: str, version: str) -> bytes:
    return release_prefix(app) + version_sort_key(version).encode("ascii")


def artifact_key(digest: bytes) -> bytes:
    return b"art/" + digest.hex().encode("ascii")


def chunk_key(digest: bytes, index: int) -> bytes:
    return b"chunk/" + digest.hex().encode("ascii") + f"/{index:06d}".encode("ascii")


def quota_key(account: str) -> bytes:
    return b"quota/" + account.encode("ascii")


def review_prefix(app: str, version: str) -> bytes:
    return b"review/" + app.encode("ascii") + b"/" + version.encode("ascii") + b"/"


def review_key(app: str, version: str, seq: int) -> bytes:
    return review_prefix(app, version) + f"{seq:06d}".encode("ascii")


#: The engine reads ``cap/<app>`` of the plugin named by ``tonomy.app_registry_plugin``.
def capability_key(app: str) -> bytes:
    return b"cap/" + app.encode("ascii")
