"""A marketplace test network: a real chain with marketplace, DAO, Pay, governance and apps.

Apps reach this chain the way they reach a node: packed, installed into a plugin
directory (``tonomy.plugin.apploader``, with every install check) and loaded from there.
The chain pins them at genesis so that tests run without the plugin lifecycle; the
engine's capability windows still keep each app inactive until the network approves it
and from its revocation on.

(A module with its own name, not ``conftest``: the whole repository runs in one pytest
session.)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import tonomy_dao  # noqa: E402
import tonomy_governance  # noqa: E402
import tonomy_marketplace  # noqa: E402
import tonomy_pay  # noqa: E402
from tonomy_marketplace import manifest as manifests  # noqa: E402
from tonomy_marketplace import publish  # noqa: E402
from tonomy_marketplace.artifacts import CHUNK_SIZE  # noqa: E402

from tonomy import _core  # noqa: E402
from tonomy.chain import codec  # noqa: E402
from tonomy.errors import TonomyError  # noqa: E402
from tonomy.plugin.apparchive import pack_directory  # noqa: E402
from tonomy.plugin.apploader import install_package, load_app  # noqa: E402
from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis  # noqa: E402

ACCOUNTS = ("alice", "bob", "carol", "dave", "erin")
REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "apps"
TEST_APPS = Path(__file__).parent / "apps"
DAO = "makers"
GOVERNANCE = {
    "voting_delay": 1, "voting_period": 3, "timelock": 1, "grace": 30, "deposit": 0,
    "voting_token_plugin": "pay", "voting_symbol": "TONO", "deposit_token_plugin": "pay", "deposit_symbol": "TONO",
}


@dataclass(frozen=True)
class AppSource:
    """An app's sources, its package and the manifest it is published with."""

    name: str
    version: str
    module_dir: Path
    manifest: manifests.Manifest

    @property
    def package(self) -> bytes:
        return pack_directory(self.name, self.version, self.module_dir)

    @property
    def artifact(self) -> bytes:
        return _core.hash_plain(self.package)


def manifest_file(path: Path) -> manifests.Manifest:
    record = json.loads(path.read_text())
    return manifests.build(**{key: record.get(key, []) for key in manifests.FIELDS})


CROWDFUND = AppSource("crowdfund", "1.0.0", EXAMPLES / "crowdfund" / "crowdfund", manifest_file(EXAMPLES / "crowdfund" / "manifest.json"))
POLL_V1 = AppSource("poll", "1.0.0", EXAMPLES / "poll" / "v1" / "poll", manifest_file(EXAMPLES / "poll" / "manifest.json"))
POLL_V2 = AppSource("poll", "2.0.0", EXAMPLES / "poll" / "v2" / "poll", manifest_file(EXAMPLES / "poll" / "manifest.json"))
SNEAKY = AppSource("sneaky", "1.0.0", TEST_APPS / "sneaky" / "sneaky", manifests.build(state=["own/"]))


def preinstall(apps_dir: Path, source: AppSource, publisher: str = DAO) -> Any:
    """Install ``source`` into a plugin directory and load it, as a node does."""
    folder = install_package(apps_dir, source.package, app=source.name, version=source.version, artifact=source.artifact, publisher=publisher)
    return load_app(folder)


