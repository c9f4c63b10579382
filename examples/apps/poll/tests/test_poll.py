"""Community polls, published by a DAO and approved by the network; version 2's migration."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from marketnet import POLL_V1, POLL_V2, Market, make_market


@pytest.fixture
def market(tmp_path: Path) -> Iterator[Market]:
    net = make_market(tmp_path, [POLL_V1])
    net.publish(POLL_V1)
    activation = net.height + 10
    net.approve(POLL_V1, activation)
    net.until(activation - 1)
    try:
        yield net
    finally:
        net.net.close()


def create(market: Market, options: str = "yes,no,maybe", closes: int = 20) -> None:
    market.ok("poll", "create", {"creator": "carol", "question": "Build it?", "options": options, "closes": market.height + closes}, "carol")


def test_people_vote_once_while_a_poll_is_open(market: Market) -> None:
    create(market, closes=6)
    for voter, option in (("alice", 0), ("bob", 0), ("dave", 2)):
        market.ok("poll", "vote", {"id": 1, "voter": voter, "option": option}, voter)
    market.fails("poll.already_voted", "poll", "vote", {"id": 1, "voter": "bob", "option": 1}, "bob")
    market.fails("poll.invalid_option", "poll", "vote", {"id": 1, "voter": "erin", "option": 3}, "erin")
    market.fails("tx.missing_authorization", "poll", "vote", {"id": 1, "voter": "erin", "option": 1}, "dave")
    assert market.query("poll", "poll", {"id": 1})["tally"] == [2, 0, 1]
    market.until(market.query("poll", "poll", {"id": 1})["closes"])
    market.fails("poll.closed", "poll", "vote", {"id": 1, "voter": "erin", "option": 1}, "erin")
    assert market.query("poll", "poll", {"id": 1})["open"] is False


@pytest.mark.parametrize("options", ["solo", "a,a", "a,,b", "1,2,3,4,5,6,7,8,9"])
def test_bad_polls_are_refused(market: Market, options: str) -> None:
    market.fails("poll.invalid_options", "poll", "create", {"creator": "carol", "question": "q", "options": options, "closes": market.height + 5}, "carol")
    assert market.query("poll", "poll", {"id": 1}) is None


def _v2_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("poll_v2_for_tests", POLL_V2.module_dir / "__init__.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_v2_migration_rewrites_v1_polls_once() -> None:
    v2 = _v2_module()
    old = {"id": 1, "creator": "carol", "question": "q", "options": "yes,no", "closes": 9, "tally": [3, 4]}
    migrated = v2.migrate_poll(old)
    assert migrated == {**old, "options": ["yes", "no"], "votes": 7}
    assert v2.migrate_poll(migrated) is None  # idempotent: already in the new form


def test_v1_activates_v2_migrates_and_revocation_disables_through_the_lifecycle(tmp_path: Path) -> None:
    """The real flow on one chain: the code runs only from the heights governance sets."""
    from tonomy_marketplace import publish
    from tonomy_marketplace.cli import lifecycle_action

    market = make_market(tmp_path, [POLL_V1, POLL_V2], pin_apps=False)
    try:
        market.publish(POLL_V1)
        start = market.height + 12
        market.approve_with(publish.network_approval_actions("poll", "1.0.0", start, [lifecycle_action("activate", "poll", "1.0.0", start)]))
        market.until(start - 1)
        market.refused("tx.unknown_plugin", "poll", "create", {"creator": "carol", "question": "q", "options": "a,b", "closes": 10**6}, "carol", "carol")
        market.until(start)
        market.ok("poll", "create", {"creator": "carol", "question": "Build it?", "options": "yes,no", "closes": 10**6}, "carol")
        market.ok("poll", "vote", {"id": 1, "voter": "dave", "option": 1}, "dave")
        market.publish(POLL_V2, register=False)
        upgrade = market.height + 12
        market.approve_with(publish.network_approval_actions("poll", "2.0.0", upgrade, [lifecycle_action("upgrade", "poll", "2.0.0", upgrade)]))
        market.until(upgrade - 2)
        assert market.query("poll", "poll", {"id": 1})["options"] == "yes,no"  # still v1
        market.until(upgrade)
        poll = market.query("poll", "poll", {"id": 1})
        assert (poll["options"], poll["votes"], poll["tally"]) == (["yes", "no"], 1, [0, 1])  # migrated once
        market.ok("poll", "close", {"id": 1, "creator": "carol"}, "carol")  # new in v2
        stop = market.height + 12
        market.approve_with(publish.network_revocation_actions("poll", "2.0.0", stop, "", [lifecycle_action("disable", "poll", "", stop)]))
        market.until(stop)
        market.refused("tx.plugin_disabled", "poll", "create", {"creator": "carol", "question": "q", "options": "a,b", "closes": 10**6}, "carol", "carol")
    finally:
        market.net.close()
