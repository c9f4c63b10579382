"""Tonomy: the host that loads plugins for every layer over the native core.

Importing this package loads nothing else: plugin managers are built by
``tonomy.plugin.build_plugin_manager`` when a command asks for one, and
``tonomy.hookimpl`` (the marker plugins use) is resolved on first access.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _dist_version
from typing import TYPE_CHECKING, Any

try:
    __version__ = _dist_version("tonomy")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

#: The protocol version this host speaks; plugins declare the range they support.
PROTOCOL_VERSION = 1

if TYPE_CHECKING:
    from tonomy.plugin import hookimpl


def __getattr__(name: str) -> Any:
    # Lazy so that `import tonomy` stays free of pluggy until a plugin needs the marker.
    if name == "hookimpl":
        from tonomy.plugin import hookimpl

        return hookimpl
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["PROTOCOL_VERSION", "__version__", "hookimpl"]
