"""Tonomy: the host that loads plugins for every layer over the native core.

Importing this package loads nothing else: plugin managers are built by
``tonomy.plugins.build_plugin_manager`` when a command asks for one.
"""

from importlib.metadata import PackageNotFoundError, version as _dist_version

try:
    __version__ = _dist_version("tonomy")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

#: The protocol version this host speaks; plugins declare the range they support.
PROTOCOL_VERSION = 1

__all__ = ["PROTOCOL_VERSION", "__version__"]
