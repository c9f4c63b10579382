"""``tonomy dev ...``: register an app, change it, rotate its key, set what it may ask, see its usage, publish.

Every change is one action signed as ``--account``'s ``active``: the app account itself
for ``register``, the app's owner (a person, or a DAO through its proposals) for the
rest. The identity plugin checks every field again on chain; the checks here only give
earlier, friendlier messages for files (logos, key files) the chain never sees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tonomy.plugin.cli import Session, bind_session, node_options, show
from tonomy_devconsole import logos, publish as marketplace

session_of = click.make_pass_decorator(Session)
IDENTITY = "identity"


@click.group(name="dev")
@node_options
@click.pass_context
def dev_group(ctx: click.Context, node_url: str, key_file: str | None, account: str | None) -> None:
    """Developer Console: your apps for Login with Tonomy, their settings, usage and releases."""
    bind_session(ctx, node_url, key_file, account)


def request_key(value: str) -> bytes:
    """A public key as 64 hex digits, or read from a key file's public part (the seed is never read)."""
    text = value.strip()
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return bytes.fromhex(text)
    path = Path(value)
    if not path.is_file():
        raise click.BadParameter("give the request key as 64 hex digits or a key file made by `tonomy keys new`")
    try:
        doc = json.loads(path.read_bytes()[:64 * 1024])
        public = bytes.fromhex(doc["public_key"])
    except (ValueError, KeyError, TypeError):
        raise click.BadParameter(f"{path} is not a Tonomy key file with a public_key") from None
    if len(public) != 32:
        raise click.BadParameter(f"{path}: the public key must be 32 bytes")
    return public


def logo_value(logo: Path | None, logo_hash_of: Path | None, no_logo: bool) -> str | None:
    chosen = [flag for flag in (logo, logo_hash_of, no_logo or None) if flag is not None]
    if len(chosen) > 1:
        raise click.UsageError("give one of --logo, --logo-hash-of and --no-logo")
    if logo is not None:
        return logos.data_url(logo)
    if logo_hash_of is not None:
        return logos.content_hash(logo_hash_of)
    return "" if no_logo else None


def logo_options(function: Any) -> Any:
    for option in reversed((
        click.option("--logo", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
                     help=f"PNG, JPEG or WebP file of at most {logos.MAX_LOGO_BYTES} bytes, stored on chain as a data URL."),
        click.option("--logo-hash-of", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
                     help="Store only the BLAKE3 hash of this image (host the image yourself)."),
        click.option("--no-logo", is_flag=True, help="Remove the logo."),
    )):  # fmt: skip
        function = option(function)
    return function


def as_list(values: tuple[str, ...]) -> list[str]:
    return sorted(set(values))


@dev_group.command()
@click.argument("app")
@click.option("--key", "key", default=None,
              help="Give the app account its own public key (hex or key file) instead of delegating to --account.")
@session_of
def create(session: Session, /, app: str, key: str | None) -> None:
    """Create the app account APP, owned by --account (who becomes the app's owner at registration).

    By default APP's owner and active permissions are ``<account>@active``, so the owner's
    key signs for the app too and `tonomy dev register` needs no second key file.
    """
    owner = session.me()
    if key is None:
        authority = {"threshold": 1, "keys": [], "accounts": [{"actor": owner, "permission": "active", "weight": 1}], "waits": []}
    else:
        authority = {"threshold": 1, "keys": [{"key": request_key(key), "weight": 1}], "accounts": [], "waits": []}
    session.act("tonomy", "newaccount", creator=owner, name=app, type="app", owner=authority, active=authority)
    click.echo(f"created app account {app} (creator and future owner {owner})")


@dev_group.command()
@click.argument("app")
@click.option("--name", required=True, help="The name users see (1-64 bytes).")
@click.option("--origin", required=True, help="https://host[:port] the app is served from (lower case, punycode).")
@click.option("--extra-origin", "extra_origins", multiple=True, help="Another origin of the app (repeatable).")
@click.option("--redirect", "redirects", multiple=True, required=True, help="Redirect URI under an origin (repeatable).")
@click.option("--scope", "scopes", multiple=True, help="plugin.action the app may act on for a user (repeatable).")
@click.option("--credential", "credentials", multiple=True, help="Credential type the app may ask for (repeatable).")
@click.option("--data-scope", "data_scopes", multiple=True, help="Data the app may ask to see, e.g. name (repeatable).")
@click.option("--request-key", "key", required=True, help="Public key that signs login requests: hex or a key file.")
@click.option("--description", default=None)
@logo_options
@session_of
def register(session: Session, /, app: str, name: str, origin: str, extra_origins: tuple[str, ...],
             redirects: tuple[str, ...], scopes: tuple[str, ...], credentials: tuple[str, ...],
             data_scopes: tuple[str, ...], key: str, description: str | None,
             logo: Path | None, logo_hash_of: Path | None, no_logo: bool) -> None:
    """Register the app account APP; signed as APP@active (its own key, or its creator's after `dev create`)."""
    data = {"account": app, "name": name, "origin": origin, "extra_origins": as_list(extra_origins) or None,
            "redirect_uris": as_list(redirects), "scopes": as_list(scopes), "credentials": as_list(credentials) or None,
            "data_scopes": as_list(data_scopes) or None, "request_key": request_key(key), "description": description,
            "logo": logo_value(logo, logo_hash_of, no_logo) or None}
    as_app = Session(session.node_url, session.key_file, app, session.connection())  # the key file signs as APP@active
    as_app.act(IDENTITY, "register_app", **data)
    record = session.query(IDENTITY, "app", app=app)
    click.echo(f"registered app {app} (owner {record['owner']})")


