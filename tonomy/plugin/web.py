"""The web page a plugin contributes to the node's UI (hook ``tonomy_web_pages``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

_PAGE_PATH = re.compile(r"[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*\.html")
MAX_TITLE = 80
MAX_NAV_LABEL = 24


@dataclass(frozen=True, slots=True)
class WebPage:
    """One page of the web UI, served by the node under ``/app/<plugin>/``.

    ``static_dir`` is a folder of plain HTML/CSS/JS files (no build step, no external
    resources) served as they are at ``/app/<plugin>/``; ``path`` is the page's HTML
    file inside it (``index.html``), so the page's address is ``/app/<plugin>/<path>``.
    ``nav_label`` is the short text of its link in the shell's navigation, ``title``
    the page's name for people (and screen readers). Every page of one plugin shares
    one ``static_dir``.
    """

    path: str
    title: str
    nav_label: str
    static_dir: Path

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem is not None:
            raise TypeError(f"web page {self.path!r}: {problem}")


def _problem(page: WebPage) -> str | None:
    if not isinstance(page.path, str) or not _PAGE_PATH.fullmatch(page.path):
        return "path must be a relative .html file name of a-z 0-9 _ - (folders with /)"
    for label, value, limit in (("title", page.title, MAX_TITLE), ("nav_label", page.nav_label, MAX_NAV_LABEL)):
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            return f"{label} must be non-empty text of at most {limit} characters"
    if not isinstance(page.static_dir, Path):
        return "static_dir must be a pathlib.Path"
    if not page.static_dir.is_dir():
        return f"static_dir {page.static_dir} is not a folder"
    if not (page.static_dir / page.path).is_file():
        return f"{page.path} is not a file in static_dir"
    return None


#: The ``register`` callback that ``tonomy_web_pages`` receives.
WebPageRegistrar: TypeAlias = Callable[[WebPage], None]

__all__ = ["WebPage", "WebPageRegistrar"]
