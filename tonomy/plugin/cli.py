"""What a plugin's CLI commands need to talk to a node: query, act, read the receipt.

    from tonomy.plugin.cli import Session, node_options

Every plugin that adds ``tonomy <plugin> ...`` commands shares these: the
``--node/--key-file/--account`` options, a :class:`Session` that runs queries and
submits one signed action, and helpers to read events from the receipt.
:class:`ChainNode` is the small interface the commands need; :func:`connect` builds
it over the host's node client (``query`` and ``push_action``). Tests hand the
commands any other implementation through ``click``'s ``obj``. Importing this module
loads click, so plugins import it only from their CLI code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import click


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    ok: bool
    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (plugin, name, data)
    error_code: str | None = None
    error_message: str | None = None


class ChainNode(Protocol):
    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any: ...

    def act(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[str]) -> ActionOutcome: ...


def outcome_from_receipt(receipt: Any) -> ActionOutcome:
    from tonomy.plugin import decode_record

    events = [(event.plugin, event.name, decode_record(event.data)) for event in receipt.events]
    return ActionOutcome(receipt.status == "executed", events, receipt.error_code, receipt.error_message)


class NodeClientAdapter:
    """:class:`ChainNode` over ``tonomy.node.client.NodeClient``."""

    def __init__(self, client: Any, key_file: str | None) -> None:
        self._client = client
        self._key_file = key_file

    def close(self) -> None:
        self._client.close()

    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any:
        return self._client.query(plugin, name, dict(params))

    def act(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[str]) -> ActionOutcome:
        if self._key_file is None:
            raise click.ClickException("signing needs --key-file (or TONOMY_KEY_FILE)")
        receipt = self._client.push_action(plugin, name, dict(data), list(authorization), key_file=self._key_file)
        return outcome_from_receipt(receipt)


def connect(node_url: str, key_file: str | None) -> NodeClientAdapter:
    from tonomy.node.client import NodeClient

    return NodeClientAdapter(NodeClient(node_url), key_file)


@dataclass(slots=True)
class Session:
    node_url: str
    key_file: str | None
    account: str | None
    node: Any = None

    def connection(self) -> ChainNode:
        if self.node is None:
            adapter = connect(self.node_url, self.key_file)
            click.get_current_context().call_on_close(adapter.close)
            self.node = adapter
        return self.node  # type: ignore[no-any-return]

    def me(self) -> str:
        if not self.account:
            raise click.UsageError("name the acting account with --account (or TONOMY_ACCOUNT)")
        return self.account

    def query(self, plugin: str, name: str, /, **params: Any) -> Any:
        return self.connection().query(plugin, name, params)

    def act(self, plugin: str, name: str, /, **data: Any) -> ActionOutcome:
        outcome = self.connection().act(plugin, name, {k: v for k, v in data.items() if v is not None}, [f"{self.me()}@active"])
        if not outcome.ok:
            raise click.ClickException(f"[{outcome.error_code}] {outcome.error_message}")
        return outcome


_S = TypeVar("_S", bound="Session")


def bind_session(
    ctx: click.Context, node_url: str, key_file: str | None, account: str | None, kind: type[_S] = Session  # type: ignore[assignment]
) -> _S:
    """The group callback's one job: a session (``kind``, a :class:`Session` subclass for
    plugins that add helpers) in ``ctx.obj`` from the node options.

    A :class:`ChainNode` already in ``ctx.obj`` (a test's in-process node) is kept as the connection.
    """
    node = ctx.obj if ctx.obj is not None and hasattr(ctx.obj, "act") else None
    session = kind(node_url, key_file, account, node)
    ctx.obj = session
    return session


def event(outcome: ActionOutcome, plugin: str, name: str) -> dict[str, Any]:
    for event_plugin, event_name, data in outcome.events:
        if (event_plugin, event_name) == (plugin, name):
            return data
    raise click.ClickException(f"the receipt has no {plugin}.{name} event")


def show(record: Any) -> None:
    import json

    click.echo(json.dumps(record, indent=2, sort_keys=True, default=lambda b: {"$bytes": b.hex()} if isinstance(b, bytes) else str(b)))


def node_options(function: Any) -> Any:
    for option in reversed(
        (
            click.option("--node", "node_url", envvar="TONOMY_NODE", default="http://127.0.0.1:8640", show_default=True, help="The node's API URL."),
            click.option("--key-file", envvar="TONOMY_KEY_FILE", default=None, help="Key file that signs actions."),
            click.option("--account", envvar="TONOMY_ACCOUNT", default=None, help="The acting account (its active permission signs)."),
        )
    ):
        function = option(function)
    return function
