"""The DAO on a real chain: creation, membership, proposals, treasury, owned accounts, hostile cases."""

from __future__ import annotations

import pytest
from daonet import Net, acts, pay_transfer

from tonomy.errors import InvalidActionDataError, TransactionUnauthorizedError

from tonomy.chain import codec


def test_a_dao_is_an_account_no_key_can_use(club: Net) -> None:
    account = club.query("tonomy", "account", {"name": "club"})
    assert account["type"] == "dao"
    for permission in account["permissions"]:
        assert permission["authority"]["keys"] == []
        assert permission["authority"]["accounts"] == [{"actor": "tonomy.code", "permission": "dao", "weight": 1}]
    assert club.members("club") == {"alice": "admin", "bob": "member", "carol": "member"}
    assert club.query("dao", "dao", {"dao": "club"})["members"] == 3


def test_the_treasury_pays_only_through_an_approved_proposal(club: Net) -> None:
    pid = club.decide("club", "bob", acts(pay_transfer("club", "dave", 200)), ["alice", "bob"])
    assert club.balance("club") == 300 and club.balance("dave") == 1_200
    assert club.query("dao", "proposal", {"id": pid})["state"] == "executed"
    club.fails("dao.final", "dao", "execute", {"id": pid}, "bob")
    assert club.balance("club") == 300


def test_nobody_spends_the_treasury_without_a_proposal(club: Net) -> None:
    # the creator (admin) signs as the DAO: its key is not in the DAO's authority
    # and so do the validators: the node refuses the transaction before it runs
    for signer in ("alice", "validator"):
        with pytest.raises(TransactionUnauthorizedError):
            club.act("pay", "transfer", {"from": "club", "to": "bob", "symbol": "TONO", "amount": 1}, signer, actor="club")
    # a rejected proposal does not run
    pid = club.propose("club", "alice", acts(pay_transfer("club", "alice", 500)))
    club.vote(pid, "alice")
    club.vote(pid, "bob", 0)
    club.vote(pid, "carol", 0)
    club.until(club.query("dao", "proposal", {"id": pid})["eta"])
    assert club.query("dao", "proposal", {"id": pid})["state"] == "rejected"
    club.fails("dao.not_approved", "dao", "execute", {"id": pid}, "alice")
    assert club.balance("club") == 500


def test_execution_waits_for_the_end_of_voting_and_the_timelock(club: Net) -> None:
    pid = club.propose("club", "alice", acts(pay_transfer("club", "alice", 10)))
    club.vote(pid, "alice")
    club.vote(pid, "bob")
    club.fails("dao.not_approved", "dao", "execute", {"id": pid}, "alice")  # still open for votes
    p = club.query("dao", "proposal", {"id": pid})
    club.until(p["eta"] - 2)
    club.fails("dao.timelock", "dao", "execute", {"id": pid}, "alice")
    club.dao("execute", {"id": pid}, "alice")
    assert club.balance("club") == 490


def test_non_members_and_late_members_cannot_vote_or_propose(club: Net) -> None:
    club.fails("dao.not_member", "dao", "propose", {"dao": "club", "proposer": "dave", "title": "t", "actions": acts()}, "dave")
    club.dao("invite", {"dao": "club", "inviter": "alice", "account": "dave"}, "alice")
    pid = club.propose("club", "alice", acts(pay_transfer("club", "dave", 500)))
    club.fails("dao.not_member", "dao", "vote", {"id": pid, "voter": "dave", "choice": 1}, "dave")
    club.dao("join", {"dao": "club", "account": "dave"}, "dave")
    club.fails("dao.not_member", "dao", "vote", {"id": pid, "voter": "dave", "choice": 1}, "dave")  # joined after the proposal
    again = club.propose("club", "alice", acts())
    club.vote(again, "alice")
    club.fails("dao.already_voted", "dao", "vote", {"id": again, "voter": "alice", "choice": 1}, "alice")
    # someone voting under another's name is refused by the authority check
    receipt = club.act("dao", "vote", {"id": again, "voter": "bob", "choice": 1}, "erin", actor="erin")
    assert receipt.status == "failed" and receipt.error_code == "tx.missing_authorization"


def test_a_member_is_removed_only_by_a_vote(club: Net) -> None:
    club.fails("tx.missing_authorization", "dao", "remove", {"dao": "club", "account": "bob"}, "alice")  # the admin alone
    club.decide("club", "alice", acts({"plugin": "dao", "name": "remove", "data": {"dao": "club", "account": "bob"}}), ["alice", "carol"])
    assert club.members("club") == {"alice": "admin", "carol": "member"}
    club.fails("dao.not_member", "dao", "propose", {"dao": "club", "proposer": "bob", "title": "t", "actions": acts()}, "bob")


