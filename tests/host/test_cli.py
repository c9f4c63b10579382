"""The ``tonomy`` CLI in-process: help, version, plugins, plugin commands, and error reporting."""

from __future__ import annotations

import json
from typing import Any

import pytest

import tonomy
import tonomy._core as core
from tonomy.cli import EXIT_ERROR, EXIT_INTERNAL, RESERVED_COMMANDS, build_cli, main
from tonomy.cli.report import wants_debug

COMMAND_BODY = """
import click

@click.group(name={command!r})
def group():
    "Commands of {command}."

@group.command()
def hello():
    click.echo("hello from {command}")

@group.command()
def fail():
    from tonomy.errors import InvalidInputError
    raise InvalidInputError("the amount must be positive")

@group.command()
def crash():
    raise ZeroDivisionError("division by zero in plugin")

@hookimpl
def tonomy_register_cli_commands(register):
    register(group)
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_lists_builtin_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "version" in out and "plugins" in out and "--debug" in out


def test_version_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "version")
    assert code == 0
    assert tonomy.__version__ in out and "protocol" in out
    code, out, _ = run(capsys, "version", "--json")
    found = json.loads(out)
    assert found == {"tonomy": tonomy.__version__, "core": core.__version__, "protocol": tonomy.PROTOCOL_VERSION}


def test_version_loads_no_plugin(make_dist: Any, plugin_source: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    make_dist("broken", "raise RuntimeError('broken plugin')\n")
    monkeypatch.setenv("TONOMY_PLUGINS_ALLOW", "broken")
    assert run(capsys, "version")[0] == 0
    code, _, err = run(capsys, "plugins")
    assert code == EXIT_ERROR and "broken plugin" in err


def test_plugins_json_and_table(make_dist: Any, plugin_source: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    module = make_dist("coins", plugin_source("coins", actions=("transfer",), body=COMMAND_BODY.format(command="coins")))
    monkeypatch.setenv("TONOMY_PLUGINS_ALLOW", "coins")
    code, out, _ = run(capsys, "plugins", "--json")
    assert code == 0
    listed = json.loads(out)
    assert listed["protocol"] == tonomy.PROTOCOL_VERSION and listed["autoload"] is True
    [coins] = listed["plugins"]
    assert coins["name"] == "coins" and coins["version"] == "1.0"
    assert (coins["protocol_min"], coins["protocol_max"]) == (1, 1)
    assert coins["entry_point"] == f"coins = {module}"
    assert coins["actions"] == ["transfer"] and coins["cli_commands"] == ["coins"]

    code, out, _ = run(capsys, "plugins")
    assert code == 0
    assert "coins" in out and "1..1" in out and "Actions" in out


def test_plugins_when_none_are_loaded(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TONOMY_DISABLE_PLUGIN_AUTOLOAD", "1")
    code, out, _ = run(capsys, "plugins")
    assert code == 0 and "No plugins are loaded" in out
    code, out, _ = run(capsys, "plugins", "--json")
    assert json.loads(out) == {"protocol": tonomy.PROTOCOL_VERSION, "autoload": False, "plugins": []}


def test_plugin_commands_run_and_their_errors_are_reported(
    make_dist: Any, plugin_source: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_dist("coins", plugin_source("coins", body=COMMAND_BODY.format(command="coins")))
    monkeypatch.setenv("TONOMY_PLUGINS_ALLOW", "coins")
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "Commands of coins." in out
    assert run(capsys, "coins", "hello")[:2] == (0, "hello from coins\n")

    code, out, err = run(capsys, "coins", "fail")
    assert code == EXIT_ERROR
    assert "error [core.invalid_input] the amount must be positive" in err
    assert "Traceback" not in err and "--debug" in err

    code, _, err = run(capsys, "--debug", "coins", "fail")
    assert code == EXIT_ERROR and "Traceback" in err and "the amount must be positive" in err

    code, _, err = run(capsys, "coins", "crash")
    assert code == EXIT_INTERNAL
    assert "internal error ZeroDivisionError: division by zero in plugin" in err and "Traceback" not in err


def test_a_broken_plugin_gives_a_clear_error_and_help_still_works(
    make_dist: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = make_dist("crashy", "import tonomy_no_such_dependency\n")
    monkeypatch.setenv("TONOMY_PLUGINS_ALLOW", "crashy")
    code, _, err = run(capsys, "plugins")
    assert code == EXIT_ERROR
    assert "error [plugin.load_failed] plugin 'crashy'" in err
    assert f"entry point 'crashy = {module}" in err and "TONOMY_PLUGINS_BLOCK=crashy" in err
    assert "Traceback" not in err

    code, out, _ = run(capsys, "--help")
    assert code == 0 and "version" in out
    assert "a plugin failed to load" in out and "crashy" in out

    code, _, err = run(capsys, "some-plugin-command")
    assert code == EXIT_ERROR and "plugin 'crashy'" in err

    monkeypatch.setenv("TONOMY_PLUGINS_BLOCK", "crashy")
    monkeypatch.setenv("TONOMY_PLUGINS_ALLOW", "")
    # blocked: no plugin error any more (other installed plugins may still load)
    code, _, err = run(capsys, "plugins", "--json")
    assert "crashy" not in err


@pytest.mark.parametrize("name", ["version", "plugins", "plugin", "keys", "node", "devnet", *RESERVED_COMMANDS])
def test_a_plugin_cannot_take_a_builtin_or_reserved_command(
    name: str, make_dist: Any, plugin_source: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_dist("greedy", plugin_source("greedy", body=COMMAND_BODY.format(command=name)))
    monkeypatch.setenv("TONOMY_PLUGINS_ALLOW", "greedy")
    code, _, err = run(capsys, "plugins")
    assert code == EXIT_ERROR
    assert f"error [plugin.conflict] plugin 'greedy'" in err and f"CLI command {name!r}" in err


def test_two_plugins_cannot_add_the_same_command(
    make_dist: Any, plugin_source: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for plugin in ("first", "second"):
        make_dist(plugin, plugin_source(plugin, body=COMMAND_BODY.format(command="shared")))
    monkeypatch.setenv("TONOMY_PLUGINS_ALLOW", "first,second")
    code, _, err = run(capsys, "plugins")
    assert code == EXIT_ERROR
    assert "plugin 'second'" in err and "'shared', which plugin 'first' uses" in err


def test_usage_errors_keep_clicks_exit_code(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONOMY_DISABLE_PLUGIN_AUTOLOAD", "1")
    code, _, err = run(capsys, "no-such-command")
    assert code == 2 and "No such command" in err
    code, _, err = run(capsys, "version", "--bogus")
    assert code == 2


def test_node_commands_are_builtin() -> None:
    group = build_cli()
    assert {"node", "devnet", "keys"} <= set(group.commands)
    assert not set(RESERVED_COMMANDS) & set(group.commands)


def test_wants_debug() -> None:
    assert wants_debug(["--debug", "plugins"], {})
    assert wants_debug(["pay", "send", "--debug"], {})
    assert not wants_debug(["pay", "--", "--debug"], {})
    assert wants_debug([], {"TONOMY_DEBUG": "1"})
    assert not wants_debug([], {"TONOMY_DEBUG": "0"})
