"""Helpers the web UI's browser tests share: Chromium settings, screenshots, accessibility checks.

The checks run in the page (plain DOM), so they test what a screen reader and a
keyboard user get, not what the markup intends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TIMEOUT_MS = 20_000

# Every visible form control and button without an accessible name (label, aria-label(ledby), text).
UNNAMED_CONTROLS_JS = """
() => {
  const visible = (e) => e.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });
  const out = [];
  for (const e of document.querySelectorAll('input, select, textarea, button')) {
    if (!visible(e) || e.type === 'hidden') continue;
    const byLabel = Array.from(e.labels || []).some((l) => l.textContent.trim());
    const byAria = (e.getAttribute('aria-label') || '').trim()
      || (e.getAttribute('aria-labelledby') || '').split(/\\s+/).some((id) => id && document.getElementById(id)
           && document.getElementById(id).textContent.trim());
    const byText = e.tagName === 'BUTTON' && e.textContent.trim();
    if (!byLabel && !byAria && !byText) out.push(e.outerHTML.slice(0, 120));
  }
  return out;
}
"""

# Ids (or a short description) of every visible control the keyboard should reach.
FOCUSABLE_JS = """
() => {
  const visible = (e) => e.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });
  return Array.from(document.querySelectorAll('a[href], input, select, textarea, button'))
    .filter((e) => visible(e) && !e.disabled && e.type !== 'hidden' && e.tabIndex >= 0)
    .map((e) => e.id || e.getAttribute('aria-label') || e.textContent.trim() || e.outerHTML.slice(0, 60));
}
"""
ACTIVE_JS = """
() => { const e = document.activeElement;
        return e ? (e.id || e.getAttribute('aria-label') || e.textContent.trim() || e.outerHTML.slice(0, 60)) : null; }
"""


def same_origin(url: str) -> bool:
    return url.startswith("http://127.0.0.1:") or url.startswith("data:") or url.startswith("about:")


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def unnamed_controls(page: Any) -> list[str]:
    return list(page.evaluate(UNNAMED_CONTROLS_JS))


def keyboard_unreachable(page: Any, max_tabs: int = 200) -> list[str]:
    """Visible controls that Tab never focuses (pressing Tab from the top of the page)."""
    wanted = list(page.evaluate(FOCUSABLE_JS))
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.locator("body").focus() if page.locator("body").count() else None
    seen: set[str] = set()
    for _ in range(min(max_tabs, 3 * len(wanted) + 5)):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE_JS)
        if active is not None:
            seen.add(str(active))
        if seen.issuperset(wanted):
            break
    return [name for name in wanted if name not in seen]


def watch_page(page: Any, allow: Any = same_origin) -> Any:
    """Record requests to other origins and console errors on ``page.outside_requests`` / ``page.console_errors``."""
    outside: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not allow(request.url) else None)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.outside_requests = outside
    page.console_errors = problems
    return page