@dataclass
class Market:
    """The chain plus verbs; every action is one transaction in its own block."""

    net: LedgerNet
    apps: dict[str, Any] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return self.net.chain.height

    def act(self, plugin: str, name: str, data: Mapping[str, Any], signer: str, actor: str | None = None) -> Any:
        actor = actor or ("tonomy" if signer == "validator" else signer)
        tx = self.net.submit(self.net.action(plugin, name, dict(data), f"{actor}@active"), [signer])
        self.net.produce()
        receipt = self.net.chain.get_receipt(tx)
        assert receipt is not None
        return receipt

    def ok(self, plugin: str, name: str, data: Mapping[str, Any], signer: str) -> Any:
        receipt = self.act(plugin, name, data, signer)
        assert receipt.status == "executed", f"{plugin}.{name}: {receipt.error_code} {receipt.error_message}"
        return receipt

    def fails(self, code: str, plugin: str, name: str, data: Mapping[str, Any], signer: str, actor: str | None = None) -> Any:
        receipt = self.act(plugin, name, data, signer, actor)
        assert (receipt.status, receipt.error_code) == ("failed", code), f"{receipt.status} {receipt.error_code} {receipt.error_message}"
        return receipt

    def refused(self, code: str, plugin: str, name: str, data: Mapping[str, Any], signer: str, actor: str) -> None:
        """Admission refuses the transaction outright (nothing queued, nothing stored)."""
        try:
            self.net.submit(self.net.action(plugin, name, dict(data), f"{actor}@active"), [signer])
        except TonomyError as exc:
            assert exc.code == code, str(exc)
        else:
            raise AssertionError(f"{plugin}.{name} signed by {signer} for {actor} was admitted")

    def query(self, plugin: str, name: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.net.chain.query(plugin, name, dict(params or {}))

    def until(self, height: int) -> None:
        while self.height < height:
            self.net.produce()

    def state_root(self) -> bytes:
        return bytes(self.net.chain.head.state_root)

    # -- the publishing flow ------------------------------------------------------------

    def upload(self, uploader: str, package: bytes) -> bytes:
        digest = _core.hash_plain(package)
        self.ok("marketplace", "upload_begin", {"uploader": uploader, "hash": digest, "size": len(package)}, uploader)
        for index in range(0, (len(package) + CHUNK_SIZE - 1) // CHUNK_SIZE):
            chunk = package[index * CHUNK_SIZE:(index + 1) * CHUNK_SIZE]
            self.ok("marketplace", "upload_chunk", {"uploader": uploader, "hash": digest, "index": index, "data": chunk}, uploader)
        self.ok("marketplace", "upload_seal", {"uploader": uploader, "hash": digest}, uploader)
        return digest

    def dao_decide(self, actions: Sequence[Mapping[str, Any]], voters: Iterable[str] = ("alice", "bob"), dao: str = DAO) -> Any:
        """A DAO proposal carrying ``actions``, approved by ``voters`` and executed; the execute receipt."""
        receipt = self.ok("dao", "propose", {"dao": dao, "proposer": "alice", "title": "release", "actions": codec.encode([dict(a) for a in actions])}, "alice")
        pid = int(codec.decode([e for e in receipt.events if e.name == "proposed"][0].data)["id"])
        for voter in voters:
            self.ok("dao", "vote", {"id": pid, "voter": voter, "choice": 1}, voter)
        self.until(self.query("dao", "proposal", {"id": pid})["eta"] - 1)
        return self.act("dao", "execute", {"id": pid}, "carol")

    def gov_decide(self, actions: Sequence[Mapping[str, Any]], voters: Iterable[str] = ("alice", "bob")) -> Any:
        """A governance (council) proposal carrying ``actions``, approved and executed; the execute receipt."""
        options = codec.encode([{"label": "yes", "actions": [dict(a) for a in actions]}])
        receipt = self.ok("governance", "propose", {"proposer": "alice", "track": "root", "title": "market", "options": options}, "alice")
        pid = int(codec.decode([e for e in receipt.events if e.name == "proposed"][0].data)["id"])
        proposal = self.query("governance", "proposal", {"id": pid})
        self.until(proposal["vote_start"] - 1)
        for voter in voters:
            self.ok("governance", "vote", {"id": pid, "voter": voter, "choice": 0}, voter)
        self.until(self.query("governance", "proposal", {"id": pid})["eta"] - 1)
        return self.act("governance", "execute", {"id": pid}, "carol")

    def publish(self, source: AppSource, *, register: bool = True, on_validators: bool = True) -> bytes:
        """Upload and release ``source`` through the DAO; returns the artifact hash."""
        digest = self.upload("alice", source.package)
        actions = publish.release_actions(
            dao=DAO, app=source.name, version=source.version, artifact=digest, manifest=source.manifest,
            register={"description": f"the {source.name} app", "on_validators": on_validators} if register else None,
        )
        receipt = self.dao_decide(actions)
        assert receipt.status == "executed", f"{receipt.error_code} {receipt.error_message}"
        return digest

    def approve(self, source: AppSource, height: int) -> Any:
        return self.approve_with(publish.network_approval_actions(source.name, source.version, height))

    def approve_with(self, actions: Sequence[Mapping[str, Any]]) -> Any:
        """A governance decision carrying ``actions`` that must execute."""
        receipt = self.gov_decide(actions)
        assert receipt.status == "executed", f"{receipt.error_code} {receipt.error_message}"
        return receipt


class LedgerNode:
    """``tonomy.plugin.cli.ChainNode`` over the test chain: what the CLI and ``publish`` talk to."""

    def __init__(self, market: Market) -> None:
        self.market = market

    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any:
        return self.market.query(plugin, name, params)

    def act(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[str]) -> Any:
        from tonomy.plugin.cli import outcome_from_receipt

        signer = authorization[0].split("@")[0]
        return outcome_from_receipt(self.market.act(plugin, name, data, signer))


#: Blocks between scheduling a plugin change and its height, in these tests.
MIN_DELAY = 3


def make_market(path: Path, apps: Sequence[AppSource] = (), *, pin_apps: bool = True) -> Market:
    """A chain whose node has ``apps`` installed. ``pin_apps``: the genesis enables them at
    height 0 (the engine's capability windows still gate them); otherwise they run only
    once governance activates them (the plugin lifecycle), as on a real network."""
    first_party = [tonomy_marketplace, tonomy_dao, tonomy_pay, tonomy_governance]
    modules = [preinstall(path / "apps", source) for source in apps]
    manager = build_manager([*first_party, *modules])
    parameters = {"tonomy": {"governance_plugin": "governance", "plugin_change_min_delay": MIN_DELAY}, "governance": GOVERNANCE}
    genesis = make_genesis(manager if pin_apps else build_manager(first_party), ACCOUNTS, parameters=parameters)
    market = Market(LedgerNet.create(path / "chain", manager=manager, genesis=genesis), {source.name: source for source in apps})
    bootstrap(market.ok, "validator", dao_voting_period=2)
    return market


def bootstrap(ok: Any, system: str, *, dao_voting_period: int) -> None:
    """The token, the genesis council (alice, bob, carol) and the DAO ``makers`` (the same three);
    ``ok(plugin, name, data, signer)`` runs one action and requires it to succeed."""
    ok("pay", "create_token", {"issuer": "tonomy", "symbol": "TONO", "max_supply": 10**9, "decimals": 0}, system)
    for account in ACCOUNTS:
        ok("pay", "issue", {"symbol": "TONO", "to": account, "amount": 1_000}, system)
    ok("governance", "init_council", {"members": "alice,bob,carol"}, system)
    ok("dao", "create", {"creator": "alice", "name": DAO, "voting_period": dao_voting_period, "timelock": 0}, "alice")
    for member in ("bob", "carol"):
        ok("dao", "invite", {"dao": DAO, "inviter": "alice", "account": member}, "alice")
        ok("dao", "join", {"dao": DAO, "account": member}, member)
