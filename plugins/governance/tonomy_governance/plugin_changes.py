"""``schedule_plugin``: activate, upgrade, disable (or cancel a change of) a plugin at a height.

Only as an action of an executed proposal (``authority.py``). The host's lifecycle rules
(docs/upgrades.md) decide whether the change is accepted: the height must be at least the
system parameter ``plugin_change_min_delay`` blocks ahead, an upgrade needs an enabled
plugin, a disable never targets the governance plugin itself. A proposal usually cannot
know the height it will run at, so ``delay`` (blocks after the executing block) may be
given instead of ``height``.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import Field, RecordSchema

from tonomy_governance import authority, errors

MAX_HEIGHT = 2**63 - 1

SCHEDULE_PLUGIN = RecordSchema(
    (
        Field("op", str, minimum=1, maximum=16, description="activate, upgrade, disable or cancel"),
        Field("plugin", str, minimum=1, maximum=64),
        Field("version", str, minimum=0, maximum=64, required=False, description='"" for disable and cancel'),
        Field("height", int, minimum=0, maximum=MAX_HEIGHT, required=False, description="the first block the change applies to"),
        Field("delay", int, minimum=0, maximum=MAX_HEIGHT, required=False, description="or: that many blocks after the executing block"),
    )
)


def schedule_plugin(ctx: Any, data: Any) -> None:
    proposal = authority.require_executed_proposal(ctx)
    height, delay = data.get("height"), data.get("delay")
    if (height is None) == (delay is None):
        ctx.fail(errors.INVALID_OPTIONS, "give exactly one of height and delay")
    if height is None:
        height = ctx.height + delay
    version = data.get("version") or ""
    ctx.schedule_plugin_change(data["op"], data["plugin"], version, height)
    ctx.emit("plugin_change_scheduled", {"op": data["op"], "plugin": data["plugin"], "version": version, "height": height, "proposal": proposal})
