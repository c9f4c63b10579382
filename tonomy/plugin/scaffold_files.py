"""The files ``tonomy plugin new`` writes (``string.Template``: ``$name``, ``$module``, ``$distribution``, ``$title``).

Kept as data beside the generator so the package a plugin author gets is readable in
one place. The generated tests are the proof that the package works as written: the
host's own test scaffolds one, installs it and runs them.
"""

from __future__ import annotations

PYPROJECT = """\
[build-system]
requires = ["flit_core>=3.9,<5"]
build-backend = "flit_core.buildapi"

[project]
name = "$distribution"
version = "0.1.0"
description = "$title: a Tonomy plugin"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["tonomy"]

[project.optional-dependencies]
test = ["pytest>=8"]

# The entry-point name is the plugin's name; the host finds the plugin through it.
[project.entry-points.tonomy]
$name = "$module"

[tool.flit.module]
name = "$module"

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-ra --strict-markers --import-mode=importlib"
"""

README = """\
# $distribution

The `$name` plugin for Tonomy (package `$module`, entry point `$name = "$module"`).
This README is its specification: the tests check that it names every action, query,
parameter and error the plugin has. Change the spec here first, then the code.

Each account keeps one short public message.

## Actions

| action | data | by | effect |
|---|---|---|---|
| `set_message` | `{account: str (3–32), text: str (1–1024 UTF-8 bytes)}` | `account` | stores `text` as the account's message, replacing the last one; emits `message_set {account, length}` |

## State

Inside the plugin's namespace (`p/$name/`):

| key | value |
|---|---|
| `message/<account>` | `{"text": str, "height": int}`: the message and the block height that set it |

## Queries

| query | params | answer |
|---|---|---|
| `message` | `{account}` | the record above, or `null` |

## Parameters

| parameter | type | default | bounds | meaning |
|---|---|---|---|---|
| `max_length` | int | 280 | 1–1024 | longest message in UTF-8 bytes; governance may change it |

## Errors

| code | when |
|---|---|
| `$name.too_long` | the text is longer than `max_length` |
| `tx.missing_authorization` | `set_message` without the account's authorization |
| `tx.invalid_data` | data that does not fit the schema (refused before the handler runs) |

## Develop

    pip install --no-build-isolation -e .
    python -m pytest
"""

INIT = '''\
"""$title: one short public message per account (a Tonomy plugin).

The README beside this package is its specification. Handlers use only what the
execution context gives them (namespaced state, block height, parameters, events).
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import (
    ActionRegistrar,
    ActionSpec,
    Field,
    ParameterRegistrar,
    ParameterSpec,
    PluginInfo,
    QueryRegistrar,
    QuerySpec,
    RecordSchema,
    hookimpl,
)

NAME = "$name"
VERSION = "0.1.0"
#: Every error code the plugin's handlers raise (the README lists each).
ERRORS = ("$name.too_long",)

ACCOUNT = Field("account", str, minimum=3, maximum=32, description="the account whose message it is")
SET_MESSAGE_SCHEMA = RecordSchema((ACCOUNT, Field("text", str, minimum=1, maximum=1024, description="the message")))
MESSAGE_QUERY_SCHEMA = RecordSchema((ACCOUNT,))


def message_key(account: str) -> bytes:
    return b"message/" + account.encode()


def set_message(ctx: Any, data: Any) -> None:
    """Store the account's message (its own authorization; at most ``max_length`` bytes)."""
    ctx.require_auth(data["account"])
    length = len(data["text"].encode("utf-8"))
    limit = ctx.parameter("max_length")
    if length > limit:
        ctx.fail("too_long", f"the message is {length} bytes; the limit is {limit}")
    ctx.state.put_record(message_key(data["account"]), {"text": data["text"], "height": ctx.height})
    ctx.emit("message_set", {"account": data["account"], "length": length})


def message(ctx: Any, params: Any) -> Any:
    return ctx.state.get_record(message_key(params["account"]))


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, version=VERSION, protocol_min=1, protocol_max=1,
                      description="One short public message per account")


@hookimpl
def tonomy_register_actions(register: ActionRegistrar) -> None:
    register(ActionSpec("set_message", set_message, SET_MESSAGE_SCHEMA, description="Set the account's message"))


@hookimpl
def tonomy_register_queries(register: QueryRegistrar) -> None:
    register(QuerySpec("message", message, MESSAGE_QUERY_SCHEMA, description="An account's message"))


@hookimpl
def tonomy_register_parameters(register: ParameterRegistrar) -> None:
    register(ParameterSpec("max_length", int, 280, "Longest message in UTF-8 bytes", minimum=1, maximum=1024))
'''

