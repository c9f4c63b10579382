"""The conformance suite passes a good plugin and lists every problem of a bad one."""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tonomy.plugin import ActionSpec, PluginInfo, QuerySpec, RecordSchema, hookimpl
from tonomy.testing import ConformanceError, check_plugin_conformance, conformance_problems


def test_the_sample_plugin_conforms(sample_plugin_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(sample_plugin_path))
    monkeypatch.delitem(sys.modules, "tonomy_sample", raising=False)
    sample = importlib.import_module("tonomy_sample")
    try:
        report = check_plugin_conformance(sample)
    finally:
        sys.modules.pop("tonomy_sample", None)
    assert report.info.name == "sample"
    assert [spec.name for spec in report.actions] == ["post_note"]
    assert [spec.name for spec in report.queries] == ["note_count"]
    assert [(spec.name, spec.default) for spec in report.parameters] == [("max_notes", 100)]
    assert report.cli_commands == ("sample",)


def module_from(source: str) -> types.ModuleType:
    module = types.ModuleType("candidate")
    exec(
        "from typing import Any\n"
        "import click\n"
        "from tonomy.plugin import ActionSpec, ParameterSpec, PluginInfo, QuerySpec, RecordSchema, hookimpl\n" + source,
        module.__dict__,
    )
    return module


INFO = """
@hookimpl
def tonomy_plugin_info():
    return PluginInfo(name="candidate", version="1.0", protocol_min=1, protocol_max=1)
"""


def problems_of(source: str, **kwargs: Any) -> list[str]:
    problems, report = conformance_problems(module_from(source), **kwargs)
    assert (report is None) == bool(problems)
    return problems


def test_a_minimal_plugin_conforms() -> None:
    assert problems_of(INFO) == []


def test_missing_info_is_reported() -> None:
    assert any("no tonomy_plugin_info hook" in p for p in problems_of(""))


def test_protocol_is_checked_against_the_given_version() -> None:
    assert problems_of(INFO, protocol=1) == []
    assert any("this host speaks protocol 2" in p for p in problems_of(INFO, protocol=2))


def test_every_problem_is_listed_at_once() -> None:
    source = (
        INFO
        + """
def tonomy_register_queries(register):  # forgot @hookimpl
    pass

@hookimpl
def tonomy_register_actions(register):
    register(ActionSpec("no_args", lambda: None, RecordSchema()))
    register(ActionSpec("ok", lambda ctx, data: None, RecordSchema()))

@hookimpl
def tonomy_register_parameters(register):
    register({"name": "rate", "type": float})

@hookimpl
def tonomy_register_cli_commands(register):
    register(click.Command("version"))
"""
    )
    problems = problems_of(source)
    expected = [
        "tonomy_register_queries looks like a hook but is not marked",
        "action 'no_args': handler must accept (ctx, data)",
        "registered a dict as parameter, expected a ParameterSpec",
        "adds the CLI command 'version', which tonomy uses",
    ]
    for text in expected:
        assert any(text in problem for problem in problems), (text, problems)
    assert len(problems) == len(expected)

    with pytest.raises(ConformanceError) as caught:
        check_plugin_conformance(module_from(source))
    assert isinstance(caught.value, AssertionError)
    assert caught.value.problems == problems
    assert "4 problem(s)" in str(caught.value)


def test_float_parameter_fails_inside_the_plugin() -> None:
    source = INFO + (
        "@hookimpl\n"
        "def tonomy_register_parameters(register):\n"
        "    register(ParameterSpec('rate', float, 0.5, 'a rate'))\n"
    )
    [problem] = problems_of(source)
    assert "tonomy_register_parameters hook raised TypeError" in problem
    assert "floats are never allowed" in problem


def test_default_outside_bounds_fails() -> None:
    source = INFO + (
        "@hookimpl\n"
        "def tonomy_register_parameters(register):\n"
        "    register(ParameterSpec('limit', int, 50, 'a limit', minimum=0, maximum=10))\n"
    )
    [problem] = problems_of(source)
    assert "default: must be at most 10" in problem


def test_unknown_hook_and_reserved_command() -> None:
    source = INFO + (
        "@hookimpl\n"
        "def tonomy_on_block(block):\n"
        "    pass\n"
    )
    [problem] = problems_of(source)
    assert "unknown hook 'tonomy_on_block'" in problem

    reserved = INFO + "@hookimpl\ndef tonomy_register_cli_commands(register):\n    register(click.Command('devnet'))\n"
    [problem] = problems_of(reserved)
    assert "'devnet'" in problem and "which tonomy uses" in problem  # a builtin command now


def test_an_object_plugin_conforms() -> None:
    class Plugin:
        @hookimpl
        def tonomy_plugin_info(self) -> PluginInfo:
            return PluginInfo(name="obj", version="1", protocol_min=1, protocol_max=1)

        @hookimpl
        def tonomy_register_queries(self, register: Any) -> None:
            register(QuerySpec("size", lambda ctx, params: 1, RecordSchema()))

    report = check_plugin_conformance(Plugin())
    assert [spec.name for spec in report.queries] == ["size"]

    with pytest.raises(ConformanceError, match="points at the class"):
        check_plugin_conformance(Plugin)


def test_handlers_of_any_callable_kind_are_accepted() -> None:
    class Handler:
        def __call__(self, ctx: Any, data: Any) -> None:
            return None

    class Plugin:
        @hookimpl
        def tonomy_plugin_info(self) -> PluginInfo:
            return PluginInfo(name="callables", version="1", protocol_min=1, protocol_max=1)

        @hookimpl
        def tonomy_register_actions(self, register: Any) -> None:
            register(ActionSpec("by_object", Handler(), RecordSchema()))
            register(ActionSpec("by_varargs", lambda *args: None, RecordSchema()))
            register(ActionSpec("by_builtin", print, RecordSchema()))

    assert len(check_plugin_conformance(Plugin()).actions) == 3
