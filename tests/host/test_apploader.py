"""A node's plugin directory: installing checks everything first; loading checks it all again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tonomy import _core
from tonomy.chain.capabilities import is_app_module
from tonomy.errors import AppRefusedError
from tonomy.plugin.apparchive import pack, pack_directory
from tonomy.plugin.apploader import PACKAGE_FILE, RELEASE_FILE, install_package, installed_apps, load_app

REPO = Path(__file__).resolve().parents[2]
POLL = REPO / "examples" / "apps" / "poll" / "v1" / "poll"
EVIL = REPO / "plugins" / "marketplace" / "tests" / "apps" / "evil" / "evil"


def install(apps: Path, package: bytes, app: str = "poll", version: str = "1.0.0", artifact: bytes | None = None) -> Path:
    return install_package(apps, package, app=app, version=version, artifact=artifact or _core.hash_plain(package), publisher="makers")


def test_install_then_load_marks_the_module_as_an_app(tmp_path: Path) -> None:
    package = pack_directory("poll", "1.0.0", POLL)
    folder = install(tmp_path, package)
    assert installed_apps(tmp_path) == [folder]
    assert json.loads((folder / RELEASE_FILE).read_text())["artifact"] == _core.hash_plain(package).hex()
    module = load_app(folder)
    assert is_app_module(module) and module.tonomy_plugin_info().version == "1.0.0"
    assert install(tmp_path, package) == folder  # the same artifact again: nothing to do
    assert not list(folder.rglob("__pycache__"))


def test_a_hash_that_does_not_match_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    package = pack_directory("poll", "1.0.0", POLL)
    with pytest.raises(AppRefusedError, match="not to the release's artifact"):
        install(tmp_path, package, artifact=_core.hash_plain(package + b"x"))
    with pytest.raises(AppRefusedError, match="but the release is"):
        install(tmp_path, package, version="1.0.1")
    assert installed_apps(tmp_path) == [] and list(tmp_path.rglob("*.py")) == []


def test_a_forbidden_import_is_refused_at_install_naming_file_and_line(tmp_path: Path) -> None:
    package = pack_directory("evil", "1.0.0", EVIL)
    with pytest.raises(AppRefusedError) as refused:
        install(tmp_path, package, app="evil")
    assert "evil/__init__.py:5: imports the forbidden module 'os'" in str(refused.value)
    assert list(tmp_path.rglob("*.py")) == []


def test_another_artifact_for_an_installed_version_is_refused(tmp_path: Path) -> None:
    install(tmp_path, pack_directory("poll", "1.0.0", POLL))
    other = pack("poll", "1.0.0", "poll", {"__init__.py": b"x = 1\n"})
    with pytest.raises(AppRefusedError, match="another artifact"):
        install(tmp_path, other)


def test_code_changed_after_install_is_refused_at_load(tmp_path: Path) -> None:
    folder = install(tmp_path, pack_directory("poll", "1.0.0", POLL))
    init = folder / "poll" / "__init__.py"
    init.write_text(init.read_text() + "\nimport socket\n")
    with pytest.raises(AppRefusedError, match="import"):
        load_app(folder)


def test_a_forbidden_import_is_refused_at_load_even_with_a_consistent_package(tmp_path: Path) -> None:
    """Somebody with write access rewrote the package, its hash and the code: the scan still refuses."""
    folder = install(tmp_path, pack_directory("poll", "1.0.0", POLL))
    evil = pack("poll", "1.0.0", "poll", {"__init__.py": b"import subprocess\n"})
    (folder / PACKAGE_FILE).write_bytes(evil)
    release = json.loads((folder / RELEASE_FILE).read_text())
    (folder / RELEASE_FILE).write_text(json.dumps({**release, "artifact": _core.hash_plain(evil).hex()}))
    (folder / "poll" / "__init__.py").write_bytes(b"import subprocess\n")
    with pytest.raises(AppRefusedError) as refused:
        load_app(folder)
    assert "poll/__init__.py:1: imports the forbidden module 'subprocess'" in str(refused.value)


def test_extra_files_and_links_in_an_installed_app_are_refused(tmp_path: Path) -> None:
    folder = install(tmp_path, pack_directory("poll", "1.0.0", POLL))
    (folder / "poll" / "extra.py").write_text("x = 1\n")
    with pytest.raises(AppRefusedError, match="differs from its package"):
        load_app(folder)
    (folder / "poll" / "extra.py").unlink()
    (folder / "poll" / "link.py").symlink_to(folder / "poll" / "__init__.py")
    with pytest.raises(AppRefusedError, match="symbolic link"):
        load_app(folder)


def test_an_app_named_like_an_installed_plugin_is_refused(tmp_path: Path) -> None:
    from tonomy.plugin.apploader import installed_plugin_names, load_installed_apps

    install(tmp_path, pack_directory("poll", "1.0.0", POLL))
    assert "marketplace" in installed_plugin_names()
    with pytest.raises(AppRefusedError, match="name of the installed plugin 'poll'"):
        load_installed_apps(tmp_path, frozenset({"poll"}))
    assert [m.tonomy_plugin_info().name for m in load_installed_apps(tmp_path, frozenset({"pay"}))] == ["poll"]
