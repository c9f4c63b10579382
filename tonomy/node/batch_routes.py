"""``POST /v1/transactions/batch``: many signed transactions in one request, JSON or binary.

The hot path of a busy node, so the handler reads the body itself instead of having
FastAPI build and re-validate a model per item: the JSON form is validated by
pydantic straight from the bytes (one call, strict), the binary form
(:mod:`tonomy.node.batch_wire`) is sliced without decoding anything, and the answers
are built as plain JSON. Both forms admit each transaction exactly as one-by-one
submission in the same order would, with the same codes and limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from tonomy.errors import TonomyError
from tonomy.node.api_models import MAX_BATCH_TRANSACTIONS, BatchAnswer, SubmitBatchRequest
from tonomy.node.batch_wire import BATCH_CONTENT_TYPE, compact_answer, split_batch
from tonomy.node.encoding import decode_bytes
from tonomy.node.errors import BadRequestError, NodeUnavailableError
from tonomy.node.problems import problem

_JSON_TYPES = ("application/json", "")

_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": SubmitBatchRequest.model_json_schema()},
        BATCH_CONTENT_TYPE: {
            "schema": {"type": "string", "format": "binary"},
            "description": "Each transaction as a 4-byte big-endian length, then its bytes (1 to "
            f"{MAX_BATCH_TRANSACTIONS} entries); answered with the compact form of the result.",
        },
    },
}


def describe_validation(errors: Sequence[Any]) -> str:
    """A short, stable-enough summary of pydantic's errors for a problem document."""
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is not valid"


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _json_entries(body: bytes, max_size: int) -> list[bytes | TonomyError]:
    try:
        parsed = SubmitBatchRequest.model_validate_json(body)
    except ValidationError as exc:
        raise BadRequestError(describe_validation(exc.errors())) from None
    entries: list[bytes | TonomyError] = []
    for text in parsed.transactions:
        try:
            entries.append(decode_bytes(text, parsed.encoding, what="transaction", max_size=max_size))
        except TonomyError as exc:
            entries.append(exc)
    return entries


def _json_answer(results: list[bytes | TonomyError]) -> dict[str, Any]:
    items = []
    for result in results:
        if isinstance(result, TonomyError):
            items.append({"id": None, "status": "refused", "problem": problem(result)[1]})
        else:
            items.append({"id": result.hex(), "status": "pending", "problem": None})
    return {"admitted": sum(1 for r in results if not isinstance(r, TonomyError)), "results": items}


def install_batch_submission(app: FastAPI, services: Any) -> None:
    worker, watch = services.worker, services.watch

    async def admit(entries: list[bytes | TonomyError]) -> list[bytes | TonomyError]:
        """The chain's verdict on every entry, in order (an entry that is an error is already refused)."""
        raws = [entry for entry in entries if not isinstance(entry, TonomyError)]
        outcomes = iter(await worker.call_bulk(lambda chain, batch: chain.submit_many(batch), raws) if raws else ())
        gossip = services.on_admitted
        results: list[bytes | TonomyError] = []
        for entry in entries:
            if isinstance(entry, TonomyError):
                services.metrics.rejected(entry.code)
                results.append(entry)
                continue
            outcome = next(outcomes)
            if isinstance(outcome, TonomyError):
                services.metrics.rejected(outcome.code)
            else:
                watch.admitted(outcome)
                if gossip is not None:
                    gossip(entry)
            results.append(outcome)
        return results

    @app.post("/v1/transactions/batch", response_model=BatchAnswer, openapi_extra={"requestBody": _REQUEST_BODY})
    async def submit_transactions(request: Request) -> Response:
        """Admit many signed transactions in one request; each is admitted or refused on its own.

        The results are what submitting them one by one, in order, would give: an id, or
        a problem document with the stable code of the refusal. Their signatures are
        verified together, so this is much cheaper per transaction than one request each.
        The JSON form answers one result per transaction; the binary form
        (`application/octet-stream`) answers the admitted ids concatenated and a problem
        document per refused index.
        """
        media_type = _media_type(request)
        body = await request.body()
        if media_type == BATCH_CONTENT_TYPE:
            entries = split_batch(body, max_entries=MAX_BATCH_TRANSACTIONS, max_entry_bytes=services.max_transaction_bytes)
        elif media_type in _JSON_TYPES or media_type.endswith("+json"):
            entries = _json_entries(body, services.max_transaction_bytes)
        else:
            raise BadRequestError(f"send the batch as application/json or {BATCH_CONTENT_TYPE}, not {media_type}")
        if not services.producing and services.on_admitted is None:
            raise NodeUnavailableError("this node has no validator key and no peers: it cannot commit transactions")
        results = await admit(entries)
        answer = compact_answer(results) if media_type == BATCH_CONTENT_TYPE else _json_answer(results)
        return JSONResponse(answer)


__all__ = ["describe_validation", "install_batch_submission"]
