"""Property: whatever members, outsiders and admins try, the treasury moves only when a proposal executes.

Random sequences of joins, leaves, invitations, direct spending attempts, removals
without a vote, proposals, votes and executions run on a real chain; after each step
the DAO's balance changed only in a block whose receipt carries ``dao.executed``, and
the member count equals the member records.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from daonet import ACCOUNTS, Net, acts, make_net, pay_transfer
from hypothesis import HealthCheck, event, given, settings, strategies as st

from tonomy.chain import codec
from tonomy.errors import TonomyError

who = st.sampled_from(ACCOUNTS)
operation = st.one_of(
    st.tuples(st.just("invite"), who, who),
    st.tuples(st.just("join"), who),
    st.tuples(st.just("leave"), who),
    st.tuples(st.just("remove"), who, who),  # someone tries to remove without a vote
    st.tuples(st.just("steal"), who, st.integers(1, 600)),  # a direct transfer out of the treasury
    st.tuples(st.just("propose"), who, who, st.integers(1, 600)),
    st.tuples(st.just("vote"), who, st.integers(1, 4), st.sampled_from((0, 1, 2))),
    st.tuples(st.just("execute"), st.integers(1, 4)),
    st.tuples(st.just("wait"), st.integers(1, 4)),
    st.tuples(st.just("cycle"), who, st.integers(1, 400)),  # alice proposes, votes, waits, executes
)


def attempt(net: Net, op: tuple) -> object:
    kind, *args = op
    if kind == "wait":
        net.until(net.height + args[0])
        return None
    if kind == "invite":
        return net.act("dao", "invite", {"dao": "club", "inviter": args[0], "account": args[1]}, args[0])
    if kind == "join":
        return net.act("dao", "join", {"dao": "club", "account": args[0]}, args[0])
    if kind == "leave":
        return net.act("dao", "leave", {"dao": "club", "account": args[0]}, args[0])
    if kind == "remove":
        return net.act("dao", "remove", {"dao": "club", "account": args[1]}, args[0])
    if kind == "steal":
        return net.act("pay", "transfer", {"from": "club", "to": args[0], "symbol": "TONO", "amount": args[1]}, args[0])
    if kind == "propose":
        return net.act("dao", "propose", {"dao": "club", "proposer": args[0], "title": "t", "actions": acts(pay_transfer("club", args[1], args[2]))}, args[0])
    if kind == "vote":
        return net.act("dao", "vote", {"id": args[1], "voter": args[0], "choice": args[2]}, args[0])
    if kind == "cycle":
        receipt = net.act("dao", "propose", {"dao": "club", "proposer": "alice", "title": "t", "actions": acts(pay_transfer("club", args[0], args[1]))}, "alice")
        if receipt.status != "executed":
            return receipt
        pid = int(codec.decode([e for e in receipt.events if e.name == "proposed"][0].data)["id"])
        net.act("dao", "vote", {"id": pid, "voter": "alice", "choice": 1}, "alice")
        net.until(net.height + 2)
        return net.act("dao", "execute", {"id": pid}, "erin")
    return net.act("dao", "execute", {"id": args[0]}, "erin")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=25))
def test_the_treasury_moves_only_by_executed_proposals(ops: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        net = make_net(Path(tmp))
        try:
            net.dao("create", {"creator": "alice", "name": "club", "voting_period": 2, "timelock": 0, "quorum_bps": 3000}, "alice")
            net.ok("pay", "transfer", {"from": "erin", "to": "club", "symbol": "TONO", "amount": 900}, "erin")
            for op in ops:
                before = net.balance("club")
                try:
                    receipt = attempt(net, op)
                except TonomyError:  # refused at admission (a key that cannot sign for the DAO)
                    receipt = None
                executed = receipt is not None and any(e.plugin == "dao" and e.name == "executed" for e in receipt.events)  # type: ignore[attr-defined]
                if executed:
                    event("a proposal executed")
                if not executed:
                    assert net.balance("club") == before, op
                records = net.members("club")
                assert net.query("dao", "dao", {"dao": "club"})["members"] == len(records)
        finally:
            net.net.close()