TESTS = '''\
"""The $name plugin on a real ledger, through tonomy.testing: conformance, behaviour, hostile input, spec."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import $module
from tonomy.errors import TonomyError
from tonomy.testing import check_plugin_conformance
from tonomy.testing.ledger import LedgerNet

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def net(tmp_path: Path) -> Iterator[LedgerNet]:
    ledger = LedgerNet.create(tmp_path / "chain", plugins=[$module], accounts=["alice", "bob"],
                              parameters={"$name": {"max_length": 10}})
    try:
        yield ledger
    finally:
        ledger.close()


def run(net: LedgerNet, data: dict[str, Any], *, authorization: str = "alice@active", signer: str = "alice") -> Any:
    tx_id = net.submit(net.action("$name", "set_message", data, authorization), signers=[signer])
    net.produce()
    return net.chain.get_receipt(tx_id)


def test_conformance() -> None:
    report = check_plugin_conformance($module)
    assert report.info.name == "$name"
    assert [spec.name for spec in report.actions] == ["set_message"]
    assert [spec.name for spec in report.queries] == ["message"]
    assert [(spec.name, spec.default) for spec in report.parameters] == [("max_length", 280)]


def test_set_and_read_a_message(net: LedgerNet) -> None:
    assert net.chain.query("$name", "message", {"account": "alice"}) is None
    receipt = run(net, {"account": "alice", "text": "hello"})
    assert receipt.status == "executed", receipt.error_message
    assert [event.name for event in receipt.events] == ["message_set"]
    assert net.chain.query("$name", "message", {"account": "alice"}) == {"text": "hello", "height": receipt.height}
    assert run(net, {"account": "alice", "text": "again"}).status == "executed"
    message: Any = net.chain.query("$name", "message", {"account": "alice"})
    assert message["text"] == "again"


def test_the_parameter_bounds_the_length(net: LedgerNet) -> None:
    receipt = run(net, {"account": "alice", "text": "x" * 11})
    assert (receipt.status, receipt.error_code) == ("failed", "$name.too_long")
    assert run(net, {"account": "alice", "text": "é" * 6}).error_code == "$name.too_long"  # bytes, not characters
    assert net.chain.query("$name", "message", {"account": "alice"}) is None


def test_only_the_account_sets_its_message(net: LedgerNet) -> None:
    receipt = run(net, {"account": "bob", "text": "not mine"})
    assert receipt.error_code == "tx.missing_authorization"
    assert net.chain.query("$name", "message", {"account": "bob"}) is None


@pytest.mark.parametrize("data", [
    {}, {"account": "alice"}, {"account": "alice", "text": ""}, {"account": "alice", "text": 5},
    {"account": "alice", "text": "hi", "extra": 1}, {"account": "al", "text": "hi"},
    {"account": "alice", "text": "x" * 1025}, {"account": b"alice", "text": "hi"},
])
def test_hostile_data_is_refused_before_the_handler(net: LedgerNet, data: dict[str, Any]) -> None:
    root = net.chain.head.state_root
    with pytest.raises(TonomyError) as caught:
        run(net, data)
    assert caught.value.code == "tx.invalid_data"
    assert net.chain.head.state_root == root


def test_the_readme_is_the_spec() -> None:
    text = README.read_text(encoding="utf-8")
    report = check_plugin_conformance($module)
    names = [spec.name for spec in report.actions] + [spec.name for spec in report.queries]
    names += [spec.name for spec in report.parameters]
    for name in names:
        assert f"`{name}`" in text, f"the README does not specify {name}"
    source = Path($module.__file__).read_text(encoding="utf-8")
    raised = {f"$name.{reason}" for reason in re.findall(r'ctx\\.fail\\(\\s*"([a-z_]+)"', source)}
    assert raised and raised <= set($module.ERRORS)
    for code in $module.ERRORS:
        assert f"`{code}`" in text, f"the README does not list the error {code}"
'''

GITIGNORE = """\
__pycache__/
*.egg-info/
.pytest_cache/
dist/
"""

FILES = {
    "pyproject.toml": PYPROJECT,
    "README.md": README,
    ".gitignore": GITIGNORE,
    "$module/__init__.py": INIT,
    "$module/py.typed": "",
    "tests/test_$name.py": TESTS,
}