def test_join_needs_an_invitation_and_leave_works(club: Net) -> None:
    club.fails("dao.not_invited", "dao", "join", {"dao": "club", "account": "dave"}, "dave")
    club.fails("dao.not_allowed", "dao", "invite", {"dao": "club", "inviter": "bob", "account": "dave"}, "bob")  # not an admin
    club.fails("dao.not_allowed", "dao", "invite", {"dao": "club", "inviter": "alice", "account": "dave", "role": "admin"}, "alice")
    club.fails("dao.already_member", "dao", "invite", {"dao": "club", "inviter": "alice", "account": "bob"}, "alice")
    club.dao("leave", {"dao": "club", "account": "carol"}, "carol")
    club.fails("dao.not_member", "dao", "leave", {"dao": "club", "account": "carol"}, "carol")
    assert club.query("dao", "dao", {"dao": "club"})["members"] == 2


def test_joining_needs_the_credential_the_dao_requires(chain: Net) -> None:
    spec = codec.encode({"plugin": "badges", "query": "holds", "params": {"badge": "human", "needs_evidence": True}})
    chain.dao("create", {"creator": "alice", "name": "humans", "open": True, "requirement": spec}, "alice")
    chain.fails("dao.requirement_not_met", "dao", "join", {"dao": "humans", "account": "bob", "evidence": b"proof"}, "bob")
    chain.ok("badges", "grant", {"account": "bob", "badge": "human"}, "validator")
    chain.fails("dao.requirement_not_met", "dao", "join", {"dao": "humans", "account": "bob", "evidence": b"forged"}, "bob")
    chain.dao("join", {"dao": "humans", "account": "bob", "evidence": b"proof"}, "bob")
    assert chain.members("humans") == {"alice": "admin", "bob": "member"}


def test_a_bad_requirement_spec_is_refused(chain: Net) -> None:
    for spec in (b"\xff\x00", codec.encode({"plugin": "badges"}), codec.encode({"plugin": "b", "query": "q", "params": {"account": "x"}})):
        chain.fails("dao.invalid_config", "dao", "create", {"creator": "alice", "name": "bad", "requirement": spec}, "alice")
    assert chain.query("dao", "dao", {"dao": "bad"}) is None


def test_dao_owned_accounts_act_only_through_the_dao(club: Net) -> None:
    club.decide("club", "alice", acts({"plugin": "dao", "name": "create_account", "data": {"dao": "club", "name": "club.ops"}}), ["alice", "bob"])
    assert club.query("dao", "dao", {"dao": "club"})["owned_accounts"] == ["club.ops"]
    club.decide("club", "alice", acts(pay_transfer("club", "club.ops", 100)), ["alice", "bob"])
    club.decide("club", "alice", acts(pay_transfer("club.ops", "carol", 40, actor="club.ops")), ["alice", "bob"])
    assert (club.balance("club.ops"), club.balance("carol")) == (60, 1_040)


def test_one_dao_cannot_act_for_another(club: Net) -> None:
    club.dao("create", {"creator": "dave", "name": "rival", "voting_period": 2, "timelock": 0}, "dave")
    for actor in ("club", "alice", "tonomy"):
        club.fails("dao.invalid_actions", "dao", "propose", {"dao": "rival", "proposer": "dave", "title": "t", "actions": acts(pay_transfer(actor, "dave", 1, actor=actor))}, "dave")
    # naming the victim as "from" while acting as itself fails at the token's authority check
    pid = club.propose("rival", "dave", acts(pay_transfer("club", "dave", 100)))
    club.vote(pid, "dave")
    club.until(club.query("dao", "proposal", {"id": pid})["eta"] - 1)
    receipt = club.act("dao", "execute", {"id": pid}, "dave")
    assert receipt.status == "failed" and receipt.error_code == "tx.missing_authorization"
    assert club.balance("club") == 500


def test_governance_settings_change_only_by_proposal(club: Net) -> None:
    club.fails("tx.missing_authorization", "dao", "configure", {"dao": "club", "quorum_bps": 0}, "alice")
    club.decide("club", "alice", acts({"plugin": "dao", "name": "configure", "data": {"dao": "club", "voting_period": 5, "approval_bps": 6000}}), ["alice", "bob"])
    config = club.query("dao", "dao", {"dao": "club"})["config"]
    assert (config["voting_period"], config["approval_bps"]) == (5, 6000)


def test_quorum_counts_the_members_at_creation(club: Net) -> None:
    pid = club.propose("club", "alice", acts(pay_transfer("club", "alice", 10)))
    club.vote(pid, "alice")  # 1 of 3 < 50 %
    club.until(club.query("dao", "proposal", {"id": pid})["eta"] - 1)
    assert club.query("dao", "proposal", {"id": pid})["state"] == "no_quorum"
    club.fails("dao.not_approved", "dao", "execute", {"id": pid}, "alice")


def test_token_weighted_dao_reads_pay_at_the_snapshot(chain: Net) -> None:
    chain.dao("create", {"creator": "alice", "name": "fund", "strategy": "token", "symbol": "TONO", "voting_period": 4, "quorum_bps": 0, "open": True}, "alice")
    chain.dao("join", {"dao": "fund", "account": "bob"}, "bob")
    chain.ok("pay", "transfer", {"from": "carol", "to": "fund", "symbol": "TONO", "amount": 100}, "carol")
    pid = chain.propose("fund", "alice", acts(pay_transfer("fund", "alice", 100)))
    chain.ok("pay", "transfer", {"from": "dave", "to": "bob", "symbol": "TONO", "amount": 900}, "dave")  # after the snapshot
    chain.vote(pid, "alice", 1)
    chain.vote(pid, "bob", 0)
    weights = {a: chain.query("dao", "ballot", {"id": pid, "account": a})["weight"] for a in ("alice", "bob")}
    assert weights == {"alice": 1_000, "bob": 1_000}  # bob's 900 received later add nothing
    assert chain.query("dao", "proposal", {"id": pid})["total"] == 5_000


