"""``set_parameter``: the one way a system parameter changes, with its history.

The action runs only as an action of an executed proposal (``authority.py``). The host lets
only the governance plugin write parameters (``ctx.set_parameter``), validates the
value with the owning plugin's ``ParameterSpec`` and returns the old value; this
module records ``{height, proposal, old, new}`` per change.
"""

from __future__ import annotations

from typing import Any

from tonomy_governance import authority, layout

SCALARS = (int, bool, bytes, str)


class SetParameterSchema:
    """``{plugin: str, name: str, value: int | bool | bytes | str}`` (the value is typed by the owner's spec)."""

    def validate(self, data: Any) -> None:
        from tonomy.errors import InvalidInputError

        if not isinstance(data, dict) or set(data) != {"plugin", "name", "value"}:
            raise InvalidInputError("set_parameter needs exactly plugin, name and value")
        for field in ("plugin", "name"):
            if type(data[field]) is not str or not 0 < len(data[field]) <= 64:
                raise InvalidInputError(f"field {field!r} must be a str of 1 to 64 characters")
        if type(data["value"]) not in SCALARS:
            raise InvalidInputError("field 'value' must be an int, bool, bytes or str")


def set_parameter(ctx: Any, data: Any) -> None:
    proposal = authority.require_executed_proposal(ctx)
    plugin, name, value = data["plugin"], data["name"], data["value"]
    old = ctx.set_parameter(plugin, name, value)
    seq = (ctx.state.get_record(layout.NEXT_HISTORY) or 0) + 1
    ctx.state.put_record(layout.NEXT_HISTORY, seq)
    entry = {"plugin": plugin, "name": name, "height": ctx.height, "proposal": proposal, "old": old, "new": value}
    ctx.state.put_record(layout.history_key(plugin, name, seq), entry)
    ctx.emit("parameter_changed", entry)


def parameter_history(ctx: Any, params: Any) -> list[dict[str, Any]]:
    from tonomy.plugin import decode_record

    prefix = layout.history_prefix(params["plugin"], params["name"])
    return [decode_record(raw) for _, raw in ctx.state.items(prefix, layout.prefix_end(prefix))]
