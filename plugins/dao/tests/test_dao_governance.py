"""DAOs on the governance plugin's engine: scoped tracks, the execution hand-off, hostile paths."""

from __future__ import annotations

from daonet import Net, acts, pay_transfer

from tonomy.chain import codec


def _options(*actions: dict) -> bytes:
    return codec.encode([{"label": "yes", "actions": list(actions)}])


def test_a_dao_has_a_scoped_track_built_from_its_settings(club: Net) -> None:
    tracks = {t["name"]: t for t in club.query("governance", "tracks", {})}
    track = tracks["club:main"]
    assert track["scope"] == "club" and track["strategy"] == "dao.members" and track["voting_period"] == 3
    assert (track["timelock"], track["grace"], track["deposit"], track["veto_bps"]) == (1, 5, 0, 10_000)
    assert tracks["root"]["scope"] == "network"
    club.decide("club", "alice", acts({"plugin": "dao", "name": "configure", "data": {"dao": "club", "voting_period": 6}}), ["alice", "bob"])
    assert {t["name"]: t for t in club.query("governance", "tracks", {})}["club:main"]["voting_period"] == 6


def test_a_dao_proposal_is_a_governance_proposal_and_runs_as_the_dao(club: Net) -> None:
    pid = club.propose("club", "alice", acts(pay_transfer("club", "dave", 120)))
    found = club.query("governance", "proposal", {"id": pid})
    assert found["scope"] == "club" and found["track"] == "club:main" and found["strategy"] == "dao.members"
    assert found["snapshot"] == {"height": found["created_height"] - 1, "strategy": "dao.members", "scope": "club", "symbol": None}
    club.vote(pid, "alice")
    club.vote(pid, "bob", 2)
    assert club.query("dao", "ballot", {"id": pid, "account": "bob"}) == {"choice": 2, "weight": 1}
    # A non-member voting straight through governance has no power on the DAO's track.
    club.fails("governance.no_power", "governance", "vote", {"id": pid, "voter": "dave", "choice": 0}, "dave")
    club.until(club.query("dao", "proposal", {"id": pid})["eta"] - 1)
    # Executed straight through governance: the DAO plugin still runs it, as the DAO, once.
    receipt = club.ok("governance", "execute", {"id": pid}, "erin")
    assert [(e.plugin, e.name) for e in receipt.events if e.name == "executed"] == [("dao", "executed"), ("governance", "executed")]
    assert club.balance("dave") == 1_120 and club.balance("club") == 380
    club.fails("dao.final", "dao", "execute", {"id": pid}, "erin")
    assert club.query("dao", "proposal", {"id": pid})["state"] == "executed"


def test_nobody_reaches_the_treasury_around_the_engine(club: Net) -> None:
    pid = club.propose("club", "alice", acts(pay_transfer("club", "dave", 100)))
    # run_proposal outside governance.execute, for a DAO proposal or any id.
    for target in (pid, 999):
        club.fails("dao.not_allowed", "dao", "run_proposal", {"id": target}, "dave")
    # A non-member proposing on the DAO's track through governance.
    club.fails("governance.not_member", "governance", "propose",
               {"proposer": "dave", "track": "club:main", "title": "t", "options": _options(pay_transfer("club", "dave", 100))}, "dave")
    # Tracks of a DAO change only with the DAO's authority; an account that is not a DAO has no tracks.
    track = {"name": "fast", "scope": "club", "deposit": 0, "voting_delay": 0, "voting_period": 1, "quorum_bps": 0, "approval_bps": 0,
             "veto_bps": 10_000, "timelock": 0, "grace": 5, "strategy": "dao.members", "matches": "*"}
    club.fails("tx.missing_authorization", "governance", "set_track", track, "alice")
    club.fails("governance.not_allowed", "governance", "set_track", {**track, "scope": "alice"}, "alice")
    club.fails("tx.missing_authorization", "governance", "remove_track", {"name": "club:main"}, "alice")
    # A network proposal may not name actors, so it cannot carry a DAO's actions either.
    club.fails("governance.invalid_options", "governance", "propose",
               {"proposer": "alice", "track": "root", "title": "t", "options": _options(pay_transfer("club", "dave", 100, actor="club"))}, "alice")
    # A network proposal that tries to call run_proposal for the DAO's proposal is refused at execution.
    network = club.ok("governance", "propose", {"proposer": "alice", "track": "root", "title": "t",
                                                 "options": _options({"plugin": "dao", "name": "run_proposal", "data": {"id": pid}})}, "alice")
    nid = int(codec.decode([e for e in network.events if e.name == "proposed"][0].data)["id"])
    assert club.query("dao", "proposal", {"id": nid}) is None  # not a DAO proposal
    assert club.balance("club") == 500 and club.balance("dave") == 1_000


def test_a_token_dao_weighs_members_only(chain: Net) -> None:
    chain.dao("create", {"creator": "alice", "name": "fund", "strategy": "token", "symbol": "TONO", "voting_period": 4, "quorum_bps": 0, "open": True}, "alice")
    pid = chain.propose("fund", "alice", acts())
    # carol holds TONO but is not a member: no weight, through the DAO or governance.
    chain.fails("dao.not_member", "dao", "vote", {"id": pid, "voter": "carol", "choice": 1}, "carol")
    chain.fails("governance.no_power", "governance", "vote", {"id": pid, "voter": "carol", "choice": 0}, "carol")
    chain.vote(pid, "alice")
    assert chain.query("dao", "ballot", {"id": pid, "account": "alice"}) == {"choice": 1, "weight": 1_000}
