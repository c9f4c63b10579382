"""A third-party plugin installed for real is found, listed and run by the ``tonomy`` command.

The sample plugin (tests/plugins/sample_plugin) is installed with pip into a
private folder; each test runs the CLI in a fresh process with that folder on
PYTHONPATH, exactly as a user's environment would have it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

RunTonomy = Callable[..., subprocess.CompletedProcess[str]]


def listed(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    assert result.returncode == 0, result.stderr
    return {plugin["name"]: plugin for plugin in json.loads(result.stdout)["plugins"]}


def test_pip_installed_the_entry_point(sample_plugin_path: Path) -> None:
    [dist_info] = sample_plugin_path.glob("tonomy_sample-0.1.0.dist-info")
    assert "[tonomy]" in (dist_info / "entry_points.txt").read_text()
    assert (sample_plugin_path / "tonomy_sample" / "__init__.py").is_file()


def test_tonomy_plugins_lists_the_installed_plugin(sample_plugin_path: Path, tonomy_cli: RunTonomy) -> None:
    plugins = listed(tonomy_cli("plugins", "--json", pythonpath=sample_plugin_path))
    sample = plugins["sample"]
    assert sample["version"] == "0.1.0"
    assert sample["entry_point"] == "sample = tonomy_sample"
    assert sample["distribution"] == "tonomy-sample 0.1.0"
    assert sample["actions"] == ["post_note"]
    assert sample["queries"] == ["note_count"]
    assert sample["parameters"] == ["max_notes"]
    assert sample["cli_commands"] == ["sample"]


def test_without_the_install_it_is_not_there(tonomy_cli: RunTonomy) -> None:
    assert "sample" not in listed(tonomy_cli("plugins", "--json"))


def test_the_plugin_command_runs(sample_plugin_path: Path, tonomy_cli: RunTonomy) -> None:
    result = tonomy_cli("sample", "hello", pythonpath=sample_plugin_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello from the sample plugin\n"


def test_the_table_names_it(sample_plugin_path: Path, tonomy_cli: RunTonomy) -> None:
    result = tonomy_cli("plugins", pythonpath=sample_plugin_path, env={"COLUMNS": "160"})
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if " sample " in line)
    assert "0.1.0" in row and "1..1" in row and "sample = tonomy_sample" in row


def test_autoload_disabled(sample_plugin_path: Path, tonomy_cli: RunTonomy) -> None:
    result = tonomy_cli("plugins", "--json", pythonpath=sample_plugin_path, env={"TONOMY_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert listed(result) == {}
    assert json.loads(result.stdout)["autoload"] is False
    missing = tonomy_cli("sample", "hello", pythonpath=sample_plugin_path, env={"TONOMY_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert missing.returncode == 2 and "No such command 'sample'" in missing.stderr


def test_allow_and_block_lists(sample_plugin_path: Path, tonomy_cli: RunTonomy) -> None:
    only = listed(tonomy_cli("plugins", "--json", pythonpath=sample_plugin_path, env={"TONOMY_PLUGINS_ALLOW": "sample"}))
    assert list(only) == ["sample"]
    blocked = listed(tonomy_cli("plugins", "--json", pythonpath=sample_plugin_path, env={"TONOMY_PLUGINS_BLOCK": "sample"}))
    assert "sample" not in blocked
    typo = tonomy_cli("plugins", pythonpath=sample_plugin_path, env={"TONOMY_PLUGINS_ALLOW": "sampel"})
    assert typo.returncode == 1
    assert "error [plugin.load_failed]" in typo.stderr and "'sampel'" in typo.stderr and "sample" in typo.stderr


def test_an_incompatible_host_refuses_it_by_name(sample_plugin_path: Path, tmp_path: Path) -> None:
    # A host speaking protocol 2 (the plugin supports 1..1), in a fresh process.
    code = (
        "import tonomy; tonomy.PROTOCOL_VERSION = 2\n"
        "from tonomy.cli import main\n"
        "raise SystemExit(main(['plugins']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(sample_plugin_path), "TONOMY_PLUGINS_ALLOW": "sample", "PATH": "/usr/bin:/bin"},
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "plugin 'sample' (entry point 'sample = tonomy_sample' from tonomy-sample 0.1.0)" in result.stderr
    assert "supports protocol 1..1 but this host speaks protocol 2" in result.stderr
    assert "Traceback" not in result.stderr


def test_its_action_runs_on_a_real_chain(sample_plugin_path: Path, tmp_path: Path) -> None:
    # Found through its entry point, pinned in a genesis, executed in signed transactions.
    code = (
        "from tonomy.plugin.manager import build_plugin_manager\n"
        "from tonomy.testing.ledger import LedgerNet, make_genesis\n"
        "manager = build_plugin_manager(allow=['sample'])\n"
        "net = LedgerNet.create('chain', manager=manager, genesis=make_genesis(manager))\n"
        "for text in ('first', 'second'):\n"
        "    tx = net.submit(net.action('sample', 'post_note', {'text': text}, 'alice@active'), signers=['alice'])\n"
        "    net.produce()\n"
        "    assert net.chain.get_receipt(tx).status == 'executed', net.chain.get_receipt(tx)\n"
        "print(net.chain.query('sample', 'note_count', {}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(sample_plugin_path), "PATH": "/usr/bin:/bin"},
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "tonomy"
    assert script.is_file(), "the tonomy console script is missing: reinstall with `make build`"
    result = subprocess.run([str(script), "version", "--json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["protocol"] >= 1
