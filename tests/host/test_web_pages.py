"""The ``tonomy_web_pages`` hook: pages registered through a plugin manager, attributed and checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tonomy.errors import PluginConflictError, PluginLoadError
from tonomy.plugin import PluginInfo, WebPage, build_plugin_manager, hookimpl
from tonomy.web.pages import collect_web_pages


def _site(root: Path, name: str, *files: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        (folder / file).write_text("<!doctype html><title>t</title>")
    return folder


class Pages:
    """A plugin contributing whatever pages it is given (WebPage objects or anything else)."""

    def __init__(self, name: str, pages: list[Any]) -> None:
        self.name = name
        self.pages = pages

    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(name=self.name, version="1.0", protocol_min=1, protocol_max=1)

    @hookimpl
    def tonomy_web_pages(self, register: Any) -> None:
        for page in self.pages:
            register(page)


def test_tonomy_web_pages_through_the_manager(tmp_path: Path) -> None:
    site = _site(tmp_path, "notes", "index.html", "about.html")
    pages = [WebPage("index.html", "Notes", "Notes", site), WebPage("about.html", "About notes", "About", site)]
    pm = build_plugin_manager(autoload=False, extra_plugins=[Pages("notes", pages), Pages("quiet", [])])
    seen: list[WebPage] = []
    pm.hook.tonomy_web_pages(register=seen.append)
    assert sorted(page.path for page in seen) == ["about.html", "index.html"]

    collected = collect_web_pages(pm)
    assert [(p.app, p.url) for p in collected] == [
        ("explorer", "/app/explorer/index.html"),
        ("notes", "/app/notes/index.html"),
        ("notes", "/app/notes/about.html"),
    ]
    assert collected[1].to_json() == {"app": "notes", "url": "/app/notes/index.html", "title": "Notes", "nav_label": "Notes"}


def test_pay_contributes_its_page_through_the_hook() -> None:
    pm = build_plugin_manager(allow=["pay"])
    seen: list[WebPage] = []
    pm.hook.tonomy_web_pages(register=seen.append)
    assert [(page.path, page.nav_label) for page in seen] == [("index.html", "Pay")]
    assert (seen[0].static_dir / "pay.js").is_file()


@pytest.mark.parametrize(
    "plugin, label, script",
    [("identity", "Tonomy ID", "login.js"), ("dao", "DAOs", "dao.js"), ("governance", "Governance", "gov.js")],
)
def test_the_apps_contribute_their_pages_through_the_hook(plugin: str, label: str, script: str) -> None:
    pm = build_plugin_manager(allow=[plugin])
    seen: list[WebPage] = []
    pm.hook.tonomy_web_pages(register=seen.append)
    assert [(page.path, page.nav_label) for page in seen] == [("index.html", label)]
    assert (seen[0].static_dir / script).is_file()


@pytest.mark.parametrize(
    ("path", "title", "label", "problem"),
    [
        ("../secret.html", "T", "L", "path"),
        ("/abs.html", "T", "L", "path"),
        ("index.js", "T", "L", "path"),
        ("Index.html", "T", "L", "path"),
        ("index.html", "", "L", "title"),
        ("index.html", "T", " ", "nav_label"),
        ("index.html", "T", "x" * 25, "nav_label"),
        ("index.html", "x" * 81, "L", "title"),
        ("missing.html", "T", "L", "not a file"),
    ],
)
def test_a_bad_web_page_is_refused_when_built(tmp_path: Path, path: str, title: str, label: str, problem: str) -> None:
    site = _site(tmp_path, "site", "index.html")
    with pytest.raises(TypeError, match=problem):
        WebPage(path, title, label, site)


def test_static_dir_must_be_an_existing_folder(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="not a folder"):
        WebPage("index.html", "T", "L", tmp_path / "nowhere")
    with pytest.raises(TypeError, match="pathlib.Path"):
        WebPage("index.html", "T", "L", str(tmp_path))  # type: ignore[arg-type]


def test_registering_something_else_fails_the_plugin(tmp_path: Path) -> None:
    pm = build_plugin_manager(autoload=False, extra_plugins=[Pages("odd", ["index.html"])])
    with pytest.raises(PluginLoadError, match="odd.*registered a str as a web page"):
        collect_web_pages(pm)


def test_one_path_twice_or_two_folders_conflict(tmp_path: Path) -> None:
    one = _site(tmp_path, "one", "index.html")
    two = _site(tmp_path, "two", "other.html")
    twice = Pages("twice", [WebPage("index.html", "A", "A", one), WebPage("index.html", "B", "B", one)])
    with pytest.raises(PluginConflictError, match="twice"):
        collect_web_pages(build_plugin_manager(autoload=False, extra_plugins=[twice]))
    split = Pages("split", [WebPage("index.html", "A", "A", one), WebPage("other.html", "B", "B", two)])
    with pytest.raises(PluginConflictError, match="different folders"):
        collect_web_pages(build_plugin_manager(autoload=False, extra_plugins=[split]))


def test_a_plugin_cannot_take_the_hosts_explorer(tmp_path: Path) -> None:
    site = _site(tmp_path, "x", "index.html")
    thief = Pages("explorer", [WebPage("index.html", "Fake", "Fake", site)])
    with pytest.raises(PluginConflictError, match="host's own page"):
        collect_web_pages(build_plugin_manager(autoload=False, extra_plugins=[thief]))
