"""Which pages the web UI has: the host's own and those plugins register (``tonomy_web_pages``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonomy.errors import PluginConflictError, PluginError, PluginLoadError
from tonomy.plugin.inspection import call_hook
from tonomy.plugin.source import plugin_failure
from tonomy.plugin.web import WebPage

HOOK_NAME = "tonomy_web_pages"
STATIC_ROOT = Path(__file__).parent / "static"
#: The host's own pages live at /app/<name>/ like a plugin's; no plugin may take these names.
HOST_APPS = ("explorer",)
#: Folder names a plugin's pages may use: plugin names (lower snake case).
APP_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class RegisteredPage:
    """A page and the app (plugin, or the host's ``explorer``) it belongs to."""

    app: str
    page: WebPage

    @property
    def url(self) -> str:
        return f"/app/{self.app}/{self.page.path}"

    def to_json(self) -> dict[str, str]:
        return {"app": self.app, "url": self.url, "title": self.page.title, "nav_label": self.page.nav_label}


def host_pages() -> list[RegisteredPage]:
    explorer = WebPage("index.html", "Explorer: network activity, payments and accounts", "Explorer", STATIC_ROOT / "explorer")
    return [RegisteredPage("explorer", explorer)]


class PageCollector:
    """The ``register`` callback one plugin receives."""

    def __init__(self, plugin: str, source: Any) -> None:
        self.plugin = plugin
        self.source = source
        self.pages: list[WebPage] = []
        self.error: PluginError | None = None

    def __call__(self, page: WebPage) -> None:
        error = self._problem(page)
        if error is not None:
            self.error = self.error or error
            raise error
        self.pages.append(page)

    def _problem(self, page: object) -> PluginError | None:
        if not isinstance(page, WebPage):
            return plugin_failure(
                PluginLoadError, self.plugin, self.source,
                f"it registered a {type(page).__name__} as a web page, expected a WebPage",
                "Pass tonomy.plugin.WebPage objects to register().",
            )  # fmt: skip
        if any(other.path == page.path for other in self.pages):
            return plugin_failure(
                PluginConflictError, self.plugin, self.source, f"it registers the web page {page.path!r} twice",
                "Give each page its own file.",
            )  # fmt: skip
        if self.pages and self.pages[0].static_dir.resolve() != page.static_dir.resolve():
            return plugin_failure(
                PluginConflictError, self.plugin, self.source, "its web pages come from different folders",
                "Keep every page of a plugin in one static folder (it is served at /app/<plugin>/).",
            )  # fmt: skip
        return None


def collect_web_pages(manager: Any) -> list[RegisteredPage]:
    """The host's pages, then every plugin's, in plugin-name order."""
    found = host_pages()
    for record in manager.registry.plugins:
        if record.name in HOST_APPS:
            raise plugin_failure(
                PluginConflictError, record.name, record.source,
                f"the web UI keeps /app/{record.name}/ for the host's own page",
                "Rename the plugin.",
            )  # fmt: skip
        collector = PageCollector(record.name, record.source)
        caller = manager.hook_caller_for(record.name, HOOK_NAME)
        call_hook(caller, HOOK_NAME, plugin_name=record.name, source=record.source, register=collector)
        if collector.error is not None:
            raise collector.error
        found.extend(RegisteredPage(record.name, page) for page in collector.pages)
    return found


__all__ = ["HOST_APPS", "STATIC_ROOT", "RegisteredPage", "collect_web_pages", "host_pages"]
