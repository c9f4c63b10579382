"""Tonomy Developer Console: ``tonomy dev ...`` and the Developer Console web page.

The console keeps no state and runs no action of its own. Apps live where Login with
Tonomy checks them, in the identity plugin; the console reaches them only through that
plugin's public actions and queries (``identity.register_app``, ``update_app``,
``rotate_app_key``, ``set_login_settings``; ``app``, ``apps_of``, ``app_usage``), exactly
as a third-party tool would. The README beside this package is its specification.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tonomy.plugin import PluginInfo, WebPage, hookimpl

NAME = "devconsole"
VERSION = "0.1.0"
WEB_DIR = Path(__file__).parent / "web"


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, version=VERSION, protocol_min=1, protocol_max=1,
                      description="Developer Console: register and manage apps, usage, releases")


@hookimpl
def tonomy_register_cli_commands(register: Any) -> None:
    from tonomy_devconsole.cli import dev_group

    register(dev_group)


@hookimpl
def tonomy_web_pages(register: Any) -> None:
    register(WebPage("index.html", "Developer Console: your apps, their settings and usage", "Developer", WEB_DIR))
