"""The registry: register, release through the DAO, approve through governance, revoke."""

from __future__ import annotations

import pytest
from marketnet import DAO, POLL_V1, Market
from tonomy_marketplace import manifest as manifests
from tonomy_marketplace import publish

from tonomy.chain import codec
from tonomy.testing import check_plugin_conformance
import tonomy_marketplace


def test_conformance() -> None:
    report = check_plugin_conformance(tonomy_marketplace)
    assert [a.name for a in report.actions] == [
        "approve", "attach_review", "register_app", "release", "revoke", "upload_abort", "upload_begin", "upload_chunk", "upload_seal",
    ]


def test_a_dao_releases_and_the_network_approves_at_a_height(market: Market) -> None:
    digest = market.publish(POLL_V1)
    app = market.query("marketplace", "app", {"app": "poll"})
    assert (app["publisher"], app["latest"], app["on_validators"]) == (DAO, "1.0.0", True)
    release = market.query("marketplace", "release", {"app": "poll", "version": "1.0.0"})
    assert (release["status"], release["artifact"], release["active"]) == ("pending", digest, False)
    assert release["manifest"] == POLL_V1.manifest.to_record()
    # pending: the app's code is loaded but the engine refuses it
    market.fails("tx.app_inactive", "poll", "create", {"creator": "dave", "question": "q?", "options": "a,b", "closes": 10**6}, "dave")
    activation = market.height + 12
    market.approve(POLL_V1, activation)
    release = market.query("marketplace", "release", {"app": "poll", "version": "1.0.0"})
    assert (release["status"], release["activation_height"]) == ("approved", activation)
    market.until(activation - 2)
    market.fails("tx.app_inactive", "poll", "create", {"creator": "dave", "question": "q?", "options": "a,b", "closes": 10**6}, "dave")
    market.ok("poll", "create", {"creator": "dave", "question": "q?", "options": "a,b", "closes": 10**6}, "dave")
    assert market.height == activation
    market.ok("poll", "vote", {"id": 1, "voter": "erin", "option": 1}, "erin")
    assert market.query("poll", "poll", {"id": 1})["tally"] == [0, 1]


def test_a_release_the_dao_did_not_approve_is_refused(market: Market) -> None:
    market.publish(POLL_V1)
    digest = market.upload("bob", POLL_V1.package.replace(b"Community polls", b"Community pulls"))
    data = publish.release_actions(dao=DAO, app="poll", version="1.0.1", artifact=digest, manifest=POLL_V1.manifest)[0]["data"]
    # a member signing alone is not the DAO; the DAO account has no key to sign with
    market.fails("tx.missing_authorization", "marketplace", "release", data, "alice")
    market.refused("tx.unauthorized", "marketplace", "release", data, "alice", actor=DAO)
    # the validators (the system account) are not the publisher either
    market.fails("tx.missing_authorization", "marketplace", "release", data, "validator")
    # a DAO proposal the members voted down changes nothing
    before = market.query("marketplace", "releases", {"app": "poll"})
    receipt = market.dao_decide(publish.release_actions(dao=DAO, app="poll", version="1.0.1", artifact=digest, manifest=POLL_V1.manifest), voters=())
    assert (receipt.status, receipt.error_code) == ("failed", "dao.not_approved")
    assert market.query("marketplace", "releases", {"app": "poll"}) == before


def test_only_the_network_approves_and_only_through_governance(market: Market) -> None:
    market.publish(POLL_V1)
    data = {"app": "poll", "version": "1.0.0", "activation_height": market.height + 20}
    market.fails("tx.missing_authorization", "marketplace", "approve", data, "alice")
    # the validators hold the system account's keys together; signing as it is not a vote
    market.fails("marketplace.not_network", "marketplace", "approve", data, "validator")
    market.fails("marketplace.not_publisher", "marketplace", "revoke", {"app": "poll", "version": "1.0.0", "at_height": market.height + 9}, "validator")
    # the publisher DAO cannot approve its own release for the network
    receipt = market.dao_decide([{"plugin": "marketplace", "name": "approve", "data": data}])
    assert (receipt.status, receipt.error_code) == ("failed", "tx.missing_authorization")
    assert market.query("marketplace", "release", {"app": "poll", "version": "1.0.0"})["status"] == "pending"
    # a height in the past is refused even through governance
    receipt = market.gov_decide(publish.network_approval_actions("poll", "1.0.0", 2))
    assert (receipt.status, receipt.error_code) == ("failed", "marketplace.invalid_height")


