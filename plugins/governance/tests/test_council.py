"""The genesis council: M of N decides, hands over to token voting, then guards the timelock."""

from __future__ import annotations

from govnet import Gov, options, set_param


def _council(gov: Gov) -> None:
    gov.mint("alice", 500)
    gov.mint("dave", 500)
    gov.ok("governance", "init_council", {"members": "alice,bob,carol"}, "validator")


def _pass_by_council(gov: Gov, actions: list[dict[str, object]], voters: tuple[str, ...] = ("alice", "bob")) -> int:
    pid = gov.propose("alice", options(actions))
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.fails("governance.no_power", "governance", "vote", {"id": pid, "voter": "dave", "choice": 0}, "dave")  # tokens are not seats
    for voter in voters:
        gov.vote(pid, voter)
    gov.until(p["eta"] - 1)
    return pid


def test_the_council_is_set_once_by_the_system_account(gov: Gov) -> None:
    gov.fails("tx.missing_authorization", "governance", "init_council", {"members": "alice"}, "alice")
    gov.fails("governance.unknown_account", "governance", "init_council", {"members": "alice,nobody"}, "validator")
    gov.ok("governance", "init_council", {"members": "carol, alice,bob"}, "validator")
    assert gov.query("council", {}) == {"mode": "council", "members": ["alice", "bob", "carol"], "threshold": 2}
    gov.fails("governance.council", "governance", "init_council", {"members": "dave"}, "validator")


def test_two_of_three_members_decide_and_tokens_do_not(gov: Gov) -> None:
    _council(gov)
    pid = _pass_by_council(gov, [set_param("governance", "max_options", 4)], voters=("alice",))
    p = gov.proposal(pid)
    assert p["strategy"] == "governance.council" and p["tally"]["options"] == [1]  # dave's tokens count for nothing
    assert p["state"] == "rejected"
    pid = _pass_by_council(gov, [set_param("governance", "max_options", 4)])
    gov.gov("execute", {"id": pid}, "dave")
    assert gov.param("governance", "max_options") == 4


def test_handover_switches_new_proposals_to_the_track_strategy(gov: Gov) -> None:
    _council(gov)
    gov.fails("tx.missing_authorization", "governance", "handover", {}, "alice")
    pid = _pass_by_council(gov, [{"plugin": "governance", "name": "handover", "data": {}}])
    gov.gov("execute", {"id": pid}, "carol")
    assert gov.query("council", {})["mode"] == "open"
    pid = gov.propose("dave", options([set_param("governance", "max_options", 7)]))
    p = gov.proposal(pid)
    assert p["strategy"] == "governance.token"
    gov.until(p["vote_start"] - 1)
    gov.fails("governance.no_power", "governance", "vote", {"id": pid, "voter": "bob", "choice": 0}, "bob")
    gov.vote(pid, "dave")
    gov.until(p["eta"] - 1)
    gov.gov("execute", {"id": pid}, "dave")
    assert gov.param("governance", "max_options") == 7


def test_the_council_vetoes_during_the_timelock_only(slow_gov: Gov) -> None:
    gov = slow_gov
    _council(gov)
    pid = _pass_by_council(gov, [{"plugin": "governance", "name": "handover", "data": {}}])
    gov.gov("execute", {"id": pid}, "carol")
    pid = gov.propose("dave", options([set_param("governance", "max_options", 7)]))
    p = gov.proposal(pid)
    gov.fails("governance.not_allowed", "governance", "council_veto", {"id": pid, "member": "alice"}, "alice")  # not yet decided
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "dave")
    gov.until(p["vote_end"])
    gov.fails("governance.not_member", "governance", "council_veto", {"id": pid, "member": "dave"}, "dave")
    gov.gov("council_veto", {"id": pid, "member": "alice"}, "alice")
    gov.fails("governance.already_voted", "governance", "council_veto", {"id": pid, "member": "alice"}, "alice")
    assert gov.proposal(pid)["state"] == "queued"
    gov.gov("council_veto", {"id": pid, "member": "bob"}, "bob")
    assert gov.proposal(pid)["state"] == "council_vetoed"
    gov.until(p["eta"])
    gov.fails("governance.final", "governance", "execute", {"id": pid}, "dave")
    assert gov.param("governance", "max_options") == 8
    gov.gov("settle", {"id": pid}, "dave")
    assert gov.balance("dave") == 500
