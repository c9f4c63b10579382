"""Who may run governance's own privileged actions: only an executed proposal.

``set_parameter``, ``set_track``, ``remove_track``, ``set_council`` and ``handover``
need the system account's authority AND must run while ``execute`` is running a
proposal's actions (the ``executing`` marker, which only ``execute`` writes and which
never outlives its transaction). So neither the holders of the system account's keys
(the validators, at genesis) nor another plugin carrying that authority can change
parameters without a vote; only ``init_council`` (once) is open to the system account.
"""

from __future__ import annotations

from typing import Any

from tonomy_governance import errors, layout


def require_executed_proposal(ctx: Any) -> int:
    ctx.require_auth(layout.SYSTEM_ACCOUNT)
    pid = ctx.state.get_record(layout.EXECUTING)
    if pid is None:
        ctx.fail(errors.NOT_ALLOWED, f"governance.{ctx.action} runs only as an action of an executed proposal")
    return int(pid)
