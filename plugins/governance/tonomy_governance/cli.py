"""``tonomy gov ...``: propose, vote, delegate, execute, and read proposals and parameters.

Thin over the node client: every command is one query or one signed action of the
governance plugin.
"""

from __future__ import annotations

import json
from typing import Any

import click

from tonomy.plugin import encode_record

from tonomy.plugin.cli import Session, event, node_options, show

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
    node = ctx.obj if ctx.obj is not None and hasattr(ctx.obj, "act") else None
    ctx.obj = Session(node_url, key_file, account, node)


@gov_cli.command()
@click.argument("track")
@click.argument("title")
@click.option("--set-parameter", "changes", multiple=True, metavar="PLUGIN.NAME=JSON", help="A parameter change (repeatable).")
@click.option("--action", "raw_actions", multiple=True, metavar="JSON", help='{"plugin", "name", "data", "permission"?}')
@click.option("--label", default="yes", show_default=True, help="The option's label.")
@session_of
def propose(session: Session, track: str, title: str, changes: tuple[str, ...], raw_actions: tuple[str, ...], label: str) -> None:
    """Propose one option of actions on TRACK; prints the id."""
    actions: list[dict[str, Any]] = []
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


@gov_cli.command()
@session_of
def tracks(session: Session) -> None:
    """Every track with its settings."""
    show(session.query("governance", "tracks"))