def test_hostile_input_changes_nothing(club: Net) -> None:
    before = club.query("dao", "dao", {"dao": "club"})
    bad_actions = [
        b"\xff\xfe garbage",
        codec.encode({"plugin": "pay"}),  # not a list
        codec.encode([{"plugin": "pay", "name": "transfer"}]),  # no data
        codec.encode([{"plugin": "pay", "name": "transfer", "data": {}, "extra": 1}]),
        codec.encode([{"plugin": "pay", "name": "transfer", "data": {}, "actor": 7}]),
        codec.encode([{"plugin": "pay", "name": "transfer", "data": {}}] * 17),  # too many
    ]
    for raw in bad_actions:
        club.fails("dao.invalid_actions", "dao", "propose", {"dao": "club", "proposer": "alice", "title": "t", "actions": raw}, "alice")
    schema_refused = [
        ("propose", {"dao": "club", "proposer": "alice", "title": "t", "actions": b"x" * 20_000}),
        ("vote", {"id": 1, "voter": "alice", "choice": 3}),
        ("create", {"creator": "bob", "name": "tok", "quorum_bps": 10_001}),
        ("join", {"dao": "club", "account": "dave", "evidence": "not bytes"}),
    ]
    for name, data in schema_refused:  # refused at admission, before any block
        with pytest.raises(InvalidActionDataError):
            club.act("dao", name, data, "alice")
    club.fails("dao.unknown_proposal", "dao", "vote", {"id": 99, "voter": "alice", "choice": 1}, "alice")
    club.fails("dao.unknown_proposal", "dao", "execute", {"id": 99}, "alice")
    club.fails("dao.unknown_dao", "dao", "join", {"dao": "nowhere", "account": "dave"}, "dave")
    club.fails("dao.invalid_role", "dao", "invite", {"dao": "club", "inviter": "alice", "account": "dave", "role": "king"}, "alice")
    club.fails("dao.dao_exists", "dao", "create", {"creator": "bob", "name": "club"}, "bob")
    club.fails("dao.dao_exists", "dao", "create", {"creator": "bob", "name": "alice"}, "bob")
    club.fails("dao.invalid_config", "dao", "create", {"creator": "bob", "name": "tok", "strategy": "token"}, "bob")
    club.fails("dao.invalid_config", "dao", "create", {"creator": "bob", "name": "tok", "strategy": "plutocracy"}, "bob")
    assert club.query("dao", "dao", {"dao": "club"}) == before
    assert club.query("dao", "proposal", {"id": 1}) is None


def test_an_expired_proposal_does_not_run(club: Net) -> None:
    pid = club.propose("club", "alice", acts(pay_transfer("club", "alice", 10)))
    club.vote(pid, "alice")
    club.vote(pid, "bob")
    club.until(club.query("dao", "proposal", {"id": pid})["expires"] - 1)
    assert club.query("dao", "proposal", {"id": pid})["state"] == "expired"
    club.fails("dao.expired", "dao", "execute", {"id": pid}, "alice")
    assert club.balance("club") == 500


def test_a_failing_action_rolls_back_and_the_proposal_stays_executable(club: Net) -> None:
    pid = club.propose("club", "alice", acts(pay_transfer("club", "bob", 1), pay_transfer("club", "carol", 10_000)))
    club.vote(pid, "alice")
    club.vote(pid, "bob")
    club.until(club.query("dao", "proposal", {"id": pid})["eta"] - 1)
    club.fails("pay.overdrawn", "dao", "execute", {"id": pid}, "alice")
    assert club.balance("club") == 500 and club.balance("bob") == 1_000
    assert club.query("dao", "proposal", {"id": pid})["state"] == "executable"


def test_the_dao_itself_invites_admins_and_changes_roles(club: Net) -> None:
    invite = {"plugin": "dao", "name": "invite", "data": {"dao": "club", "inviter": "club", "account": "dave", "role": "admin"}}
    promote = {"plugin": "dao", "name": "set_role", "data": {"dao": "club", "account": "bob", "role": "admin"}}
    club.decide("club", "alice", acts(invite, promote), ["alice", "bob"])
    club.dao("join", {"dao": "club", "account": "dave"}, "dave")
    assert club.members("club") == {"alice": "admin", "bob": "admin", "carol": "member", "dave": "admin"}
    club.fails("tx.missing_authorization", "dao", "set_role", {"dao": "club", "account": "carol", "role": "admin"}, "alice")
    club.dao("invite", {"dao": "club", "inviter": "bob", "account": "erin"}, "bob")  # bob may invite members now
