"""A proposal's life through a real chain: deposit, snapshot, votes, timelock, execution, expiry."""

from __future__ import annotations

from govnet import Gov, options, set_param

from tonomy_governance.options import options_hash


def _funded(gov: Gov) -> None:
    gov.mint("alice", 600)
    gov.mint("bob", 300)
    gov.mint("carol", 100)


def test_a_parameter_changes_only_through_an_executed_proposal(gov: Gov) -> None:
    _funded(gov)
    opts = options([set_param("governance", "max_options", 5)])
    pid = gov.propose("alice", opts)
    p = gov.proposal(pid)
    assert p["state"] == "pending" and p["options_hash"] == options_hash(opts)
    assert p["snapshot"]["height"] == p["created_height"] - 1
    assert gov.balance("alice") == 590 and gov.query("escrowed", {}) == 10
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice")
    gov.vote(pid, "carol", -1)
    gov.until(p["vote_end"])
    assert gov.proposal(pid)["state"] == "active"  # queries read the head; the next block is past the end
    gov.net.produce()
    assert gov.proposal(pid)["state"] == "queued"
    gov.fails("governance.timelock", "governance", "execute", {"id": pid}, "bob")
    gov.until(p["eta"] - 1)
    receipt = gov.gov("execute", {"id": pid}, "bob")
    assert gov.param("governance", "max_options") == 5
    history = gov.query("parameter_history", {"plugin": "governance", "name": "max_options"})
    assert history == [{"plugin": "governance", "name": "max_options", "height": receipt.height, "proposal": pid, "old": 8, "new": 5}]
    assert gov.proposal(pid)["state"] == "executed"
    assert gov.balance("alice") == 600 and gov.query("escrowed", {}) == 0
    gov.fails("governance.final", "governance", "execute", {"id": pid}, "bob")
    gov.fails("governance.already_settled", "governance", "settle", {"id": pid}, "bob")


def test_an_approved_proposal_expires_after_its_grace_period(gov: Gov) -> None:
    _funded(gov)
    pid = gov.propose("alice", options([set_param("governance", "max_options", 4)]))
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice")
    gov.until(p["expires"] - 2)
    assert gov.proposal(pid)["state"] == "executable"
    gov.until(p["expires"])
    assert gov.proposal(pid)["state"] == "expired"
    gov.fails("governance.expired", "governance", "execute", {"id": pid}, "alice")
    # Not even the system account's keys (the validators) change anything without a vote.
    gov.fails("governance.not_allowed", "governance", "set_parameter", {"plugin": "governance", "name": "max_options", "value": 3}, "validator")
    gov.fails("governance.not_allowed", "governance", "handover", {}, "validator")
    gov.fails("governance.not_allowed", "governance", "set_council", {"members": "alice"}, "validator")
    assert gov.param("governance", "max_options") == 8
    gov.gov("settle", {"id": pid}, "bob")  # expired: the deposit comes back
    assert gov.balance("alice") == 600


def test_hostile_votes_late_twice_and_with_moved_tokens(slow_gov: Gov) -> None:
    gov = slow_gov
    _funded(gov)
    pid = gov.propose("carol", options([set_param("governance", "max_options", 3)]))
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.transfer("alice", "dave", 600)  # after the snapshot: dave gains nothing, alice keeps her weight
    gov.fails("governance.no_power", "governance", "vote", {"id": pid, "voter": "dave", "choice": 0}, "dave")
    gov.vote(pid, "alice", -1)
    gov.fails("governance.already_voted", "governance", "vote", {"id": pid, "voter": "alice", "choice": 0}, "alice")
    gov.fails("governance.invalid_choice", "governance", "vote", {"id": pid, "voter": "bob", "choice": 1}, "bob")
    gov.fails("tx.missing_authorization", "governance", "vote", {"id": pid, "voter": "bob", "choice": 0}, "carol")
    tally = gov.proposal(pid)["tally"]
    assert tally["against"] == 600 and tally["options"] == [0]
    gov.until(p["vote_end"])
    gov.fails("governance.not_active", "governance", "vote", {"id": pid, "voter": "bob", "choice": 0}, "bob")  # too late
    assert gov.proposal(pid)["state"] == "rejected"
    gov.fails("governance.not_approved", "governance", "execute", {"id": pid}, "carol")


