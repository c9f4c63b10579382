"""Crowdfunding with refunds: an app published through the marketplace.

A creator opens a campaign with a goal in a Pay token and a deadline height. Backers
pledge before the deadline; their tokens move into the app's escrow account (an account
whose only authority is this app's code, ``tonomy.code@crowdfund``). After the deadline,
a campaign that reached its goal pays the creator once (``claim``); one that did not
lets every backer take their pledge back (``refund``). Nobody, not the creator, not the
publisher DAO, can move escrowed tokens any other way.

Capability manifest: state ``campaign/``, ``pledge/``, ``seq/``; calls
``pay.transfer`` and ``tonomy.newaccount``.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionSpec, PluginInfo, QuerySpec, RecordSchema, hookimpl

from . import campaigns

NAME = "crowdfund"
VERSION = "1.0.0"


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, version=VERSION, protocol_min=1, protocol_max=1, description="Crowdfunding with refunds")


@hookimpl
def tonomy_register_actions(register: Any) -> None:
    register(ActionSpec("open_escrow", campaigns.open_escrow, campaigns.OPEN_ESCROW, "Create the app's escrow account, once (authority: payer)"))
    register(ActionSpec("create", campaigns.create, campaigns.CREATE, "Open a campaign (authority: creator)"))
    register(ActionSpec("pledge", campaigns.pledge, campaigns.PLEDGE, "Pledge tokens before the deadline (authority: backer)"))
    register(ActionSpec("claim", campaigns.claim, campaigns.ID, "Pay a funded campaign to its creator (anyone, after the deadline)"))
    register(ActionSpec("refund", campaigns.refund, campaigns.REFUND, "Return a backer's pledge to an unfunded campaign (anyone)"))


@hookimpl
def tonomy_register_queries(register: Any) -> None:
    register(QuerySpec("campaign", campaigns.get_campaign, campaigns.ID, "A campaign with what it raised"))
    register(QuerySpec("pledge", campaigns.get_pledge, campaigns.REFUND, "A backer's pledge to a campaign"))
    register(QuerySpec("escrow", campaigns.get_escrow, RecordSchema(()), "The app's escrow account"))

