"""Apps, releases and their status: who may do what.

* ``register_app``: the publisher DAO (its account has no keys: only an executed DAO
  proposal acts for it), naming itself publisher. The DAO plugin must know it.
* ``release``: the publisher DAO again, i.e. a release exists only if the DAO's own
  governance approved it. The artifact must be sealed in the store. An app that runs on
  validators starts ``pending``; one that does not is ``approved`` at once (the network
  has nothing to run).
* ``approve``: the network: ``tonomy@active`` carried by a call from the governance
  plugin (``ctx.caller``), i.e. an executed proposal; the validators signing as the
  system account directly are refused (``marketplace.not_network``). It fixes the activation height and writes the engine's
  capability window (the previous release's window ends there: an upgrade).
* ``revoke``: the publisher DAO or the network, at a future height (the kill switch):
  the window of that release ends there.

Status only moves ``pending → approved → revoked`` (or ``pending → revoked``).
"""

from __future__ import annotations

import re
from typing import Any

from tonomy.plugin import Field, RecordSchema, decode_record

from tonomy_marketplace import errors, manifest
from tonomy_marketplace.artifacts import HASH_SIZE, account_field, sealed
from tonomy_marketplace.errors import fail
from tonomy_marketplace.layout import app_key, capability_key, release_key, release_prefix

SYSTEM = "tonomy"
PENDING, APPROVED, REVOKED = "pending", "approved", "revoked"
SEMVER = re.compile(r"(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})")
APP_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: Names an app may never take: the chain's own and the first-party plugins'.
RESERVED = frozenset(
    {"dao", "dev", "devconsole", "devnet", "explorer", "gov", "governance", "identity", "keys", "marketplace", "node",
     "pay", "plugin", "plugins", "tonomy", "vault", "version", "wallet"}
)
MAX_WINDOWS = 64


def app_field() -> Field:
    return Field("app", str, minimum=1, maximum=64)


def version_field() -> Field:
    return Field("version", str, minimum=5, maximum=32)


REGISTER = RecordSchema(
    (app_field(), account_field("publisher"), Field("description", str, maximum=500), Field("on_validators", bool))
)
RELEASE = RecordSchema(
    (
        app_field(),
        version_field(),
        Field("artifact", bytes, minimum=HASH_SIZE, maximum=HASH_SIZE, description="BLAKE3 of the package"),
        Field("manifest", bytes, minimum=1, maximum=manifest.MAX_MANIFEST_BYTES, description="canonical capability manifest"),
        Field("protocol_min", int, minimum=1, maximum=2**16),
        Field("protocol_max", int, minimum=1, maximum=2**16),
        Field("notes", str, required=False, maximum=500),
    )
)
DELAY = Field("delay", int, required=False, minimum=1, maximum=2**40, description="or: that many blocks after the executing block")
APPROVE = RecordSchema((app_field(), version_field(), Field("activation_height", int, required=False, minimum=1, maximum=2**62), DELAY))
REVOKE = RecordSchema(
    (app_field(), version_field(), Field("at_height", int, required=False, minimum=1, maximum=2**62), DELAY, Field("reason", str, required=False, maximum=200))
)
APP_ONLY = RecordSchema((app_field(),))
RELEASE_ONLY = RecordSchema((app_field(), version_field()))
LIST = RecordSchema((Field("after", str, required=False, maximum=64), Field("limit", int, required=False, minimum=1, maximum=100)))


