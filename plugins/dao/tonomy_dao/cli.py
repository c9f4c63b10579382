"""``tonomy dao ...``: create DAOs, manage members, propose, vote, execute, see the treasury."""

from __future__ import annotations

import json
from typing import Any

import click

from tonomy.plugin import encode_record

from tonomy.plugin.cli import Session, bind_session, event, node_options, show

CHOICES = {"yes": 1, "no": 0, "abstain": 2}
session_of = click.make_pass_decorator(Session)


@click.group(name="dao")
@node_options
@click.pass_context
def dao_cli(ctx: click.Context, node_url: str, key_file: str | None, account: str | None) -> None:
    """DAOs: members and roles, proposals voted by members, a treasury spent only by proposal."""
    bind_session(ctx, node_url, key_file, account)


@dao_cli.command()
@click.argument("name")
@click.option("--voting-period", type=int, default=None)
@click.option("--timelock", type=int, default=None)
@click.option("--grace", type=int, default=None)
@click.option("--quorum-bps", type=int, default=None)
@click.option("--approval-bps", type=int, default=None)
@click.option("--strategy", type=click.Choice(["members", "token"]), default=None)
@click.option("--symbol", default=None, help="Pay token of the token strategy.")
@click.option("--open", "is_open", is_flag=True, default=None, help="Anyone meeting the requirement may join.")
@click.option("--requirement", default=None, help='JSON {"plugin", "query", "params"} checked on join.')
@session_of
def create(session: Session, /, name: str, requirement: str | None, is_open: bool | None, **settings: Any) -> None:
    """Create the DAO NAME with --account as its first admin."""
    spec = encode_record(json.loads(requirement)) if requirement else None
    session.act("dao", "create", creator=session.me(), name=name, open=is_open, requirement=spec, **settings)
    click.echo(f"created DAO {name}")


@dao_cli.command(name="show")
@click.argument("name")
@session_of
def show_dao(session: Session, name: str) -> None:
    """Settings, member count and owned accounts of a DAO."""
    found = session.query("dao", "dao", dao=name)
    if found is None:
        raise click.ClickException(f"[dao.unknown_dao] there is no DAO {name!r}")
    show(found)


@dao_cli.command()
@click.argument("name")
@session_of
def members(session: Session, name: str) -> None:
    """List members with their roles."""
    for member in session.query("dao", "members", dao=name):
        click.echo(f"{member['account']}\t{member['role']}\tjoined at {member['joined_height']}")


@dao_cli.command()
@click.argument("dao")
@click.argument("account")
@click.option("--role", default=None, type=click.Choice(["member", "admin"]))
@session_of
def invite(session: Session, dao: str, account: str, role: str | None) -> None:
    """Invite ACCOUNT (as an admin of DAO)."""
    session.act("dao", "invite", dao=dao, inviter=session.me(), account=account, role=role)
    click.echo(f"invited {account} to {dao}")


@dao_cli.command()
@click.argument("dao")
@click.option("--evidence-hex", default=None, help="Evidence bytes for the DAO's requirement, in hex.")
@session_of
def join(session: Session, dao: str, evidence_hex: str | None) -> None:
    """Join DAO as --account."""
    session.act("dao", "join", dao=dao, account=session.me(), evidence=bytes.fromhex(evidence_hex) if evidence_hex else None)
    click.echo(f"joined {dao}")


@dao_cli.command()
@click.argument("dao")
@session_of
def leave(session: Session, dao: str) -> None:
    """Leave DAO."""
    session.act("dao", "leave", dao=dao, account=session.me())
    click.echo(f"left {dao}")


@dao_cli.command()
@click.argument("dao")
@click.argument("title")
@click.option("--transfer", "transfers", multiple=True, metavar="TO:AMOUNT:SYMBOL", help="Pay from the treasury (smallest units).")
@click.option("--remove-member", "removals", multiple=True, metavar="ACCOUNT")
@click.option("--action", "raw_actions", multiple=True, metavar="JSON", help='{"plugin", "name", "data", "actor"?, "permission"?}')
@session_of
def propose(session: Session, dao: str, title: str, transfers: tuple[str, ...], removals: tuple[str, ...], raw_actions: tuple[str, ...]) -> None:
    """Propose actions DAO runs if its members approve; prints the id."""
    actions: list[dict[str, Any]] = []
    for item in transfers:
        try:
            to, amount, symbol = item.split(":")
            actions.append({"plugin": "pay", "name": "transfer", "data": {"from": dao, "to": to, "symbol": symbol, "amount": int(amount)}})
        except ValueError:
            raise click.BadParameter(f"{item!r} is not TO:AMOUNT:SYMBOL", param_hint="--transfer") from None
    actions += [{"plugin": "dao", "name": "remove", "data": {"dao": dao, "account": account}} for account in removals]
    actions += [json.loads(raw) for raw in raw_actions]
    outcome = session.act("dao", "propose", dao=dao, proposer=session.me(), title=title, actions=encode_record(actions))
    click.echo(f"proposal {event(outcome, 'dao', 'proposed')['id']}")


@dao_cli.command()
@click.argument("proposal_id", type=int)
@click.argument("choice", type=click.Choice(sorted(CHOICES)))
@session_of
def vote(session: Session, proposal_id: int, choice: str) -> None:
    """Vote yes, no or abstain."""
    outcome = session.act("dao", "vote", id=proposal_id, voter=session.me(), choice=CHOICES[choice])
    click.echo(f"voted {choice} with weight {event(outcome, 'dao', 'voted')['weight']}")


@dao_cli.command()
@click.argument("proposal_id", type=int)
@session_of
def execute(session: Session, proposal_id: int) -> None:
    """Run an approved proposal's actions as the DAO."""
    session.act("dao", "execute", id=proposal_id)
    click.echo(f"executed proposal {proposal_id}")


@dao_cli.command()
@click.argument("proposal_id", type=int)
@session_of
def proposal(session: Session, proposal_id: int) -> None:
    """A proposal with its tally and state."""
    found = session.query("dao", "proposal", id=proposal_id)
    if found is None:
        raise click.ClickException(f"[dao.unknown_proposal] there is no DAO proposal {proposal_id}")
    show(found)


@dao_cli.command()
@click.argument("dao")
@session_of
def treasury(session: Session, dao: str) -> None:
    """The DAO account's Pay balances."""
    held = session.query("pay", "balances", account=dao)
    if not held:
        click.echo(f"{dao} holds nothing")
    for item in held:
        click.echo(f"{item['amount']} {item['symbol']}")
