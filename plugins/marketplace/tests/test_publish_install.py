"""The client side: ``publish.release`` (the dev console's entry point), network approval,
``install_release`` on a node's plugin directory, and ``tonomy market`` over the same chain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from marketnet import DAO, EXAMPLES, POLL_V1, LedgerNode, Market
from tonomy_marketplace import publish
from tonomy_marketplace.cli import market_cli
from tonomy_marketplace.install import InstallError, install_release

from tonomy.plugin.apploader import installed_apps, load_app


def release_through_the_flow(market: Market) -> tuple[LedgerNode, int]:
    node = LedgerNode(market)
    proposal = publish.release(node, proposer="alice", dao=DAO, app="poll", version="1.0.0", package=POLL_V1.package,
                               manifest=POLL_V1.manifest, register={"description": "polls", "on_validators": True})
    assert proposal.artifact == POLL_V1.artifact and [a["name"] for a in proposal.actions] == ["register_app", "release"]
    market.ok("dao", "vote", {"id": proposal.proposal_id, "voter": "bob", "choice": 1}, "bob")
    market.ok("dao", "vote", {"id": proposal.proposal_id, "voter": "carol", "choice": 1}, "carol")
    market.until(market.query("dao", "proposal", {"id": proposal.proposal_id})["eta"] - 1)
    market.ok("dao", "execute", {"id": proposal.proposal_id}, "dave")
    activation = market.height + 12
    pid = publish.propose_to_network(node, "alice", "approve poll", publish.network_approval_actions("poll", "1.0.0", activation))
    proposal_record = market.query("governance", "proposal", {"id": pid})
    market.until(proposal_record["vote_start"] - 1)
    for voter in ("alice", "bob"):
        market.ok("governance", "vote", {"id": pid, "voter": voter, "choice": 0}, voter)
    market.until(market.query("governance", "proposal", {"id": pid})["eta"] - 1)
    market.ok("governance", "execute", {"id": pid}, "dave")
    return node, activation


def test_publish_approve_install_load(market: Market, tmp_path: Path) -> None:
    node, activation = release_through_the_flow(market)
    assert market.query("marketplace", "release", {"app": "poll", "version": "1.0.0"})["status"] == "approved"
    folder = install_release(node, "poll", "1.0.0", tmp_path / "node")
    assert installed_apps(tmp_path / "node" / "apps") == [folder]
    assert load_app(folder).tonomy_plugin_info().name == "poll"
    assert install_release(node, "poll", "1.0.0", tmp_path / "node") == folder  # idempotent
    # uploading the same package again is a no-op: content addressed
    assert publish.upload(node, "bob", POLL_V1.package) == POLL_V1.artifact


class Lying(LedgerNode):
    def query(self, plugin: str, name: str, params: Any) -> Any:
        answer = super().query(plugin, name, params)
        if name == "chunk" and answer:
            return answer[:-1] + bytes([answer[-1] ^ 1])
        return answer


def test_install_refusals(market: Market, tmp_path: Path) -> None:
    node, tmp_path = LedgerNode(market), tmp_path / "node"
    with pytest.raises(InstallError) as unknown:
        install_release(node, "poll", "1.0.0", tmp_path)
    assert unknown.value.code == "marketplace.unknown_release"
    market.publish(POLL_V1)
    with pytest.raises(InstallError) as pending:
        install_release(node, "poll", "1.0.0", tmp_path)
    assert pending.value.code == "marketplace.wrong_status"
    market.approve(POLL_V1, market.height + 12)
    with pytest.raises(InstallError) as protocol:
        install_release(node, "poll", "1.0.0", tmp_path, protocol=2)
    assert protocol.value.code == "marketplace.invalid_protocol"
    with pytest.raises(InstallError) as lied:
        install_release(Lying(market), "poll", "1.0.0", tmp_path)
    assert lied.value.code == "marketplace.hash_mismatch"
    assert not (tmp_path / "apps").exists() or installed_apps(tmp_path / "apps") == []


def test_the_cli(market: Market, tmp_path: Path) -> None:
    node = LedgerNode(market)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(market_cli, ["--account", "alice", *args], obj=node, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    manifest = json.dumps(POLL_V1.manifest.to_record())
    out = run("publish", str(EXAMPLES / "poll" / "v1" / "poll"), "--dao", DAO, "--app", "poll", "--version", "1.0.0",
              "--manifest", manifest, "--register", "Community polls")
    assert POLL_V1.artifact.hex() in out
    pid = int(out.rsplit("DAO proposal ", 1)[1])
    for voter in ("alice", "bob"):
        market.ok("dao", "vote", {"id": pid, "voter": voter, "choice": 1}, voter)
    market.until(market.query("dao", "proposal", {"id": pid})["eta"] - 1)
    market.ok("dao", "execute", {"id": pid}, "dave")
    assert "poll" in run("list") and "makers" in run("list")
    shown = run("show", "poll")
    assert '"status": "pending"' in shown
    out = run("approve", "poll", "1.0.0", "--height", str(market.height + 30), "--without-lifecycle")
    assert out.startswith("governance proposal ")
    result = runner.invoke(market_cli, ["--account", "alice", "install", "poll", "1.0.0", "--data-dir", str(tmp_path)], obj=node)
    assert result.exit_code == 1 and "marketplace.wrong_status" in result.output
    result = runner.invoke(market_cli, ["--account", "alice", "show", "nope"], obj=node)
    assert result.exit_code == 1 and "marketplace.unknown_app" in result.output
    result = runner.invoke(market_cli, ["--account", "alice", "publish", str(EXAMPLES / "poll" / "v1" / "poll"), "--dao", DAO,
                                        "--app", "poll", "--version", "1.0.1", "--manifest", "{not json"], obj=node)
    assert result.exit_code == 2 and "manifest" in result.output


def test_the_cli_files_revocations_with_the_network_or_the_dao(market: Market) -> None:
    market.publish(POLL_V1)
    runner = CliRunner()
    out = runner.invoke(market_cli, ["--account", "alice", "revoke", "poll", "1.0.0", "--height", "500", "--dao", DAO], obj=LedgerNode(market))
    assert out.exit_code == 0 and out.output.startswith("DAO proposal "), out.output
    pid = int(out.output.split()[-1])
    proposal = market.query("dao", "proposal", {"id": pid})
    assert [(a["plugin"], a["name"]) for a in proposal["actions"]] == [("marketplace", "revoke")]
    out = runner.invoke(market_cli, ["--account", "alice", "revoke", "poll", "1.0.0", "--height", "500"], obj=LedgerNode(market))
    assert out.exit_code == 0 and out.output.startswith("governance proposal "), out.output
    out = runner.invoke(market_cli, ["--account", "dave", "revoke", "poll", "1.0.0", "--height", "500", "--dao", DAO], obj=LedgerNode(market))
    assert out.exit_code == 1 and "dao.not_member" in out.output
