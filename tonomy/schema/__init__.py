"""The wire schemas: Cap'n Proto files, the one source of every wire format.

The native core compiles these files at build time; Python tools and tests load
the same files with pycapnp through :func:`load`. Decoding on the hot path goes
through ``tonomy._core`` (canonical form, limits, field rules); pycapnp here is
for tooling and for cross-checking the core against a second implementation.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent

#: The schema files, by the name :func:`load` takes.
SCHEMAS = ("transaction", "vote", "block")


@functools.cache
def load(name: str) -> Any:
    """The pycapnp module of ``<name>.capnp`` (``"transaction"``, ``"vote"``, ``"block"``)."""
    if name not in SCHEMAS:
        raise ValueError(f"unknown schema {name!r}; known: {', '.join(SCHEMAS)}")
    import capnp  # type: ignore[import-untyped]  # imported lazily: only tools need it

    return capnp.load(str(SCHEMA_DIR / f"{name}.capnp"))


__all__ = ["SCHEMAS", "SCHEMA_DIR", "load"]
