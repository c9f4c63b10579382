"""Tonomy Pay: tokens, transfers, payment requests and escrow.

A plugin like any third-party one: it uses only ``tonomy.plugin``, the context
each handler is handed, and the canonical codec (through ``ctx.state`` records).
The README next to this package is its specification.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import ActionRegistrar, ParameterRegistrar, PluginInfo, QueryRegistrar, hookimpl

from tonomy_pay import escrow, locks, requests, tokens, transfers
from tonomy_pay.parameters import ALL_PARAMETERS
from tonomy_pay.queries import QUERIES

NAME = "pay"
VERSION = "0.1.0"

ACTIONS = tokens.ACTIONS + transfers.ACTIONS + requests.ACTIONS + escrow.ACTIONS + locks.ACTIONS


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version=VERSION,
        protocol_min=1,
        protocol_max=1,
        description="Tokens, transfers, payment requests and escrow",
    )


@hookimpl
def tonomy_register_actions(register: ActionRegistrar) -> None:
    for spec in ACTIONS:
        register(spec)


@hookimpl
def tonomy_register_queries(register: QueryRegistrar) -> None:
    for spec in QUERIES:
        register(spec)


@hookimpl
def tonomy_register_parameters(register: ParameterRegistrar) -> None:
    for spec in ALL_PARAMETERS:
        register(spec)


@hookimpl
def tonomy_register_cli_commands(register: Any) -> None:
    from tonomy_pay.cli import pay_cli  # click only when the CLI asks

    register(pay_cli)


@hookimpl
def tonomy_web_pages(register: Any) -> None:
    from pathlib import Path

    from tonomy.plugin import WebPage

    register(WebPage("index.html", "Pay: balances and payments", "Pay", Path(__file__).parent / "web"))