def test_register_and_release_refusals(market: Market) -> None:
    def register(app: str, publisher: str = DAO) -> dict[str, object]:
        return {"plugin": "marketplace", "name": "register_app", "data": {"app": app, "publisher": publisher, "description": "", "on_validators": True}}

    receipt = market.dao_decide([register("governance")])
    assert receipt.error_code == "marketplace.unknown_app"
    market.fails("marketplace.not_a_dao", "marketplace", "register_app", register("mine", "dave")["data"], "dave")
    market.publish(POLL_V1)
    assert market.dao_decide([register("poll")]).error_code == "marketplace.app_exists"

    def release(version: str, **changes: object) -> str:
        data = {**publish.release_actions(dao=DAO, app="poll", version=version, artifact=POLL_V1.artifact, manifest=POLL_V1.manifest)[0]["data"], **changes}
        return str(market.dao_decide([{"plugin": "marketplace", "name": "release", "data": data}]).error_code)

    assert release("1.0.0") == "marketplace.invalid_version"  # not greater than the latest
    assert release("0.9.0") == "marketplace.invalid_version"
    assert release("1.0") == "tx.invalid_data"  # the schema: too short to be a version
    assert release("1.0.x") == "marketplace.invalid_version"
    assert release("01.0.0") == "marketplace.invalid_version"
    assert release("1.1.0", artifact=bytes(32)) == "marketplace.unknown_artifact"
    assert release("1.1.0", protocol_min=3, protocol_max=2) == "marketplace.invalid_protocol"
    assert release("1.1.0", manifest=codec.encode({"state": ["b/", "a/"], "calls": [], "queries": [], "personal_data": []})) == "marketplace.invalid_manifest"
    assert release("1.1.0", manifest=b"\xff\x00garbage") == "marketplace.invalid_manifest"
    assert release("1.1.0", manifest=codec.encode({"state": [], "calls": ["pay"], "queries": [], "personal_data": []})) == "marketplace.invalid_manifest"
    assert market.query("marketplace", "app", {"app": "poll"})["latest"] == "1.0.0"


def test_revocation_is_a_kill_switch_at_a_height(market: Market) -> None:
    market.publish(POLL_V1)
    activation = market.height + 12
    market.approve(POLL_V1, activation)
    market.until(activation)
    market.ok("poll", "create", {"creator": "dave", "question": "q?", "options": "a,b", "closes": 10**6}, "dave")
    # the publisher DAO pulls it, through its own governance
    stop = market.height + 8
    receipt = market.dao_decide(publish.network_revocation_actions("poll", "1.0.0", stop, "a bug"))
    assert receipt.status == "executed", receipt.error_message
    market.until(stop - 2)
    market.ok("poll", "vote", {"id": 1, "voter": "erin", "option": 0}, "erin")
    market.fails("tx.app_inactive", "poll", "vote", {"id": 1, "voter": "bob", "option": 0}, "bob")
    with pytest.raises(Exception) as refused:
        market.query("poll", "poll", {"id": 1})
    assert getattr(refused.value, "code", "") == "tx.app_inactive"
    release = market.query("marketplace", "release", {"app": "poll", "version": "1.0.0"})
    assert (release["status"], release["disable_height"], release["active"]) == ("revoked", stop, False)
    assert market.dao_decide(publish.network_revocation_actions("poll", "1.0.0", market.height + 5)).error_code == "marketplace.wrong_status"
    # a stranger cannot revoke
    market.fails("marketplace.not_publisher", "marketplace", "revoke", {"app": "poll", "version": "1.0.0", "at_height": market.height + 5}, "dave")


def test_an_app_off_validators_is_approved_by_its_dao_alone(market: Market) -> None:
    market.publish(POLL_V1, on_validators=False)
    release = market.query("marketplace", "release", {"app": "poll", "version": "1.0.0"})
    assert release["status"] == "approved"
    assert market.query("marketplace", "capabilities", {"app": "poll"}) == {"windows": []}  # never runs on validators


