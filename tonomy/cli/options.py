"""Options the node commands share: the API address and the block time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_API = "127.0.0.1:8640"
DEFAULT_BLOCK_TIME_MS = 500  # tonomy.node.schedule.DEFAULT_BLOCK_TIME_MS, not imported to keep help fast


def _parse_api(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, int]:
    from tonomy.node.config import parse_api_address
    from tonomy.node.errors import NodeConfigError

    try:
        return parse_api_address(value)
    except NodeConfigError as exc:
        raise click.BadParameter(exc.message) from None


def api_option(fn: F) -> F:
    return click.option(
        "--api", default=DEFAULT_API, show_default=True, callback=_parse_api,
        help="HOST:PORT the JSON API listens on (port 0: any free port).",
    )(fn)


def block_time_option(fn: F) -> F:
    return click.option(
        "--block-time-ms", default=DEFAULT_BLOCK_TIME_MS, show_default=True, type=click.IntRange(10, 60_000),
        help="Milliseconds between blocks.",
    )(fn)


def rate_limit_options(fn: F) -> F:
    fn = click.option(
        "--rate-limit-loopback", is_flag=True,
        help="Limit loopback clients too (by default the machine's own clients are exempt).",
    )(fn)
    fn = click.option(
        "--rate-burst", default=200, show_default=True, type=click.IntRange(1, 1_000_000),
        help="Requests a client may send at once before the rate applies.",
    )(fn)
    return click.option(
        "--rate-limit", default=100.0, show_default=True, type=click.FloatRange(0, 1_000_000),
        help="API requests per second per client address (0: no limit); over it: 429 api.rate_limited.",
    )(fn)


__all__ = ["DEFAULT_API", "api_option", "block_time_option", "rate_limit_options"]
