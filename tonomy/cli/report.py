"""How the CLI shows a failure: the code, the message, what to do next; a traceback only on request."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text
from rich.traceback import Traceback

from tonomy.errors import TonomyError

EXIT_ERROR = 1
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug, not a user mistake

DEBUG_FLAG = "--debug"


def wants_debug(args: Sequence[str], environ: dict[str, str] | None = None) -> bool:
    """``--debug`` anywhere before ``--``, or TONOMY_DEBUG set.

    Read before click parses anything, because a plugin can fail while click
    is still resolving the command name.
    """
    import os

    env = os.environ if environ is None else environ
    if env.get("TONOMY_DEBUG", "").strip().lower() not in ("", "0", "false", "no", "off"):
        return True
    for arg in args:
        if arg == "--":
            return False
        if arg == DEBUG_FLAG:
            return True
    return False


def report_error(exc: BaseException, *, debug: bool, console: Console | None = None) -> int:
    """Print ``exc`` for a person and return the exit code."""
    out = console or Console(file=sys.stderr, highlight=False, soft_wrap=True)
    if debug:
        out.print(Traceback.from_exception(type(exc), exc, exc.__traceback__))
    if isinstance(exc, TonomyError):
        out.print(Text.assemble(("error ", "bold red"), (f"[{exc.code}] ", "bold"), exc.message or type(exc).__name__))
        code = EXIT_ERROR
    else:
        out.print(Text.assemble(("internal error ", "bold red"), f"{type(exc).__name__}: {exc}"))
        out.print(Text("This is a bug in tonomy or in a plugin; please report it with the output of --debug."))
        code = EXIT_INTERNAL
    if not debug:
        out.print(Text(f"Run again with {DEBUG_FLAG} to see the traceback.", style="dim"))
    return code


__all__ = ["EXIT_ERROR", "EXIT_INTERNAL", "report_error", "wants_debug"]
