"""``tonomy dev ...`` over a real chain in process (the ChainNode interface the node client backs)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import tonomy_devconsole
import tonomy_identity
from tonomy.plugin.cli import ActionOutcome, Session, outcome_from_receipt
from tonomy.plugin.manager import build_plugin_manager
from tonomy.testing import check_plugin_conformance
from tonomy.testing.ledger import LedgerNet, public_key
from tonomy_devconsole.cli import dev_group

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


class InProcessNode:
    """Signs with the test key of the first authorizing account and produces a block per action."""

    def __init__(self, net: LedgerNet) -> None:
        self.net = net
        self.key_of: str | None = None  # whose test key signs (default: the first authorizing account)

    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any:
        return self.net.chain.query(plugin, name, dict(params))

    def act(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[str]) -> ActionOutcome:
        signer = self.key_of or authorization[0].split("@")[0]
        tx_id = self.net.submit(self.net.action(plugin, name, dict(data), *authorization), signers=[signer])
        self.net.produce()
        return outcome_from_receipt(self.net.chain.get_receipt(tx_id))


@pytest.fixture
def node(tmp_path: Path) -> Iterator[InProcessNode]:
    net = LedgerNet.create(tmp_path / "chain", plugins=[tonomy_identity, tonomy_devconsole], accounts=["alice", "mallory"])
    authority = {"threshold": 1, "keys": [{"key": public_key("notesapp"), "weight": 1}], "accounts": [], "waits": []}
    tx = net.submit(net.action("tonomy", "newaccount", {"creator": "alice", "name": "notesapp", "type": "app",
                                                       "owner": authority, "active": authority}, "alice@active"), ["alice"])
    net.produce()
    assert net.chain.get_receipt(tx).status == "executed"
    try:
        yield InProcessNode(net)
    finally:
        net.close()


def dev(node: InProcessNode, account: str | None, *args: str) -> Any:
    prefix = ["--account", account] if account else []
    return CliRunner().invoke(dev_group, [*prefix, *args], obj=node)


def register(node: InProcessNode, *extra: str) -> Any:
    return dev(node, None, "register", "notesapp", "--name", "Notes", "--origin", "https://notes.example",
               "--redirect", "https://notes.example/cb", "--scope", "notes.post", "--data-scope", "name",
               "--request-key", public_key("notesapp-req").hex(), *extra)


def test_conformance_and_web_page() -> None:
    report = check_plugin_conformance(tonomy_devconsole)
    assert report.actions == () and report.cli_commands == ("dev",)
    manager = build_plugin_manager(autoload=False, extra_plugins=[tonomy_devconsole])
    pages: list[Any] = []
    manager.hook.tonomy_web_pages(register=pages.append)
    assert [(page.path, page.nav_label) for page in pages] == [("index.html", "Developer")]
    assert (pages[0].static_dir / "console.js").is_file()


def test_register_update_rotate_settings_list(node: InProcessNode, tmp_path: Path) -> None:
    result = register(node, "--description", "Write notes")
    assert result.exit_code == 0, result.output
    assert "registered app notesapp (owner alice)" in result.output
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    result = dev(node, "alice", "update", "notesapp", "--name", "Notes Pro", "--logo", str(logo),
                 "--extra-origin", "https://app.notes.example")
    assert result.exit_code == 0, result.output
    record = node.query("identity", "app", {"app": "notesapp"})
    assert record["name"] == "Notes Pro" and record["logo"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert record["origins"] == ["https://notes.example", "https://app.notes.example"]
    key_file = tmp_path / "new.key"
    key_file.write_text(json.dumps({"kind": "tonomy/ed25519-key/v1", "public_key": public_key("req-2").hex(), "seed": "00" * 32}))
    result = dev(node, "alice", "rotate-key", "notesapp", "--request-key", str(key_file))
    assert result.exit_code == 0 and "key version 2" in result.output, result.output
    assert node.query("identity", "app", {"app": "notesapp"})["request_key"] == public_key("req-2")
    result = dev(node, "alice", "settings", "notesapp", "--scope", "notes.post", "--credential", "VerifiedAttributesCredential")
    assert result.exit_code == 0, result.output
    record = node.query("identity", "app", {"app": "notesapp"})
    assert (record["credentials"], record["data_scopes"]) == (["VerifiedAttributesCredential"], [])
    listed = dev(node, "alice", "list")
    assert listed.exit_code == 0 and listed.output.startswith("notesapp\tNotes Pro\thttps://notes.example\tlogins 0")
    shown = json.loads(dev(node, "alice", "show", "notesapp", "--days", "3").output)
    assert shown["record"]["key_version"] == 2 and len(shown["usage"]["days"]) == 3
    assert dev(node, "mallory", "list").output.strip() == "mallory owns no apps"


def test_refusals_print_the_code_and_change_nothing(node: InProcessNode, tmp_path: Path) -> None:
    assert register(node).exit_code == 0
    before = node.query("identity", "app", {"app": "notesapp"})
    result = dev(node, "mallory", "update", "notesapp", "--name", "Pwned")
    assert result.exit_code == 1 and "[tx.missing_authorization]" in result.output
    result = dev(node, "alice", "update", "notesapp", "--origin", "https://NOTES.example")
    # Refused at admission: the CLI's error report prints it as "error [tx.invalid_data] ...".
    assert result.exit_code == 1 and getattr(result.exception, "code", None) == "tx.invalid_data"
    assert "field 'origin'" in str(result.exception)
    svg = tmp_path / "logo.svg"
    svg.write_bytes(b"<svg onload='alert(1)'/>")
    result = dev(node, "alice", "update", "notesapp", "--logo", str(svg))
    assert result.exit_code == 2 and "SVG is refused" in result.output
    big = tmp_path / "big.png"
    big.write_bytes(PNG + bytes(9000))
    assert "larger than 8192 bytes" in dev(node, "alice", "update", "notesapp", "--logo", str(big)).output
    result = dev(node, "alice", "update", "notesapp", "--logo-hash-of", str(big))
    assert result.exit_code == 0, result.output
    assert node.query("identity", "app", {"app": "notesapp"})["logo"].startswith("blake3:")
    result = dev(node, "alice", "rotate-key", "notesapp", "--request-key", "nothex")
    assert result.exit_code == 2 and "64 hex digits" in result.output
    node.key_of = "mallory"  # a key that is not the app's cannot register it (admission: tx.unauthorized)
    result = dev(node, "mallory", "register", "notesapp", "--name", "N", "--origin", "https://x.example", "--redirect",
                 "https://x.example/cb", "--request-key", "00" * 32)
    assert getattr(result.exception, "code", None) == "tx.unauthorized"
    node.key_of = None
    after = node.query("identity", "app", {"app": "notesapp"})
    assert {k: v for k, v in after.items() if k != "logo"} == {k: v for k, v in before.items() if k != "logo"}


def test_create_an_app_account_owned_by_the_acting_account(node: InProcessNode) -> None:
    result = dev(node, "alice", "create", "todoapp")
    assert result.exit_code == 0, result.output
    info = node.query("tonomy", "account", {"name": "todoapp"})
    assert info["type"] == "app" and info["creator"] == "alice"
    node.key_of = "alice"  # todoapp's active is alice@active: alice's key signs for it
    result = dev(node, "alice", "register", "todoapp", "--name", "Todo", "--origin", "https://todo.example",
                 "--redirect", "https://todo.example/cb", "--request-key", public_key("todo-req").hex())
    assert result.exit_code == 0, result.output
    assert "registered app todoapp (owner alice)" in result.output
    assert dev(node, "alice", "list").output.startswith("todoapp\tTodo\thttps://todo.example")


def make_account(node: InProcessNode, name: str, kind: str, creator: str) -> None:
    authority = {"threshold": 1, "keys": [{"key": public_key(name), "weight": 1}], "accounts": [], "waits": []}
    outcome = node.act("tonomy", "newaccount", {"creator": creator, "name": name, "type": kind, "owner": authority,
                                                "active": authority}, [f"{creator}@active"])
    assert outcome.ok, outcome.error_message


def with_market(received: list[Any]) -> click.Group:
    """A root group like `tonomy`'s: the console, and a stand-in for the marketplace's `market publish`."""

    @click.group()
    def root() -> None:
        pass

    @click.group(name="market")
    def market() -> None:
        pass

    @market.command(name="publish")
    @click.argument("module_dir")
    @click.option("--dao", required=True)
    @click.option("--app", required=True)
    @click.option("--version", required=True)
    @click.pass_context
    def market_publish(ctx: click.Context, module_dir: str, dao: str, app: str, version: str) -> None:
        session = ctx.find_object(Session)
        assert session is not None
        received.append({"module_dir": module_dir, "dao": dao, "app": app, "version": version, "proposer": session.me()})
        click.echo("DAO proposal 7")

    root.add_command(dev_group)
    root.add_command(market)
    return root


def test_publish_forwards_to_the_marketplace_as_the_owning_dao(node: InProcessNode) -> None:
    make_account(node, "guild", "dao", "alice")
    make_account(node, "guildapp", "app", "guild")
    node.key_of = "guildapp"
    result = dev(node, None, "register", "guildapp", "--name", "Guild", "--origin", "https://guild.example",
                 "--redirect", "https://guild.example/cb", "--request-key", public_key("g-req").hex())
    assert result.exit_code == 0 and "owner guild" in result.output, result.output
    node.key_of = None
    received: list[Any] = []
    root = with_market(received)
    result = CliRunner().invoke(root, ["dev", "--account", "alice", "publish", "guildapp", "./pkg", "--version", "1.0.0"],
                                obj=node)
    assert result.exit_code == 0, result.output
    assert result.output == "DAO proposal 7\n"
    assert received == [{"module_dir": "./pkg", "dao": "guild", "app": "guildapp", "version": "1.0.0", "proposer": "alice"}]
    # The console fills --app and --dao itself; a person-owned app cannot be published.
    result = CliRunner().invoke(root, ["dev", "--account", "alice", "publish", "guildapp", "./pkg", "--dao", "other"], obj=node)
    assert result.exit_code == 2 and "fills --app and --dao" in result.output
    assert register(node).exit_code == 0
    result = CliRunner().invoke(root, ["dev", "--account", "alice", "publish", "notesapp", "./pkg", "--version", "1.0.0"],
                                obj=node)
    assert result.exit_code == 1 and "[devconsole.not_a_dao]" in result.output and "owned by alice" in result.output
    assert len(received) == 1


def test_publish_without_a_marketplace_says_so(node: InProcessNode) -> None:
    assert register(node).exit_code == 0
    result = dev(node, "alice", "publish", "notesapp", "./pkg", "--version", "1.0.0")
    assert result.exit_code == 1 and "[devconsole.no_marketplace]" in result.output
