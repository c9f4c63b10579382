"""The ``tonomy`` command line: ``tonomy --help``, ``tonomy version``, ``tonomy plugins``, plugin commands.

``main`` is the console-script entry point. Errors are printed as
``error [code] message`` with what to do next, and exit non-zero; a traceback
is shown only with ``--debug`` (or ``TONOMY_DEBUG=1``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tonomy.cli.app import RESERVED_COMMANDS, TonomyGroup, build_cli
from tonomy.cli.report import EXIT_ERROR, EXIT_INTERNAL, report_error, wants_debug


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: the process arguments) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = wants_debug(args)
    group = build_cli()
    try:
        group.main(args=args, prog_name="tonomy", standalone_mode=True)
    except SystemExit as exc:
        return _exit_code(exc)
    except Exception as exc:
        return report_error(exc, debug=debug)
    return 0


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)  # sys.exit("message") convention
    return EXIT_ERROR


__all__ = ["EXIT_ERROR", "EXIT_INTERNAL", "RESERVED_COMMANDS", "TonomyGroup", "build_cli", "main"]
