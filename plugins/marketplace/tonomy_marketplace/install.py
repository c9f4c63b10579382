"""A node installing an approved release: fetch, check, unpack into its plugin directory.

Checks, in order, each a refusal with a stable code: the release exists and is approved
(``marketplace.unknown_release`` / ``marketplace.wrong_status``), its publisher is the
app's publisher DAO (``marketplace.not_publisher``), this host's protocol is in its range
(``marketplace.invalid_protocol``), the fetched bytes hash to the release's artifact
(``marketplace.hash_mismatch``, checked by ``client.fetch`` and again by the host), and
the package passes the host's archive and code checks (``app.refused``). Only then is it
written, through ``tonomy.plugin.apploader`` (no path traversal, no links, size limits).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tonomy_marketplace.client import FetchError, Reader, fetch


class InstallError(RuntimeError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code


def install_release(node: Reader, app: str, version: str, data_dir: Path, *, protocol: int | None = None) -> Path:
    """Install ``app`` ``version`` into ``data_dir``'s plugin directory; returns its folder."""
    from tonomy import PROTOCOL_VERSION
    from tonomy.errors import TonomyError
    from tonomy.plugin.apploader import APPS_FOLDER, install_package

    protocol = PROTOCOL_VERSION if protocol is None else protocol
    record: Any = node.query("marketplace", "app", {"app": app})
    release: Any = node.query("marketplace", "release", {"app": app, "version": version})
    if record is None or release is None:
        raise InstallError("marketplace.unknown_release", f"the network has no release {app} {version}")
    if release["status"] != "approved":
        raise InstallError("marketplace.wrong_status", f"{app} {version} is {release['status']}, not approved")
    if release["publisher"] != record["publisher"]:
        raise InstallError("marketplace.not_publisher", f"{app} {version} names {release['publisher']}, not the app's publisher {record['publisher']}")
    if not release["protocol_min"] <= protocol <= release["protocol_max"]:
        raise InstallError("marketplace.invalid_protocol", f"{app} {version} supports protocols {release['protocol_min']}..{release['protocol_max']}, this node speaks {protocol}")
    try:
        package = fetch(node, release["artifact"])
    except FetchError as exc:
        raise InstallError(exc.code, str(exc)) from None
    try:
        return install_package(Path(data_dir) / APPS_FOLDER, package, app=app, version=version, artifact=release["artifact"], publisher=release["publisher"])
    except TonomyError as exc:
        raise InstallError(exc.code, exc.message) from None
