"""Tonomy DAO: DAOs governed by their members, with roles, requirements and a treasury.

Found through the ``dao`` entry point of the ``tonomy`` group. It imports only
``tonomy.plugin``; every other plugin (Pay, a credential
verifier) is reached through its public actions and queries. The README beside
this package is its specification.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import (
    ActionRegistrar,
    ActionSpec,
    Field,
    PluginInfo,
    QueryRegistrar,
    QuerySpec,
    RecordSchema,
    VotingStrategyRegistrar,
    hookimpl,
)

from tonomy_dao import daos, members, proposals, strategies

NAME = "dao"
VERSION = "0.1.0"


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, version=VERSION, protocol_min=1, protocol_max=1, description="DAOs: members, roles, proposals, treasury")


@hookimpl
def tonomy_register_actions(register: ActionRegistrar) -> None:
    register(ActionSpec("create", daos.create, daos.CREATE, "Create a DAO account governed only by its members' proposals (authority: creator)"))
    register(ActionSpec("configure", daos.configure, daos.CONFIGURE, "Change the DAO's governance settings (authority: the DAO, i.e. a proposal)"))
    register(ActionSpec("create_account", daos.create_account, daos.CREATE_ACCOUNT, "Create an account owned by the DAO (authority: the DAO)"))
    register(ActionSpec("invite", members.invite, members.INVITE, "Invite an account (authority: an admin, or the DAO for admins)"))
    register(ActionSpec("join", members.join, members.JOIN, "Join with an invitation, meeting the DAO's requirement (authority: account)"))
    register(ActionSpec("leave", members.leave, members.MEMBER, "Leave a DAO (authority: account)"))
    register(ActionSpec("remove", members.remove, members.MEMBER, "Remove a member (authority: the DAO, i.e. a vote)"))
    register(ActionSpec("set_role", members.set_role, members.SET_ROLE, "Change a member's role (authority: the DAO)"))
    register(ActionSpec("propose", proposals.propose, proposals.PROPOSE, "Propose actions the DAO runs if its members approve (authority: a member)"))
    register(ActionSpec("vote", proposals.vote, proposals.VOTE, "Vote on a DAO proposal (authority: a member)"))
    register(ActionSpec("execute", proposals.execute, proposals.ID, "Run an approved proposal's actions as the DAO (anyone)"))
    register(ActionSpec("run_proposal", proposals.run_proposal, proposals.ID, "Governance's callback: run an executing DAO proposal's actions as the DAO"))


@hookimpl
def tonomy_register_queries(register: QueryRegistrar) -> None:
    register(QuerySpec("dao", daos.get_dao, daos.DAO_ONLY, "A DAO: creator, settings, member count, owned accounts"))
    register(QuerySpec("members", members.list_members, daos.DAO_ONLY, "Every member with role and join height"))
    register(QuerySpec("member", members.get_member, members.MEMBER, "One membership, or None"))
    register(QuerySpec("proposal", proposals.get_proposal, proposals.ID, "A proposal with its tally, outcome and state"))
    register(QuerySpec("ballot", proposals.get_ballot, proposals.BALLOT, "How an account voted on a proposal"))
    register(QuerySpec("members_at", members.query_members_at, MEMBERS_AT, "A DAO's member count at the end of a block"))


MEMBERS_AT = RecordSchema((daos.DAO_FIELD, Field("height", int, minimum=0, maximum=2**63 - 1)))


@hookimpl
def tonomy_voting_strategies(register: VotingStrategyRegistrar) -> None:
    for spec in strategies.STRATEGIES:
        register(spec)


@hookimpl
def tonomy_register_cli_commands(register: Any) -> None:
    from tonomy_dao.cli import dao_cli  # click only when the CLI asks

    register(dao_cli)


@hookimpl
def tonomy_web_pages(register: Any) -> None:
    from pathlib import Path

    from tonomy.plugin import WebPage

    register(WebPage("index.html", "DAOs: organisations run by their members' votes", "DAOs", Path(__file__).parent / "web"))
