"""Where the chain core keeps its records in state: every key starts with ``sys/``.

Names never contain ``/`` or ``*`` (see :mod:`tonomy.chain.names`), so each key
below has exactly one reading, and a prefix ending in ``/`` selects exactly one
account's records.

========================================================  ===========================
key                                                        value (canonical codec)
========================================================  ===========================
``sys/acct/<account>``                                     account record
``sys/perm/<account>/<permission>``                        permission record
``sys/link/<account>/<plugin>/<action or *>``              ``{"permission": name}``
``sys/linkedby/<account>/<permission>/<plugin>/<action>``  ``null`` (reverse index)
========================================================  ===========================

``*`` as the action stands for a plugin-wide link.
"""

from __future__ import annotations

SYSTEM_PREFIX = b"sys/"
PLUGIN_WIDE = "*"


def _key(*parts: str) -> bytes:
    return SYSTEM_PREFIX + "/".join(parts).encode("ascii")


def account_key(account: str) -> bytes:
    return _key("acct", account)


def permission_key(account: str, permission: str) -> bytes:
    return _key("perm", account, permission)


def permissions_prefix(account: str) -> bytes:
    """Prefix of every permission record of ``account``."""
    return _key("perm", account, "")


def link_key(account: str, plugin: str, action: str | None) -> bytes:
    return _key("link", account, plugin, PLUGIN_WIDE if action is None else action)


def links_prefix(account: str) -> bytes:
    return _key("link", account, "")


def linked_by_key(account: str, permission: str, plugin: str, action: str | None) -> bytes:
    return _key("linkedby", account, permission, plugin, PLUGIN_WIDE if action is None else action)


def linked_by_prefix(account: str, permission: str) -> bytes:
    """Prefix of the reverse-index entries of every link that names ``account@permission``."""
    return _key("linkedby", account, permission, "")
