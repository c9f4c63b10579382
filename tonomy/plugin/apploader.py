"""A node's installed apps: the plugin directory, installing into it, loading from it.

Layout (``<data dir>/apps/`` by default)::

    apps/<app>/<version>/package.tar    the artifact exactly as fetched from the network
    apps/<app>/<version>/release.json   {"app", "version", "artifact" (hex), "publisher"}
    apps/<app>/<version>/app.json       from the package
    apps/<app>/<version>/<module>/...   the package's code

``install_package`` checks everything before a file is written (the archive rules of
``apparchive``, the static code check of ``appscan``, the package naming the expected
app and version, its BLAKE3 hash being the release's artifact) and writes into a
temporary folder renamed into place, so a half-written app is never visible.

``load_app`` trusts nothing on disk either: it re-reads ``package.tar``, re-checks its
hash against ``release.json``, requires the unpacked code to be byte-for-byte the
package's (no file added, none changed), scans the code again, and only then imports
it, under a private module name per version (so two versions load side by side).
Apps import each other's modules never, and their own only relatively.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from tonomy import _core
from tonomy.chain.capabilities import APP_MARKER
from tonomy.errors import AppRefusedError
from tonomy.plugin.apparchive import META_FILE, AppPackage, read_package, write_package
from tonomy.plugin.appscan import refuse_if_findings, scan_directory, scan_files

APPS_FOLDER = "apps"
PACKAGE_FILE = "package.tar"
RELEASE_FILE = "release.json"


def app_folder(apps_dir: Path, app: str, version: str) -> Path:
    return apps_dir / app / version


def check_package(data: bytes, *, app: str, version: str, artifact: bytes) -> AppPackage:
    """Everything install checks before writing: hash, archive, names, code."""
    actual = _core.hash_plain(data)
    if actual != artifact:
        raise AppRefusedError(f"the package hashes to {actual.hex()}, not to the release's artifact {artifact.hex()}")
    package = read_package(data)
    if (package.name, package.version) != (app, version):
        raise AppRefusedError(f"the package is {package.name} {package.version}, but the release is {app} {version}")
    refuse_if_findings(scan_files(package.code_files()), f"{app} {version}")
    return package


def install_package(apps_dir: Path, data: bytes, *, app: str, version: str, artifact: bytes, publisher: str) -> Path:
    """Install a checked package; returns its folder. Installing the same artifact again is a no-op."""
    package = check_package(data, app=app, version=version, artifact=artifact)
    target = app_folder(apps_dir, app, version)
    if target.exists():
        release = _read_release(target)
        if release.get("artifact") == artifact.hex():
            return target
        raise AppRefusedError(f"{target.name} of {app} is already installed with another artifact ({release.get('artifact')})")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{app}-{version}-", dir=target.parent))
    try:
        write_package(package, staging / "code")
        for path in sorted((staging / "code").iterdir()):
            path.rename(staging / path.name)
        (staging / "code").rmdir()
        (staging / PACKAGE_FILE).write_bytes(data)
        release = {"app": app, "version": version, "artifact": artifact.hex(), "publisher": publisher}
        (staging / RELEASE_FILE).write_text(json.dumps(release, sort_keys=True))
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _read_release(folder: Path) -> dict[str, Any]:
    try:
        release = json.loads((folder / RELEASE_FILE).read_text())
    except (OSError, ValueError) as exc:
        raise AppRefusedError(f"{folder}: no readable {RELEASE_FILE} ({exc})") from None
    if not isinstance(release, dict):
        raise AppRefusedError(f"{folder}: {RELEASE_FILE} is not an object")
    return release


def verify_installed(folder: Path) -> tuple[AppPackage, bytes]:
    """Re-check an installed app against its package and release before it is loaded."""
    release = _read_release(folder)
    try:
        data = (folder / PACKAGE_FILE).read_bytes()
        artifact = bytes.fromhex(str(release.get("artifact")))
    except (OSError, ValueError) as exc:
        raise AppRefusedError(f"{folder}: the package or its artifact hash is unreadable ({exc})") from None
    package = check_package(data, app=str(release.get("app")), version=str(release.get("version")), artifact=artifact)
    code = folder / package.module
    refuse_if_findings(scan_directory(code), f"{package.name} {package.version} as installed")
    on_disk = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(code.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }
    expected = {path: content for path, content in package.files.items() if path != META_FILE}
    if on_disk != expected:
        changed = sorted(set(on_disk) ^ set(expected) | {p for p in on_disk if p in expected and on_disk[p] != expected[p]})
        raise AppRefusedError(f"{package.name} {package.version}: the installed code differs from its package ({', '.join(changed[:5])})")
    return package, artifact


def module_alias(name: str, version: str, artifact: bytes) -> str:
    """A private module name per app, version and artifact: two artifacts never share a module."""
    return f"tonomy_app_{name}_v{version.replace('.', '_')}_{artifact.hex()[:16]}"


def load_app(folder: Path) -> ModuleType:
    """Verify and import one installed app; returns its hook module."""
    package, artifact = verify_installed(folder)
    alias = module_alias(package.name, package.version, artifact)
    loaded = sys.modules.get(alias)
    if loaded is not None:
        return loaded
    init = folder / package.module / "__init__.py"
    spec = importlib.util.spec_from_file_location(alias, init, submodule_search_locations=[str(init.parent)])
    if spec is None or spec.loader is None:
        raise AppRefusedError(f"{package.name} {package.version}: cannot import {init}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    previous = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # no byte code next to the checked sources
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        for name in [n for n in sys.modules if n == alias or n.startswith(alias + ".")]:
            del sys.modules[name]
        raise AppRefusedError(f"{package.name} {package.version} failed to import: {type(exc).__name__}: {exc}") from None
    finally:
        sys.dont_write_bytecode = previous
    setattr(module, APP_MARKER, True)  # the engine never runs it without an approved manifest
    return module


def installed_apps(apps_dir: Path) -> list[Path]:
    """Every installed ``<app>/<version>`` folder, sorted (hidden staging folders left out)."""
    if not apps_dir.is_dir():
        return []
    return sorted(
        version
        for app in apps_dir.iterdir()
        if app.is_dir() and not app.name.startswith(".")
        for version in app.iterdir()
        if version.is_dir() and not version.name.startswith(".")
    )


def load_installed_apps(apps_dir: Path, taken: frozenset[str] = frozenset()) -> list[ModuleType]:
    """Load every installed app; the first refusal stops the node with its reason.

    ``taken``: names of the plugins installed on this machine (entry points). An app by
    one of those names is refused: it would be loaded as another version of that plugin.
    """
    for folder in installed_apps(apps_dir):
        if folder.parent.name in taken:
            raise AppRefusedError(f"{folder}: an app may not take the name of the installed plugin {folder.parent.name!r}")
    return [load_app(folder) for folder in installed_apps(apps_dir)]


def installed_plugin_names() -> frozenset[str]:
    """The names of the plugins installed as distributions (entry points of the ``tonomy`` group)."""
    from importlib.metadata import entry_points

    return frozenset(entry_point.name for entry_point in entry_points(group="tonomy"))


__all__ = [
    "APPS_FOLDER",
    "PACKAGE_FILE",
    "RELEASE_FILE",
    "app_folder",
    "check_package",
    "install_package",
    "installed_apps",
    "installed_plugin_names",
    "load_app",
    "load_installed_apps",
    "module_alias",
    "verify_installed",
]
