"""The conformance suite every plugin runs in its own tests.

    from tonomy.testing import check_plugin_conformance
    import tonomy_myplugin

    def test_conformance() -> None:
        check_plugin_conformance(tonomy_myplugin)

It checks what the host checks when loading, and a few things it cannot see
until too late (handler signatures, CLI command names), collecting every
problem instead of stopping at the first, so one run shows all that is wrong.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tonomy.errors import PluginError
from tonomy.plugin.inspection import Inspection, call_hook, inspect_plugin
from tonomy.plugin.registry import SpecCollector
from tonomy.plugin.source import PluginSource
from tonomy.plugin.types import ActionSpec, ParameterSpec, PluginInfo, QuerySpec


class ConformanceError(AssertionError):
    """A plugin breaks the plugin contract; the message lists every problem found."""

    def __init__(self, plugin: str, problems: list[str]) -> None:
        self.plugin = plugin
        self.problems = list(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"plugin {plugin} does not conform ({len(self.problems)} problem(s)):\n{listed}")


@dataclass(frozen=True)
class ConformanceReport:
    """What a conforming plugin provides, for further assertions in the plugin's tests."""

    info: PluginInfo
    actions: tuple[ActionSpec, ...]
    queries: tuple[QuerySpec, ...]
    parameters: tuple[ParameterSpec, ...]
    cli_commands: tuple[str, ...]


def _accepts_two_positional(handler: Callable[..., Any]) -> bool | None:
    """Whether ``handler(ctx, data)`` binds; None when Python cannot tell (some builtins)."""
    try:
        signature = inspect.signature(handler)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(object(), {})
    except TypeError:
        return False
    return True


def _collect(found: Inspection, hook_name: str, kind: str, spec_type: Any, problems: list[str]) -> tuple[Any, ...]:
    name = found.name or "<unknown>"
    collector: SpecCollector[Any] = SpecCollector(name, found.source, kind, spec_type)
    try:
        call_hook(getattr(found.manager.hook, hook_name), hook_name, plugin_name=name, source=found.source, register=collector)
        return collector.collected()
    except PluginError as exc:
        problems.append(exc.message)
        return ()


def _handler_problems(kind: str, specs: tuple[ActionSpec, ...] | tuple[QuerySpec, ...]) -> list[str]:
    problems = []
    for spec in specs:
        if _accepts_two_positional(spec.handler) is False:
            problems.append(f"{kind} {spec.name!r}: handler must accept (ctx, data), its signature does not")
    return problems


def _cli_problems(found: Inspection, problems: list[str]) -> tuple[str, ...]:
    from tonomy.cli.app import RESERVED_COMMANDS, build_cli
    from tonomy.cli.plugin_commands import HOOK_NAME, CommandCollector

    taken = {name: "tonomy" for name in build_cli().commands} | RESERVED_COMMANDS
    collector = CommandCollector(found.name or "<unknown>", found.source, taken)
    try:
        call_hook(getattr(found.manager.hook, HOOK_NAME), HOOK_NAME, plugin_name=found.name, source=found.source, register=collector)
        return tuple(sorted(collector.collected()))
    except PluginError as exc:
        problems.append(exc.message)
        return ()


def conformance_problems(plugin: object, *, protocol: int | None = None) -> tuple[list[str], ConformanceReport | None]:
    """Every problem found in ``plugin`` (a module or object with hook implementations).

    Returns the problems and, when there are none, the report.
    """
    if protocol is None:
        from tonomy import PROTOCOL_VERSION

        protocol = PROTOCOL_VERSION
    found = inspect_plugin(plugin, PluginSource(), expected_name=None, protocol=protocol)
    problems = list(found.problems)
    if found.failure is not None and found.manager.get_plugins() == set():
        return problems, None  # it could not even be registered: no hook can be called

    actions = _collect(found, "tonomy_register_actions", "action", ActionSpec, problems)
    queries = _collect(found, "tonomy_register_queries", "query", QuerySpec, problems)
    parameters = _collect(found, "tonomy_register_parameters", "parameter", ParameterSpec, problems)
    problems += _handler_problems("action", actions)
    problems += _handler_problems("query", queries)
    commands = _cli_problems(found, problems)

    if problems or found.info is None:
        return problems, None
    # Finally the real loader, end to end, so nothing it checks is missed here.
    from tonomy.plugin.manager import build_plugin_manager

    try:
        build_plugin_manager(autoload=False, extra_plugins=[plugin], protocol=protocol)
    except PluginError as exc:
        return [exc.message], None
    return [], ConformanceReport(info=found.info, actions=actions, queries=queries, parameters=parameters, cli_commands=commands)


def check_plugin_conformance(plugin: object, *, protocol: int | None = None) -> ConformanceReport:
    """Assert that ``plugin`` follows the plugin contract; raise ConformanceError listing every problem.

    Checks: it registers cleanly against the hook specs (only ``tonomy_*`` hooks
    that exist, with matching arguments; none left unmarked by ``@hookimpl``);
    ``tonomy_plugin_info`` returns a valid PluginInfo supporting ``protocol``
    (default: this host's); actions, queries and parameters are the typed spec
    objects with unique names, handlers accepting ``(ctx, data)``, parameters
    of int/bool/bytes/str only with defaults inside their bounds; CLI commands
    are click commands whose names clash with nothing built in.
    """
    problems, report = conformance_problems(plugin, protocol=protocol)
    if report is None:
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        raise ConformanceError(repr(name), problems or ["unknown problem: see the plugin's info"])
    return report


__all__ = ["ConformanceError", "ConformanceReport", "check_plugin_conformance", "conformance_problems"]
