"""Publishing from a client: upload an artifact, then ask the DAO and the network.

    from tonomy_marketplace.publish import release
    proposal = release(node, proposer="alice", dao="makers", app="crowdfund", version="1.0.0",
                       package=package_bytes, manifest=build(state=["c/"], calls=["pay.transfer"]))

``node`` is anything with ``query(plugin, name, params)`` and ``act(plugin, name, data,
authorization)`` returning an outcome with ``ok``, ``events``, ``error_code`` and
``error_message`` (``tonomy.plugin.cli.ChainNode``; the CLI's session and the dev
console provide one). A release is never made by the proposer alone: ``release`` uploads
the package (as the proposer, counted against their quota) and files a DAO proposal
carrying ``marketplace.release`` (and ``register_app`` for a new app); the DAO's members
vote and execute it, then the network's governance approves it
(``network_approval_actions``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tonomy.plugin import decode_record, encode_record, hash_plain

from tonomy_marketplace.artifacts import CHUNK_SIZE
from tonomy_marketplace.manifest import Manifest

PLUGIN = "marketplace"


class Outcome(Protocol):
    ok: bool
    events: list[tuple[str, str, dict[str, Any]]]
    error_code: str | None
    error_message: str | None


class Node(Protocol):
    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any: ...

    def act(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[str]) -> Any: ...


class PublishError(RuntimeError):
    """A step of publishing was refused; ``code`` is the chain's stable code."""

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code


@dataclass(frozen=True, slots=True)
class ReleaseProposal:
    """What ``release`` filed: the DAO proposal to vote on and the artifact it names."""

    proposal_id: int
    artifact: bytes
    actions: list[dict[str, Any]]


def artifact_hash(package: bytes) -> bytes:
    """The content address of a package: plain BLAKE3 of its bytes."""
    return hash_plain(package)


def _act(node: Node, account: str, name: str, data: Mapping[str, Any], plugin: str = PLUGIN) -> Any:
    outcome = node.act(plugin, name, dict(data), [f"{account}@active"])
    if not outcome.ok:
        raise PublishError(outcome.error_code, outcome.error_message or f"{plugin}.{name} failed")
    return outcome


def upload(node: Node, uploader: str, package: bytes) -> bytes:
    """Store ``package`` on the network (unless it already is); returns its hash."""
    digest = artifact_hash(package)
    existing = node.query(PLUGIN, "artifact", {"hash": digest})
    if existing is not None and existing["sealed"]:
        return digest
    if existing is None:
        _act(node, uploader, "upload_begin", {"uploader": uploader, "hash": digest, "size": len(package)})
    for index in range(0, (len(package) + CHUNK_SIZE - 1) // CHUNK_SIZE):
        if existing is not None and node.query(PLUGIN, "chunk", {"hash": digest, "index": index}) is not None:
            continue
        _act(node, uploader, "upload_chunk", {"uploader": uploader, "hash": digest, "index": index,
                                              "data": package[index * CHUNK_SIZE:(index + 1) * CHUNK_SIZE]})
    _act(node, uploader, "upload_seal", {"uploader": uploader, "hash": digest})
    return digest


def release_actions(
    *, dao: str, app: str, version: str, artifact: bytes, manifest: Manifest, protocol: tuple[int, int] = (1, 1),
    register: Mapping[str, Any] | None = None, notes: str = "",
) -> list[dict[str, Any]]:
    """The DAO proposal's actions: ``register_app`` (for a new app: ``register`` =
    ``{"description", "on_validators"}``) then ``release``; each acts as the DAO."""
    actions = []
    if register is not None:
        actions.append({"plugin": PLUGIN, "name": "register_app", "data": {
            "app": app, "publisher": dao, "description": register.get("description", ""),
            "on_validators": bool(register.get("on_validators", True)),
        }})
    data: dict[str, Any] = {
        "app": app, "version": version, "artifact": artifact, "manifest": manifest.encode(),
        "protocol_min": protocol[0], "protocol_max": protocol[1],
    }
    if notes:
        data["notes"] = notes
    actions.append({"plugin": PLUGIN, "name": "release", "data": data})
    return actions


def propose_to_dao(node: Node, proposer: str, dao: str, title: str, actions: list[dict[str, Any]]) -> int:
    """File a DAO proposal carrying ``actions``; returns its id."""
    outcome = _act(node, proposer, "propose", {"dao": dao, "proposer": proposer, "title": title, "actions": encode_record(actions)}, plugin="dao")
    for plugin, name, data in outcome.events:
        if (plugin, name) == ("dao", "proposed"):
            return int(data["id"])
    raise PublishError(None, "the DAO accepted the proposal but reported no id")


def release(
    node: Node, *, proposer: str, dao: str, app: str, version: str, package: bytes, manifest: Manifest,
    protocol: tuple[int, int] = (1, 1), register: Mapping[str, Any] | None = None, notes: str = "",
) -> ReleaseProposal:
    """Upload ``package`` and propose its release to ``dao`` (the members then vote and execute)."""
    artifact = upload(node, proposer, package)
    actions = release_actions(dao=dao, app=app, version=version, artifact=artifact, manifest=manifest,
                              protocol=protocol, register=register, notes=notes)
    title = f"Release {app} {version}"
    return ReleaseProposal(propose_to_dao(node, proposer, dao, title, actions), artifact, actions)


def _when(field: str, height: int | None, delay: int | None) -> dict[str, int]:
    if (height is None) == (delay is None):
        raise ValueError(f"give exactly one of {field} and delay")
    return {field: height} if height is not None else {"delay": delay}  # type: ignore[dict-item]


def network_approval_actions(app: str, version: str, activation_height: int | None = None, lifecycle: Sequence[Mapping[str, Any]] = (),
                             *, delay: int | None = None) -> list[dict[str, Any]]:
    """A governance option's actions: ``marketplace.approve`` (at a height, or ``delay``
    blocks after the proposal executes) then the host lifecycle's own actions
    (``lifecycle``: activating the plugin's code at the same height)."""
    data = {"app": app, "version": version, **_when("activation_height", activation_height, delay)}
    return [{"plugin": PLUGIN, "name": "approve", "data": data}, *[dict(action) for action in lifecycle]]


def network_revocation_actions(app: str, version: str, at_height: int | None = None, reason: str = "",
                               lifecycle: Sequence[Mapping[str, Any]] = (), *, delay: int | None = None) -> list[dict[str, Any]]:
    """``marketplace.revoke`` (at a height or after ``delay`` blocks) then ``lifecycle``'s actions (disabling the code)."""
    data: dict[str, Any] = {"app": app, "version": version, **_when("at_height", at_height, delay)}
    if reason:
        data["reason"] = reason
    return [{"plugin": PLUGIN, "name": "revoke", "data": data}, *[dict(action) for action in lifecycle]]


def propose_to_network(node: Node, proposer: str, title: str, actions: list[dict[str, Any]], track: str = "root") -> int:
    """File a governance proposal with one option carrying ``actions``; returns its id."""
    options = encode_record([{"label": title, "actions": actions}])
    outcome = _act(node, proposer, "propose", {"proposer": proposer, "track": track, "title": title, "options": options}, plugin="governance")
    for plugin, name, data in outcome.events:
        if (plugin, name) == ("governance", "proposed"):
            return int(data["id"])
    raise PublishError(None, "governance accepted the proposal but reported no id")



__all__ = [
    "PublishError",
    "ReleaseProposal",
    "artifact_hash",
    "network_approval_actions",
    "network_revocation_actions",
    "propose_to_dao",
    "propose_to_network",
    "release",
    "release_actions",
    "upload",
]