def test_no_quorum_and_veto_settle_by_the_deposit_rules(gov: Gov) -> None:
    _funded(gov)
    quiet = gov.propose("carol", options([set_param("governance", "max_options", 3)]))
    vetoed = gov.propose("bob", options([set_param("governance", "max_options", 2)]))
    p = gov.proposal(vetoed)
    gov.fails("governance.not_settled", "governance", "settle", {"id": vetoed}, "alice")
    gov.until(p["vote_start"])
    gov.vote(vetoed, "alice", -3)
    gov.vote(vetoed, "bob", 0)
    gov.until(p["vote_end"] + 1)
    assert gov.proposal(quiet)["state"] == "no_quorum"
    assert gov.proposal(vetoed)["state"] == "vetoed"
    supply = gov.supply()
    gov.gov("settle", {"id": quiet}, "alice")  # burn_without_quorum is false: refunded
    gov.gov("settle", {"id": vetoed}, "alice")  # burn_on_veto is true: burned
    assert gov.balance("carol") == 100 and gov.balance("bob") == 290
    assert gov.supply() == supply - 10 and gov.query("escrowed", {}) == 0


def test_cancel_before_voting_refunds_and_then_nothing_runs(slow_gov: Gov) -> None:
    gov = slow_gov
    _funded(gov)
    pid = gov.propose("alice", options([set_param("governance", "max_options", 3)]))
    gov.fails("governance.not_active", "governance", "vote", {"id": pid, "voter": "alice", "choice": 0}, "alice")  # too early
    gov.fails("tx.missing_authorization", "governance", "cancel", {"id": pid}, "bob")
    assert gov.balance("alice") == 590
    gov.gov("cancel", {"id": pid}, "alice")
    assert gov.proposal(pid)["state"] == "cancelled" and gov.balance("alice") == 600
    gov.fails("governance.final", "governance", "cancel", {"id": pid}, "alice")
    gov.fails("governance.not_active", "governance", "vote", {"id": pid, "voter": "alice", "choice": 0}, "alice")
    gov.fails("governance.already_settled", "governance", "settle", {"id": pid}, "alice")
    p = gov.proposal(pid)
    gov.until(p["eta"] + 1)
    gov.fails("governance.final", "governance", "execute", {"id": pid}, "alice")


def test_the_proposer_cannot_cancel_once_voting_started(gov: Gov) -> None:
    _funded(gov)
    pid = gov.propose("alice", options([]))
    gov.fails("governance.not_allowed", "governance", "cancel", {"id": pid}, "alice")


def test_multiple_choice_runs_exactly_the_winning_option(gov: Gov) -> None:
    _funded(gov)
    opts = options([set_param("governance", "max_options", 2)], [set_param("governance", "max_options", 6)], [], labels=["two", "six", "keep"])
    pid = gov.propose("alice", opts)
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice", 1)
    gov.vote(pid, "bob", 0)
    gov.vote(pid, "carol", 2)
    gov.until(p["eta"] - 1)
    receipt = gov.gov("execute", {"id": pid}, "carol")
    assert gov.param("governance", "max_options") == 6
    assert gov.proposal(pid)["executed_option"] == 1
    assert [e.name for e in receipt.events].count("parameter_changed") == 1


def test_a_failing_action_leaves_the_proposal_executable_until_expiry(gov: Gov) -> None:
    _funded(gov)
    pid = gov.propose("alice", options([set_param("governance", "max_options", 1000)]))  # out of bounds
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice")
    gov.until(p["eta"] - 1)
    gov.fails("core.invalid_input", "governance", "execute", {"id": pid}, "alice")
    assert gov.proposal(pid)["state"] == "executable" and gov.param("governance", "max_options") == 8
    assert gov.query("escrowed", {}) == 10


def test_set_parameter_directly_needs_the_system_account(gov: Gov) -> None:
    gov.fails("tx.missing_authorization", "governance", "set_parameter", {"plugin": "governance", "name": "max_options", "value": 3}, "alice")
    gov.fails("tx.missing_authorization", "governance", "set_track",
              {"name": "x", "deposit": 0, "voting_delay": 0, "voting_period": 1, "quorum_bps": 0, "approval_bps": 0, "veto_bps": 10000,
               "timelock": 0, "grace": 1, "strategy": "governance.token", "matches": "*"}, "alice")
    assert gov.param("governance", "max_options") == 8
