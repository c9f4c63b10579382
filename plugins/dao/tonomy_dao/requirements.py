"""Joining requirements: a pluggable credential check.

A DAO may require something of every joining account ("holds a verified-person
credential", "is a member of DAO X"). The DAO plugin does not know credentials; it
holds a *requirement spec* and asks a verifier:

    {"plugin": "<plugin>", "query": "<query>", "params": {...}}

The verifier is that plugin's public query, called with ``{**params, "account": a,
"evidence": e}`` (``evidence`` is the bytes the joiner supplied, ``b""`` if none) and
answering ``True`` to admit. Anything else (``False``, ``None``, a number, an error
raised by the query) refuses with ``dao.requirement_not_met``. The credentials plugin
offers such a query; ``tests/badges.py`` is a small test verifier.

:class:`CredentialVerifier` states the contract for code that checks a spec outside
the chain (a wallet showing "you qualify" before sending ``join``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from tonomy.plugin import decode_record

from tonomy_dao import errors

MAX_SPEC_BYTES = 1024


class CredentialVerifier(Protocol):
    """Answers whether ``account`` meets ``params`` with ``evidence`` (the verifier query's contract)."""

    def __call__(self, ctx: Any, params: Mapping[str, Any]) -> object: ...


def parse_spec(ctx: Any, raw: bytes) -> dict[str, Any] | None:
    """The requirement spec from its canonical bytes (``b""`` = no requirement)."""
    if raw == b"":
        return None
    if len(raw) > MAX_SPEC_BYTES:
        errors.refuse(ctx, errors.INVALID_CONFIG, f"a requirement spec is at most {MAX_SPEC_BYTES} bytes")
    try:
        spec = decode_record(raw)
    except Exception:  # any malformed encoding is the caller's mistake, not ours
        errors.refuse(ctx, errors.INVALID_CONFIG, "the requirement spec is not a canonical record")
    if not (
        isinstance(spec, dict)
        and set(spec) == {"plugin", "query", "params"}
        and isinstance(spec["plugin"], str)
        and isinstance(spec["query"], str)
        and isinstance(spec["params"], dict)
        and not {"account", "evidence"} & set(spec["params"])
    ):
        errors.refuse(ctx, errors.INVALID_CONFIG, "a requirement spec is {plugin, query, params} (params may not set account or evidence)")
    return spec


def check(ctx: Any, spec: dict[str, Any] | None, account: str, evidence: bytes) -> None:
    """Refuse with ``dao.requirement_not_met`` unless the verifier admits ``account``."""
    if spec is None:
        return
    try:
        answer = ctx.query(spec["plugin"], spec["query"], {**spec["params"], "account": account, "evidence": evidence})
    except Exception as exc:  # the verifier refusing (or missing) is a refusal to admit
        errors.refuse(ctx, errors.REQUIREMENT_NOT_MET, f"{account} does not meet the requirement: {exc}")
    if answer is not True:
        errors.refuse(ctx, errors.REQUIREMENT_NOT_MET, f"{account} does not meet {spec['plugin']}.{spec['query']}")
