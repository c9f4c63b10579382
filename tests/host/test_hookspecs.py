"""The hook specs: well-formed, and every hook works when called through a plugin manager."""

from __future__ import annotations

import inspect
from typing import Any

import click
import pytest

from tonomy import hookspecs
from tonomy.plugin import ActionSpec, ParameterSpec, PluginInfo, QuerySpec, RecordSchema, build_plugin_manager, hookimpl


def test_every_hook_is_prefixed_documented_and_typed() -> None:
    specs = [name for name, value in vars(hookspecs).items() if callable(value) and hasattr(value, "tonomy_spec")]
    assert specs == list(hookspecs.HOOK_NAMES)
    assert specs, "no hooks found: the spec marker changed?"
    for name in specs:
        function = getattr(hookspecs, name)
        assert name.startswith("tonomy_"), name
        assert inspect.getdoc(function), f"{name} has no docstring"
        signature = inspect.signature(function)
        assert signature.return_annotation is not inspect.Signature.empty, f"{name} has no return type"
        for parameter in signature.parameters.values():
            assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name}) has no type"


def test_no_hook_uses_historic_or_firstresult_yet() -> None:
    # None of today's hooks is a "who provides X" question or late configuration;
    # this test is the reminder to document the choice when one becomes so.
    for name in hookspecs.HOOK_NAMES:
        options = getattr(getattr(hookspecs, name), "tonomy_spec")
        assert not options.get("firstresult") and not options.get("historic"), name


class Everything:
    """A plugin implementing every hook, so each can be called across the manager."""

    def __init__(self, name: str) -> None:
        self.name = name

    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(name=self.name, version="1.0", protocol_min=1, protocol_max=1)

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec(f"{self.name}_act", lambda ctx, data: None, RecordSchema()))

    @hookimpl
    def tonomy_register_queries(self, register: Any) -> None:
        register(QuerySpec(f"{self.name}_query", lambda ctx, params: 0, RecordSchema()))

    @hookimpl
    def tonomy_register_parameters(self, register: Any) -> None:
        register(ParameterSpec(f"{self.name}_limit", int, 3, "a limit", minimum=0, maximum=9))

    @hookimpl
    def tonomy_register_cli_commands(self, register: Any) -> None:
        register(click.Command(f"{self.name}-cmd"))


@pytest.fixture
def pm() -> Any:
    return build_plugin_manager(autoload=False, extra_plugins=[Everything("one"), Everything("two")])


def test_tonomy_plugin_info_answers_for_every_plugin(pm: Any) -> None:
    infos = pm.hook.tonomy_plugin_info()
    assert sorted(info.name for info in infos) == ["one", "two"]


def test_tonomy_register_actions_through_the_manager(pm: Any) -> None:
    seen: list[ActionSpec] = []
    pm.hook.tonomy_register_actions(register=seen.append)
    assert sorted(spec.name for spec in seen) == ["one_act", "two_act"]
    assert [(p, s.name) for p, s in pm.registry.actions()] == [("one", "one_act"), ("two", "two_act")]


def test_tonomy_register_queries_through_the_manager(pm: Any) -> None:
    seen: list[QuerySpec] = []
    pm.hook.tonomy_register_queries(register=seen.append)
    assert sorted(spec.name for spec in seen) == ["one_query", "two_query"]
    assert pm.registry.query("two", "two_query").handler(None, {}) == 0


def test_tonomy_register_parameters_through_the_manager(pm: Any) -> None:
    seen: list[ParameterSpec] = []
    pm.hook.tonomy_register_parameters(register=seen.append)
    assert sorted((spec.name, spec.default) for spec in seen) == [("one_limit", 3), ("two_limit", 3)]
    assert [p for p, _ in pm.registry.parameters()] == ["one", "two"]


def test_tonomy_register_cli_commands_through_the_manager(pm: Any) -> None:
    seen: list[click.Command] = []
    pm.hook.tonomy_register_cli_commands(register=seen.append)
    assert sorted(command.name or "" for command in seen) == ["one-cmd", "two-cmd"]


def test_hook_caller_for_runs_one_plugin_only(pm: Any) -> None:
    seen: list[ActionSpec] = []
    pm.hook_caller_for("two", "tonomy_register_actions")(register=seen.append)
    assert [spec.name for spec in seen] == ["two_act"]
    with pytest.raises(KeyError, match="no plugin named 'three'"):
        pm.hook_caller_for("three", "tonomy_register_actions")