@dev_group.command()
@click.argument("app")
@click.option("--name", default=None)
@click.option("--description", default=None)
@click.option("--origin", default=None, help="A new primary origin.")
@click.option("--extra-origin", "extra_origins", multiple=True, help="Replaces the other origins (repeatable).")
@click.option("--no-extra-origins", is_flag=True, help="Remove every origin but the primary one.")
@click.option("--redirect", "redirects", multiple=True, help="Replaces the redirect URIs (repeatable).")
@logo_options
@session_of
def update(session: Session, /, app: str, name: str | None, description: str | None, origin: str | None,
           extra_origins: tuple[str, ...], no_extra_origins: bool, redirects: tuple[str, ...],
           logo: Path | None, logo_hash_of: Path | None, no_logo: bool) -> None:
    """Change APP's name, description, logo, origins or redirect URIs (signed by its owner)."""
    extra = [] if no_extra_origins else (as_list(extra_origins) or None)
    session.act(IDENTITY, "update_app", app=app, name=name, description=description, origin=origin,
                extra_origins=extra, redirect_uris=as_list(redirects) or None, logo=logo_value(logo, logo_hash_of, no_logo))
    click.echo(f"updated app {app}")


@dev_group.command("rotate-key")
@click.argument("app")
@click.option("--request-key", "key", required=True, help="The new public key: hex or a key file.")
@session_of
def rotate_key(session: Session, /, app: str, key: str) -> None:
    """Replace APP's login request key; the old key stops verifying new requests at once."""
    session.act(IDENTITY, "rotate_app_key", app=app, request_key=request_key(key))
    record = session.query(IDENTITY, "app", app=app)
    click.echo(f"app {app} now signs with key version {record['key_version']} (since block {record['key_since_height']})")


@dev_group.command()
@click.argument("app")
@click.option("--scope", "scopes", multiple=True, help="plugin.action (repeatable); the set replaces the old one.")
@click.option("--credential", "credentials", multiple=True, help="Credential type (repeatable).")
@click.option("--data-scope", "data_scopes", multiple=True, help="Data scope (repeatable).")
@session_of
def settings(session: Session, /, app: str, scopes: tuple[str, ...], credentials: tuple[str, ...],
             data_scopes: tuple[str, ...]) -> None:
    """Set what APP may request at login (signed by its owner); a request for more is refused."""
    session.act(IDENTITY, "set_login_settings", app=app, scopes=as_list(scopes), credentials=as_list(credentials),
                data_scopes=as_list(data_scopes))
    click.echo(f"login settings of {app}: actions {as_list(scopes) or '-'}, credentials {as_list(credentials) or '-'}, "
               f"data {as_list(data_scopes) or '-'}")


def app_summary(session: Session, app: str, days: int) -> dict[str, Any]:
    record = session.query(IDENTITY, "app", app=app)
    if record is None:
        raise click.ClickException(f"[identity.unknown_app] {app!r} is not a registered app")
    usage = session.query(IDENTITY, "app_usage", app=app, days=days)
    return {"app": app, "record": record, "usage": usage}


@dev_group.command(name="show")
@click.argument("app")
@click.option("--days", type=click.IntRange(1, 92), default=7, show_default=True)
@session_of
def show_app(session: Session, /, app: str, days: int) -> None:
    """APP's record (settings, key version, owner) and its usage over the last DAYS days."""
    show(app_summary(session, app, days))


@dev_group.command(name="list")
@click.option("--owner", default=None, help="Whose apps (default: --account).")
@click.option("--json", "as_json", is_flag=True)
@session_of
def list_apps(session: Session, /, owner: str | None, as_json: bool) -> None:
    """The apps an account owns, with their usage totals."""
    who = owner or session.me()
    rows = [app_summary(session, app, 1) for app in session.query(IDENTITY, "apps_of", owner=who)]
    if as_json:
        show(rows)
        return
    if not rows:
        click.echo(f"{who} owns no apps")
    for row in rows:
        totals, today = row["usage"]["totals"], row["usage"]["days"][-1]
        click.echo(f"{row['app']}\t{row['record']['name']}\t{row['record']['origin']}\tlogins {totals['logins']}\t"
                   f"transactions {totals['transactions']}\tusers {totals['users']}\tactive today {today['active_users']}")


@dev_group.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("app")
@click.argument("market_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def publish(ctx: click.Context, /, app: str, market_args: tuple[str, ...]) -> None:
    """Publish a release of APP to the marketplace: runs `tonomy market publish MARKET_ARGS`.

    --app is APP and --dao is APP's owner (a DAO; --account must be a member who files the
    proposal). Example: tonomy dev publish notesapp ./pkg --version 1.0.0 --manifest @manifest.json
    """
    marketplace.forward(ctx, ctx.ensure_object(Session), app, market_args)
