"""Sample third-party Tonomy plugin: public notes.

Everything a plugin needs comes from ``tonomy.plugin``; the host finds this
module through the ``sample`` entry point of the ``tonomy`` group.
"""

from __future__ import annotations

from typing import Any

import click

from tonomy.plugin import (
    ActionRegistrar,
    ActionSpec,
    Data,
    Field,
    ParameterRegistrar,
    ParameterSpec,
    PluginInfo,
    QueryRegistrar,
    QuerySpec,
    RecordSchema,
    hookimpl,
)

NAME = "sample"
NOTES_KEY = b"notes/count"


def post_note(ctx: Any, data: Data) -> None:
    """Count one more note (the execution context provides namespaced state)."""
    count = int.from_bytes(ctx.state.get(NOTES_KEY) or b"\x00", "big")
    ctx.state.put(NOTES_KEY, (count + 1).to_bytes(8, "big"))


def note_count(ctx: Any, params: Data) -> int:
    return int.from_bytes(ctx.state.get(NOTES_KEY) or b"\x00", "big")


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(name=NAME, version="0.1.0", protocol_min=1, protocol_max=1, description="Public notes (sample plugin)")


@hookimpl
def tonomy_register_actions(register: ActionRegistrar) -> None:
    schema = RecordSchema((Field("text", str, minimum=1, maximum=280, description="the note"),))
    register(ActionSpec("post_note", post_note, schema, description="Post a public note"))


@hookimpl
def tonomy_register_queries(register: QueryRegistrar) -> None:
    register(QuerySpec("note_count", note_count, RecordSchema(), description="How many notes were posted"))


@hookimpl
def tonomy_register_parameters(register: ParameterRegistrar) -> None:
    register(ParameterSpec("max_notes", int, 100, "Most notes one account may keep", minimum=1, maximum=10_000))


@click.group(name=NAME)
def sample_cli() -> None:
    """Commands of the sample plugin."""


@sample_cli.command()
def hello() -> None:
    """Say hello from the sample plugin."""
    click.echo("hello from the sample plugin")


@hookimpl
def tonomy_register_cli_commands(register: Any) -> None:
    register(sample_cli)
