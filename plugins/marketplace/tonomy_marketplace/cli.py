"""``tonomy market ...``: list and show apps, publish, approve, revoke, install.

``publish`` and ``approve``/``revoke`` file proposals (the DAO's, the network's): nothing
here can release or approve anything alone. ``install`` runs on a node's machine: it
fetches an approved release from the network, checks it and writes it into the node's
plugin directory; the node loads it when it (re)starts and runs it from the activation
height governance set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tonomy.plugin.cli import Session, bind_session, node_options, show

from tonomy_marketplace import manifest as manifests
from tonomy_marketplace import publish as publishing

session_of = click.make_pass_decorator(Session)


@click.group(name="market")
@node_options
@click.pass_context
def market_cli(ctx: click.Context, node_url: str, key_file: str | None, account: str | None) -> None:
    """The app marketplace: DAO-published, network-approved apps."""
    bind_session(ctx, node_url, key_file, account)


def _fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error))


@market_cli.command(name="list")
@session_of
def list_apps(session: Session) -> None:
    """Every app with its publisher and latest version."""
    for app in session.query("marketplace", "apps", limit=100):
        click.echo(f"{app['app']:24} {app['publisher']:16} {app['latest'] or '-':12} {app['description']}")


@market_cli.command(name="show")
@click.argument("app")
@session_of
def show_app(session: Session, app: str) -> None:
    """An app with every release (status, artifact, manifest) and its capability windows."""
    found = session.query("marketplace", "app", app=app)
    if found is None:
        raise click.ClickException(f"[marketplace.unknown_app] no app is named {app!r}")
    found["releases"] = session.query("marketplace", "releases", app=app)
    found["capabilities"] = session.query("marketplace", "capabilities", app=app)
    show(found)


def _manifest(text: str) -> manifests.Manifest:
    try:
        record = json.loads(Path(text[1:]).read_text() if text.startswith("@") else text)
        return manifests.build(**{key: record.get(key, []) for key in manifests.FIELDS})
    except (ValueError, OSError, TypeError) as exc:
        raise click.BadParameter(f"the manifest is not valid: {exc}") from None


@market_cli.command()
@click.argument("module_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dao", required=True, help="The publisher DAO (you must be a member).")
@click.option("--app", "app", required=True)
@click.option("--version", "version", required=True)
@click.option("--manifest", "manifest_text", required=True, help='JSON {"state", "calls", "queries", "personal_data"} or @file.')
@click.option("--protocol", default="1-1", show_default=True, help="Protocol range MIN-MAX.")
@click.option("--register", "description", default=None, help="Register a new app with this description first.")
@click.option("--off-validators", is_flag=True, help="With --register: the app does not run on validators.")
@session_of
def publish(session: Session, module_dir: Path, dao: str, app: str, version: str, manifest_text: str, protocol: str,
            description: str | None, off_validators: bool) -> None:
    """Pack MODULE_DIR, upload it and propose its release to --dao."""
    from tonomy.plugin.apparchive import pack_directory

    low, _, high = protocol.partition("-")
    package = pack_directory(app, version, module_dir)
    register = None if description is None else {"description": description, "on_validators": not off_validators}
    try:
        proposal = publishing.release(
            session.connection(), proposer=session.me(), dao=dao, app=app, version=version, package=package,
            manifest=_manifest(manifest_text), protocol=(int(low), int(high or low)), register=register,
        )
    except publishing.PublishError as exc:
        raise _fail(exc) from None
    click.echo(f"artifact {proposal.artifact.hex()} ({len(package)} bytes); DAO proposal {proposal.proposal_id}")


@market_cli.command()
@click.argument("app")
@click.argument("version")
@click.option("--height", type=int, default=None, help="The activation height every validator switches at.")
@click.option("--delay", type=int, default=None, help="Or: that many blocks after the proposal executes.")
@click.option("--track", default="root", show_default=True)
@click.option("--with-lifecycle/--without-lifecycle", default=True, show_default=True,
              help="Also schedule the plugin's activation (upgrade when it already runs) at the same height.")
@click.option("--upgrade", is_flag=True, help="The app already runs: schedule an upgrade, not an activation.")
@session_of
def approve(session: Session, app: str, version: str, height: int | None, delay: int | None, track: str, with_lifecycle: bool, upgrade: bool) -> None:
    """Propose to the network that APP VERSION runs from --height (or --delay blocks after the vote)."""
    _one_of(height, delay)
    lifecycle = [lifecycle_action("upgrade" if upgrade else "activate", app, version, height, delay=delay)] if with_lifecycle else []
    actions = publishing.network_approval_actions(app, version, height, lifecycle, delay=delay)
    _propose(session, f"Approve {app} {version}", actions, track, None)


@market_cli.command()
@click.argument("app")
@click.argument("version")
@click.option("--height", type=int, default=None, help="The height from which the release is disabled.")
@click.option("--delay", type=int, default=None, help="Or: that many blocks after the proposal executes.")
@click.option("--reason", default="")
@click.option("--track", default="root", show_default=True)
@click.option("--dao", default=None, help="Revoke as the publisher DAO (a DAO proposal) rather than through the network.")
@session_of
def revoke(session: Session, app: str, version: str, height: int | None, delay: int | None, reason: str, track: str, dao: str | None) -> None:
    """Propose that APP VERSION is disabled from --height or --delay (the kill switch)."""
    _one_of(height, delay)
    lifecycle = [] if dao else [lifecycle_action("disable", app, "", height, delay=delay)]
    actions = publishing.network_revocation_actions(app, version, height, reason, lifecycle, delay=delay)
    _propose(session, f"Revoke {app} {version}", actions, track, dao)


def _one_of(height: int | None, delay: int | None) -> None:
    if (height is None) == (delay is None):
        raise click.UsageError("give exactly one of --height and --delay")


def _propose(session: Session, title: str, actions: list[dict[str, Any]], track: str, dao: str | None) -> None:
    """File ``actions`` as a governance proposal (or, with ``dao``, as that DAO's) and print its id."""
    try:
        if dao is None:
            click.echo(f"governance proposal {publishing.propose_to_network(session.connection(), session.me(), title, actions, track)}")
        else:
            click.echo(f"DAO proposal {publishing.propose_to_dao(session.connection(), session.me(), dao, title, actions)}")
    except publishing.PublishError as exc:
        raise _fail(exc) from None


@market_cli.command()
@click.argument("app")
@click.argument("version")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="The node's data directory.")
@session_of
def install(session: Session, app: str, version: str, data_dir: Path) -> None:
    """Fetch an approved release, check it and install it into the node's plugin directory."""
    from tonomy_marketplace.install import InstallError, install_release

    try:
        folder = install_release(session.connection(), app, version, data_dir)
    except InstallError as exc:
        raise _fail(exc) from None
    click.echo(f"installed {app} {version} into {folder}; restart the node before the activation height")


@market_cli.command()
@click.argument("app")
@click.argument("version")
@session_of
def reviews(session: Session, app: str, version: str) -> None:
    """Review and audit credentials attached to a release."""
    for review in session.query("marketplace", "reviews", app=app, version=version):
        credential: dict[str, Any] = json.loads(review["credential"])
        click.echo(f"{review['kind']:6} by {review['reviewer']} at {review['height']}: {credential.get('credentialSubject', {})}")


def lifecycle_action(op: str, app: str, version: str, height: int | None = None, *, delay: int | None = None) -> dict[str, Any]:
    """The governance plugin's action that switches the plugin's code at ``height`` (or ``delay`` blocks after execution)."""
    data: dict[str, Any] = {"op": op, "plugin": app, **({"height": height} if height is not None else {"delay": delay})}
    if version:
        data["version"] = version
    return {"plugin": "governance", "name": "schedule_plugin", "data": data}
