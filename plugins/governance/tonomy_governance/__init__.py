"""Tonomy governance: proposals, tracks, voting strategies, timelock and parameters.

The host finds this module through the ``governance`` entry point of the ``tonomy``
group. The README beside this package is its specification. A network makes it the
governance plugin with the genesis parameter ``tonomy.governance_plugin = "governance"``.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import (
    ActionRegistrar,
    ActionSpec,
    Field,
    ParameterRegistrar,
    PluginInfo,
    QueryRegistrar,
    QuerySpec,
    RecordSchema,
    VotingStrategyRegistrar,
    hookimpl,
)

from tonomy_governance import council, execution, parameter_changes, plugin_changes, proposals, tracks, voting
from tonomy_governance.params import PARAMETERS
from tonomy_governance.strategies import BUILT_IN

NAME = "governance"
VERSION = "0.1.0"


def _council(ctx: Any, params: Any) -> dict[str, Any]:
    return council.config(ctx)


def _escrowed(ctx: Any, params: Any) -> int:
    from tonomy_governance import layout

    value = ctx.state.get_record(layout.ESCROWED)
    return 0 if value is None else int(value)


def _strategies(ctx: Any, params: Any) -> list[dict[str, Any]]:
    return [{"name": name, "description": spec.description, "needs": list(spec.needs)} for name, spec in sorted(ctx.voting_strategies().items())]


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, version=VERSION, protocol_min=1, protocol_max=1, description="On-chain governance: proposals, tracks, voting, timelock, parameters")


@hookimpl
def tonomy_register_actions(register: ActionRegistrar) -> None:
    register(ActionSpec("propose", proposals.propose, proposals.PROPOSE, "Create a proposal (takes the track's deposit)"))
    register(ActionSpec("cancel", proposals.cancel, proposals.ID, "The proposer withdraws before voting starts"))
    register(ActionSpec("vote", voting.vote, voting.VOTE, "Vote on an active proposal"))
    register(ActionSpec("delegate", voting.delegate, voting.DELEGATE, "Delegate voting power on one track"))
    register(ActionSpec("undelegate", voting.undelegate, voting.UNDELEGATE, "Remove a delegation"))
    register(ActionSpec("execute", execution.execute, proposals.ID, "Run an approved proposal after its timelock"))
    register(ActionSpec("settle", proposals.settle, proposals.ID, "Refund or burn a decided proposal's deposit"))
    register(ActionSpec("set_parameter", parameter_changes.set_parameter, parameter_changes.SetParameterSchema(), "Change a system parameter (governance only)"))
    register(
        ActionSpec(
            "schedule_plugin",
            plugin_changes.schedule_plugin,
            plugin_changes.SCHEDULE_PLUGIN,
            "Activate, upgrade, disable or cancel a change of a plugin at a height (governance only)",
        )
    )
    register(ActionSpec("set_track", tracks.set_track, tracks.SET_TRACK, "Create or replace a track (governance only)"))
    register(ActionSpec("remove_track", tracks.remove_track, tracks.NAME_ONLY, "Remove a track (governance only)"))
    register(ActionSpec("init_council", council.init_council, council.MEMBERS, "Set up the genesis council (once)"))
    register(ActionSpec("set_council", council.set_council, council.MEMBERS, "Replace the council (governance only)"))
    register(ActionSpec("handover", council.handover, council.EMPTY, "Hand governance from the council to on-chain voting"))
    register(ActionSpec("council_veto", council.council_veto, council.VETO, "A council member vetoes a proposal in its timelock"))


@hookimpl
def tonomy_register_queries(register: QueryRegistrar) -> None:
    register(QuerySpec("proposal", proposals.get_proposal, proposals.ID, "A proposal with its state, tally and outcome"))
    register(QuerySpec("tracks", tracks.list_tracks, RecordSchema(), "Every track"))
    register(QuerySpec("council", _council, RecordSchema(), "Mode, council members and threshold"))
    register(QuerySpec("delegation", voting.get_delegation, voting.UNDELEGATE, "An account's delegate on a track"))
    register(
        QuerySpec("ballot", voting.get_ballot, RecordSchema((Field("id", int, minimum=1), Field("account", str, minimum=3, maximum=32))), "Who cast an account's power")
    )
    register(
        QuerySpec(
            "parameter_history",
            parameter_changes.parameter_history,
            RecordSchema((Field("plugin", str, minimum=1, maximum=64), Field("name", str, minimum=1, maximum=64))),
            "Every change of one parameter: height, proposal, old, new",
        )
    )
    register(QuerySpec("escrowed", _escrowed, RecordSchema(), "Deposits held and not yet settled"))
    register(QuerySpec("strategies", _strategies, RecordSchema(), "Voting strategies this chain offers"))
    register(QuerySpec("next_proposal_id", proposals.next_proposal_id, RecordSchema(), "The id the next proposal will get"))
    register(QuerySpec("executing", proposals.executing, RecordSchema(), "The proposal whose actions are running (inside execute only)"))


@hookimpl
def tonomy_register_parameters(register: ParameterRegistrar) -> None:
    for spec in PARAMETERS:
        register(spec)


@hookimpl
def tonomy_register_cli_commands(register: Any) -> None:
    from tonomy_governance.cli import gov_cli  # click only when the CLI asks

    register(gov_cli)


@hookimpl
def tonomy_voting_strategies(register: VotingStrategyRegistrar) -> None:
    for spec in BUILT_IN:
        register(spec)


@hookimpl
def tonomy_web_pages(register: Any) -> None:
    from pathlib import Path

    from tonomy.plugin import WebPage

    register(WebPage("index.html", "Governance: network proposals, votes, delegation and parameters", "Governance",
                     Path(__file__).parent / "web"))
