"""The seam between ``tonomy dev publish`` and the marketplace plugin.

The marketplace (plugin ``marketplace``) keeps the on-chain registry of app releases:
a release is uploaded, proposed to the app's publisher DAO, voted, executed, then
approved by the network. Plugins never import each other's modules, so the console
reaches it through the surface every plugin exposes to the host: its CLI commands.
``tonomy dev publish APP [ARGS]...`` finds ``tonomy market publish`` in the running
``tonomy`` command group and runs it, in the same session (node, key file, acting
account), with ``--app APP --dao <APP's owner>`` added to ARGS.

So the console decides *who* publishes (the app's owner, which must be a DAO: the
marketplace publishes only through a DAO's vote) and the marketplace decides *how*
(packing, upload, proposal). Without the marketplace installed the command says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from tonomy.plugin.cli import Session

MARKET_GROUP = "market"
MARKET_PUBLISH = "publish"
FILLED_OPTIONS = ("--app", "--dao")


def market_publish_command(ctx: click.Context) -> click.Command | None:
    """``tonomy market publish`` if a loaded plugin provides it (found through the root command group)."""
    root = ctx.find_root()
    if not isinstance(root.command, click.Group):
        return None
    group = root.command.get_command(root, MARKET_GROUP)
    if not isinstance(group, click.Group):
        return None
    return group.get_command(root, MARKET_PUBLISH)


def publisher_of(session: Session, app: str) -> str:
    """The DAO that publishes ``app``: its owner, which must be a DAO."""
    record = session.query("identity", "app", app=app)
    if record is None:
        raise click.ClickException(f"[identity.unknown_app] {app!r} is not a registered app")
    owner = str(record["owner"])
    account = session.query("tonomy", "account", name=owner)
    if account is None or account.get("type") != "dao":
        raise click.ClickException(
            f"[devconsole.not_a_dao] {app} is owned by {owner}, not a DAO: the marketplace publishes through a DAO's "
            f"vote. Hand the app to a DAO first (identity.transfer_app) and publish as one of its members."
        )
    return owner


def forward(ctx: click.Context, session: Session, app: str, market_args: Sequence[str]) -> None:
    """Run ``tonomy market publish ARGS --app APP --dao OWNER`` in this session."""
    taken = [arg for arg in market_args if arg in FILLED_OPTIONS or arg.startswith(tuple(f"{o}=" for o in FILLED_OPTIONS))]
    if taken:
        raise click.UsageError(f"{', '.join(taken)}: the console fills --app and --dao from the app's record")
    command = market_publish_command(ctx)
    if command is None:
        raise click.ClickException(
            "[devconsole.no_marketplace] no `tonomy market publish` here: install the marketplace plugin "
            "(and run it on the network) to publish releases"
        )
    args = [*market_args, "--app", app, "--dao", publisher_of(session, app)]
    with command.make_context(f"{MARKET_GROUP} {MARKET_PUBLISH}", args, parent=ctx) as sub:
        command.invoke(sub)


__all__ = ["MARKET_GROUP", "MARKET_PUBLISH", "forward", "market_publish_command", "publisher_of"]
