"""What handlers read from the chain core, through its public ``account`` query only."""

from __future__ import annotations

from typing import Any

PERSONAL_TYPES = frozenset({"person", "dao", "app"})


def account_info(ctx: Any, name: str) -> dict[str, Any] | None:
    """The system plugin's account record (type, permissions, links), or None."""
    info = ctx.query("tonomy", "account", {"name": name})
    return info if isinstance(info, dict) else None


def require_account(ctx: Any, name: str, types: frozenset[str] = PERSONAL_TYPES) -> dict[str, Any]:
    info = account_info(ctx, name)
    if info is None:
        ctx.fail("unknown_account", f"there is no account named {name!r}")
        raise AssertionError("ctx.fail raises")  # for the type checker: fail never returns
    if info["type"] not in types:
        ctx.fail("wrong_account_type", f"{name!r} is a {info['type']} account; this needs one of {', '.join(sorted(types))}")
    return info


def permission_names(info: dict[str, Any]) -> set[str]:
    return {p["name"] for p in info["permissions"]}


def link_of(info: dict[str, Any], plugin: str, action: str | None) -> str | None:
    for link in info["links"]:
        if link["plugin"] == plugin and link["action"] == action:
            return str(link["permission"])
    return None
