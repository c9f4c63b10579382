"""``tonomy gov ...``: propose, vote, delegate, execute, and read proposals and parameters.

Thin over the node client: every command is one query or one signed action of the
governance plugin.
"""

from __future__ import annotations

import json
from typing import Any

import click

from tonomy.plugin import encode_record

from tonomy.plugin.cli import Session, bind_session, event, node_options, show

CHOICES = {"against": -1, "abstain": -2, "veto": -3}
session_of = click.make_pass_decorator(Session)


def _choice(text: str) -> int:
    if text in CHOICES:
        return CHOICES[text]
    if text == "yes":
        return 0
    try:
        value = int(text)
    except ValueError:
        raise click.BadParameter("an option index, yes (= 0), against, abstain or veto", param_hint="CHOICE") from None
    return value


@click.group(name="gov")
@node_options
@click.pass_context
def gov_cli(ctx: click.Context, node_url: str, key_file: str | None, account: str | None) -> None:
    """Network governance: proposals, votes, delegation, execution, parameters."""
    bind_session(ctx, node_url, key_file, account)


@gov_cli.command()
@click.argument("track")
@click.argument("title")
@click.option("--set-parameter", "changes", multiple=True, metavar="PLUGIN.NAME=JSON", help="A parameter change (repeatable).")
@click.option("--action", "raw_actions", multiple=True, metavar="JSON", help='{"plugin", "name", "data", "permission"?}')
@click.option("--activate-plugin", "activations", multiple=True, metavar="NAME=VERSION", help="Activate a plugin at a version (repeatable).")
@click.option("--upgrade-plugin", "upgrades", multiple=True, metavar="NAME=VERSION", help="Upgrade an enabled plugin to a version (repeatable).")
@click.option("--disable-plugin", "disables", multiple=True, metavar="NAME", help="Disable a plugin: a kill switch (repeatable).")
@click.option("--cancel-plugin-change", "cancels", multiple=True, metavar="NAME", help="Cancel a plugin's scheduled change (repeatable).")
@click.option("--at-height", type=click.IntRange(0), default=None, help="Plugin changes apply from this block...")
@click.option("--after", type=click.IntRange(0), default=None, help="...or this many blocks after the proposal executes (default 100).")
@click.option("--label", default="yes", show_default=True, help="The option's label.")
@session_of
def propose(
    session: Session,
    track: str,
    title: str,
    changes: tuple[str, ...],
    raw_actions: tuple[str, ...],
    activations: tuple[str, ...],
    upgrades: tuple[str, ...],
    disables: tuple[str, ...],
    cancels: tuple[str, ...],
    at_height: int | None,
    after: int | None,
    label: str,
) -> None:
    """Propose one option of actions on TRACK; prints the id.

    Plugin changes (docs/upgrades.md) apply at the start of one block, on every node:
    make sure validators have installed the version before it.
    """
    if at_height is not None and after is not None:
        raise click.BadParameter("give --at-height or --after, not both", param_hint="--at-height")
    when = {"height": at_height} if at_height is not None else {"delay": 100 if after is None else after}
    actions: list[dict[str, Any]] = []
    for op, items in (("activate", activations), ("upgrade", upgrades)):
        for item in items:
            name, _, version = item.partition("=")
            if not (name and version):
                raise click.BadParameter(f"{item!r} is not NAME=VERSION", param_hint=f"--{op}-plugin")
            actions.append(_plugin_change(op, name, version, when))
    actions += [_plugin_change("disable", name, "", when) for name in disables]
    actions += [_plugin_change("cancel", name, "", {"delay": 0}) for name in cancels]
    for change in changes:
        target, _, value = change.partition("=")
        plugin, _, name = target.partition(".")
        if not (plugin and name and value):
            raise click.BadParameter(f"{change!r} is not PLUGIN.NAME=JSON", param_hint="--set-parameter")
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            raise click.BadParameter(f"{value!r} is not JSON", param_hint="--set-parameter") from None
        actions.append({"plugin": "governance", "name": "set_parameter", "data": {"plugin": plugin, "name": name, "value": parsed}})
    actions += [json.loads(raw) for raw in raw_actions]
    options = encode_record([{"label": label, "actions": actions}])
    outcome = session.act("governance", "propose", proposer=session.me(), track=track, title=title, options=options)
    click.echo(f"proposal {event(outcome, 'governance', 'proposed')['id']}")


@gov_cli.command()
@click.argument("proposal_id", type=int)
@click.argument("choice")
@click.option("--conviction", type=click.IntRange(0, 6), default=None, help="Conviction level (conviction tracks; locks tokens).")
@session_of
def vote(session: Session, proposal_id: int, choice: str, conviction: int | None) -> None:
    """Vote: an option index (yes = 0), against, abstain or veto."""
    outcome = session.act("governance", "vote", id=proposal_id, voter=session.me(), choice=_choice(choice), conviction=conviction)
    click.echo(f"voted with weight {event(outcome, 'governance', 'voted')['weight']}")


@gov_cli.command()
@click.argument("track")
@click.argument("delegate")
@session_of
def delegate(session: Session, track: str, delegate: str) -> None:
    """Delegate your power on TRACK to DELEGATE."""
    session.act("governance", "delegate", delegator=session.me(), track=track, delegate=delegate)
    click.echo(f"delegated {track} to {delegate}")


@gov_cli.command()
@click.argument("track")
@session_of
def undelegate(session: Session, track: str) -> None:
    """Remove your delegation on TRACK."""
    session.act("governance", "undelegate", delegator=session.me(), track=track)
    click.echo(f"undelegated {track}")


@gov_cli.command()
@click.argument("proposal_id", type=int)
@session_of
def execute(session: Session, proposal_id: int) -> None:
    """Run an approved proposal after its timelock."""
    session.act("governance", "execute", id=proposal_id)
    click.echo(f"executed proposal {proposal_id}")


@gov_cli.command()
@click.argument("proposal_id", type=int)
@session_of
def status(session: Session, proposal_id: int) -> None:
    """A proposal's state, schedule and tally."""
    found = session.query("governance", "proposal", id=proposal_id)
    if found is None:
        raise click.ClickException(f"[governance.unknown_proposal] there is no proposal {proposal_id}")
    show(found)


@gov_cli.command()
@click.argument("plugin")
@click.argument("name")
@session_of
def parameters(session: Session, plugin: str, name: str) -> None:
    """Every change of the parameter PLUGIN.NAME: height, proposal, old, new."""
    history = session.query("governance", "parameter_history", plugin=plugin, name=name)
    if not history:
        click.echo(f"{plugin}.{name} was never changed")
    for change in history:
        click.echo(f"height {change['height']}: {change['old']!r} -> {change['new']!r} (proposal {change['proposal']})")


def _plugin_change(op: str, name: str, version: str, when: dict[str, int]) -> dict[str, Any]:
    return {"plugin": "governance", "name": "schedule_plugin", "data": {"op": op, "plugin": name, "version": version, **when}}


@gov_cli.command()
@click.argument("name", required=False)
@session_of
def plugins(session: Session, name: str | None) -> None:
    """The enabled plugins with their versions, and the scheduled changes (NAME: its change log too)."""
    show(session.query("tonomy", "plugins", **({} if name is None else {"name": name})))


@gov_cli.command()
@session_of
def tracks(session: Session) -> None:
    """Every track with its settings."""
    show(session.query("governance", "tracks"))