def test_manifest_build_and_decode_round_trip() -> None:
    built = manifests.build(state=["b/", "a/", "a/"], calls=["pay.transfer"], personal_data=["email"])
    assert built.state == ("a/", "b/")
    assert manifests.decode(built.encode()) == built
    for bad in (b"", b"\x00" * 5000, codec.encode([]), codec.encode({"state": ["../x"], "calls": [], "queries": [], "personal_data": []})):
        with pytest.raises(manifests.ManifestError):
            manifests.decode(bad)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("app", {}),
        ("app", {"app": ""}),
        ("app", {"app": "x" * 65}),
        ("release", {"app": "poll", "version": 1}),
        ("release", {"app": "poll"}),
        ("chunk", {"hash": b"short", "index": 0}),
        ("chunk", {"hash": bytes(32), "index": -1}),
        ("chunk", {"hash": bytes(32), "index": 2**40}),
        ("apps", {"limit": 0}),
        ("apps", {"limit": 101}),
        ("quota", {"account": 5}),
        ("reviews", {"app": "poll", "version": "1.0.0", "extra": 1}),
    ],
)
def test_hostile_queries_are_refused_with_a_stable_code(market: Market, name: str, params: dict[str, object]) -> None:
    root = market.state_root()
    with pytest.raises(Exception) as refused:
        market.query("marketplace", name, params)
    assert getattr(refused.value, "code", "") in ("core.invalid_input", "tx.invalid_data")
    assert market.state_root() == root


def test_queries_for_things_that_do_not_exist_answer_none(market: Market) -> None:
    assert market.query("marketplace", "app", {"app": "nope"}) is None
    assert market.query("marketplace", "release", {"app": "poll", "version": "not.a.version"}) is None
    assert market.query("marketplace", "releases", {"app": "nope"}) == []
    assert market.query("marketplace", "chunk", {"hash": bytes(32), "index": 0}) is None
    assert market.query("marketplace", "capabilities", {"app": "nope"}) is None
    assert market.query("marketplace", "apps", {"after": "zzz"}) == []


def test_an_upgrade_moves_the_window_at_its_height(market: Market) -> None:
    from dataclasses import replace

    market.publish(POLL_V1)
    first = market.height + 12
    market.approve(POLL_V1, first)
    newer = replace(POLL_V1, version="1.1.0")
    market.publish(newer, register=False)
    second = market.height + 12
    market.approve(newer, second)
    windows = market.query("marketplace", "capabilities", {"app": "poll"})["windows"]
    assert [(w["version"], w["from"], w["until"]) for w in windows] == [("1.0.0", first, second), ("1.1.0", second, None)]
    market.until(second - 1)
    assert [r["active"] for r in market.query("marketplace", "releases", {"app": "poll"})] == [True, False]
    market.until(second)
    assert [r["active"] for r in market.query("marketplace", "releases", {"app": "poll"})] == [False, True]
    # a release is approved once
    newest = replace(POLL_V1, version="1.2.0")
    market.publish(newest, register=False)
    receipt = market.gov_decide(publish.network_approval_actions("poll", "1.2.0", market.height + 8))
    assert receipt.status == "executed"
    assert market.gov_decide(publish.network_approval_actions("poll", "1.2.0", market.height + 8)).error_code == "marketplace.wrong_status"


def test_a_proposal_may_approve_with_a_delay_instead_of_a_height(market: Market) -> None:
    market.publish(POLL_V1)
    both = [{"plugin": "marketplace", "name": "approve", "data": {"app": "poll", "version": "1.0.0", "activation_height": 10**6, "delay": 5}}]
    assert market.gov_decide(both).error_code == "marketplace.invalid_height"
    neither = [{"plugin": "marketplace", "name": "approve", "data": {"app": "poll", "version": "1.0.0"}}]
    assert market.gov_decide(neither).error_code == "marketplace.invalid_height"
    receipt = market.approve_with(publish.network_approval_actions("poll", "1.0.0", delay=7))
    release = market.query("marketplace", "release", {"app": "poll", "version": "1.0.0"})
    assert release["activation_height"] == receipt.height + 7
    with pytest.raises(ValueError):
        publish.network_approval_actions("poll", "1.0.0", 5, delay=7)