def parse_version(text: str) -> tuple[int, int, int]:
    if not SEMVER.fullmatch(text):
        raise ValueError(f"{text!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = (int(part) for part in text.split("."))
    return major, minor, patch


def get_app(ctx: Any, app: str) -> dict[str, Any]:
    record = ctx.state.get_record(app_key(app))
    if record is None:
        fail(ctx, errors.UNKNOWN_APP, f"no app is named {app!r}")
    return dict(record)


def get_release(ctx: Any, app: str, version: str) -> dict[str, Any]:
    if not SEMVER.fullmatch(version):
        fail(ctx, errors.INVALID_VERSION, f"{version!r} is not MAJOR.MINOR.PATCH")
    record = ctx.state.get_record(release_key(app, version))
    if record is None:
        fail(ctx, errors.UNKNOWN_RELEASE, f"{app} has no release {version}")
    return dict(record)


def register_app(ctx: Any, data: Any) -> None:
    app, publisher = data["app"], data["publisher"]
    if not APP_NAME.fullmatch(app) or app in RESERVED:
        fail(ctx, errors.UNKNOWN_APP, f"{app!r} cannot name an app (lower snake case, not a reserved plugin name)")
    ctx.require_auth(publisher)
    if ctx.state.get(app_key(app)) is not None:
        fail(ctx, errors.APP_EXISTS, f"the app {app!r} is already registered")
    if ctx.query("dao", "dao", {"dao": publisher}) is None:
        fail(ctx, errors.NOT_A_DAO, f"{publisher} is not a DAO: apps are published by DAOs")
    ctx.state.put_record(app_key(app), {
        "app": app, "publisher": publisher, "description": data["description"],
        "on_validators": data["on_validators"], "created_height": ctx.height, "latest": None,
    })
    # From now on the engine treats a plugin of this name as an app with no window: it
    # runs nowhere until the network approves a release of it.
    ctx.state.put_record(capability_key(app), {"windows": []})
    ctx.emit("registered", {"app": app, "publisher": publisher})


def release(ctx: Any, data: Any) -> None:
    app, version = data["app"], data["version"]
    record = get_app(ctx, app)
    ctx.require_auth(record["publisher"])
    try:
        number = parse_version(version)
    except ValueError as exc:
        fail(ctx, errors.INVALID_VERSION, str(exc))
    if record["latest"] is not None and number <= parse_version(record["latest"]):
        fail(ctx, errors.INVALID_VERSION, f"{version} is not greater than the latest release {record['latest']}")
    try:
        manifest.decode(data["manifest"])
    except manifest.ManifestError as exc:
        fail(ctx, errors.INVALID_MANIFEST, str(exc))
    if data["protocol_min"] > data["protocol_max"]:
        fail(ctx, errors.INVALID_PROTOCOL, "protocol_min is greater than protocol_max")
    artifact = sealed(ctx, data["artifact"])
    if artifact is None:
        fail(ctx, errors.UNKNOWN_ARTIFACT, f"no sealed artifact {data['artifact'].hex()}: upload it first")
    status = PENDING if record["on_validators"] else APPROVED
    ctx.state.put_record(release_key(app, version), {
        "app": app, "version": version, "publisher": record["publisher"], "artifact": data["artifact"],
        "size": artifact["size"], "manifest": data["manifest"], "protocol_min": data["protocol_min"],
        "protocol_max": data["protocol_max"], "notes": data.get("notes", ""), "status": status,
        "released_height": ctx.height, "approved_height": ctx.height if status == APPROVED else None,
        "activation_height": None, "revoked_height": None, "disable_height": None, "reviews": 0,
    })
    record["latest"] = version
    ctx.state.put_record(app_key(app), record)
    ctx.emit("released", {"app": app, "version": version, "artifact": data["artifact"], "status": status})


def _windows(ctx: Any, app: str) -> list[dict[str, Any]]:
    stored = ctx.state.get_record(capability_key(app))
    return [] if stored is None else [dict(window) for window in stored["windows"]]


def by_network(ctx: Any) -> bool:
    """Does this action carry the system account's authority AND come from the governance
    plugin executing a proposal? (The validators hold the system account's keys together;
    signing as it directly is not a network decision.)"""
    return bool(ctx.has_auth(SYSTEM) and ctx.caller is not None and ctx.caller == ctx.parameter("governance_plugin", SYSTEM))


def target_height(ctx: Any, data: Any, field: str) -> int:
    """``data[field]``, or the executing block's height plus ``data["delay"]`` (a proposal
    rarely knows the height it will run at; the plugin lifecycle's ``schedule_plugin``
    takes the same ``delay``, so both land on the same height in one proposal)."""
    height, delay = data.get(field), data.get("delay")
    if (height is None) == (delay is None):
        fail(ctx, errors.INVALID_HEIGHT, f"give exactly one of {field} and delay")
    return int(height if height is not None else ctx.height + delay)


def approve(ctx: Any, data: Any) -> None:
    """The network approves a pending release to run from ``activation_height``."""
    app, version, height = data["app"], data["version"], target_height(ctx, data, "activation_height")
    ctx.require_auth(SYSTEM)
    if not by_network(ctx):
        fail(ctx, errors.NOT_NETWORK, "only an executed governance proposal approves a release for the network")
    record = get_release(ctx, app, version)
    if record["status"] != PENDING:
        fail(ctx, errors.WRONG_STATUS, f"{app} {version} is {record['status']}, not pending")
    if height <= ctx.height:
        fail(ctx, errors.INVALID_HEIGHT, f"the activation height {height} is not after the current height {ctx.height}")
    windows = _windows(ctx, app)
    for window in windows:
        if window["from"] >= height:
            fail(ctx, errors.INVALID_HEIGHT, f"{window['version']} activates at {window['from']}, not before {height}")
    if len(windows) >= MAX_WINDOWS:
        fail(ctx, errors.WRONG_STATUS, f"{app} has had {MAX_WINDOWS} approved releases")
    if windows and (windows[-1]["until"] is None or windows[-1]["until"] > height):
        windows[-1]["until"] = height  # the upgrade: the previous release stops where this one starts
    windows.append(manifest.decode(record["manifest"]).window(height, version))
    ctx.state.put_record(capability_key(app), {"windows": windows})
    record.update(status=APPROVED, approved_height=ctx.height, activation_height=height)
    ctx.state.put_record(release_key(app, version), record)
    ctx.emit("approved", {"app": app, "version": version, "activation_height": height})


def revoke(ctx: Any, data: Any) -> None:
    """The kill switch: the publisher DAO or the network disables a release from ``at_height``."""
    app, version, height = data["app"], data["version"], target_height(ctx, data, "at_height")
    publisher = get_app(ctx, app)["publisher"]
    if not (ctx.has_auth(publisher) or by_network(ctx)):
        fail(ctx, errors.NOT_PUBLISHER, f"only {publisher} (through its governance) or the network (a governance proposal) may revoke {app}")
    record = get_release(ctx, app, version)
    if record["status"] == REVOKED:
        fail(ctx, errors.WRONG_STATUS, f"{app} {version} is already revoked")
    if height <= ctx.height:
        fail(ctx, errors.INVALID_HEIGHT, f"the revocation height {height} is not after the current height {ctx.height}")
    windows = _windows(ctx, app)
    for window in windows:
        if window["version"] == version and (window["until"] is None or window["until"] > height):
            window["until"] = max(height, window["from"])
    if windows:
        ctx.state.put_record(capability_key(app), {"windows": windows})
    record.update(status=REVOKED, revoked_height=ctx.height, disable_height=height, revoke_reason=data.get("reason", ""))
    ctx.state.put_record(release_key(app, version), record)
    ctx.emit("revoked", {"app": app, "version": version, "at_height": height})


def _release_view(record: dict[str, Any], windows: list[dict[str, Any]], height: int) -> dict[str, Any]:
    """A release as clients see it; ``active``: its capability window is in force at ``height``
    (approved, activated, not yet superseded by an upgrade nor revoked)."""
    view = dict(record)
    view["manifest"] = manifest.decode(record["manifest"]).to_record()
    view["manifest_bytes"] = record["manifest"]
    view["active"] = any(
        window["version"] == record["version"] and window["from"] <= height and (window["until"] is None or height < window["until"])
        for window in windows
    )
    return view


def query_app(ctx: Any, params: Any) -> Any:
    record = ctx.state.get_record(app_key(params["app"]))
    return None if record is None else dict(record)


def query_apps(ctx: Any, params: Any) -> Any:
    after, limit = params.get("after"), params.get("limit", 50)
    start = app_key(after) + b"\x00" if after else b"app/"
    out = []
    for _, record in ctx.state.items(start, b"app0"):
        out.append(dict(decode_record(record)))
        if len(out) >= limit:
            break
    return out


def query_release(ctx: Any, params: Any) -> Any:
    if not SEMVER.fullmatch(params["version"]):
        return None
    record = ctx.state.get_record(release_key(params["app"], params["version"]))
    return None if record is None else _release_view(dict(record), _windows(ctx, params["app"]), ctx.height)


def query_releases(ctx: Any, params: Any) -> Any:
    prefix = release_prefix(params["app"])
    windows = _windows(ctx, params["app"])
    return [_release_view(dict(decode_record(raw)), windows, ctx.height) for _, raw in ctx.state.items(prefix, prefix[:-1] + b"0")]


def query_capabilities(ctx: Any, params: Any) -> Any:
    stored = ctx.state.get_record(capability_key(params["app"]))
    return None if stored is None else dict(stored)
