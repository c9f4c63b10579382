"""Signing without a Cap'n Proto encoder: the node builds the body, the client signs its id.

Clients that cannot encode transactions themselves (a web page) ask the node for the
canonical body of the actions they want (``POST /v1/transactions/unsigned``), sign the
returned id with their own key, and hand back the body with the signatures
(``POST /v1/transactions/signed``); the node assembles the signed transaction and
submits it like any other. Keys never reach the node.

The client trusts the node to build the body it asked for: it signs an id it cannot
recompute without BLAKE3 and the wire decoder. A client that can (the Python client)
should decode the body and compare before signing; the web page cannot yet (docs/web.md).

For the same clients, ``POST /v1/codec/encode`` turns a JSON value into the canonical
record codec, for action fields that carry encoded records (a DAO's proposal actions,
governance options).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI

from tonomy import _core
from tonomy.errors import TonomyError
from tonomy.node.api_models import (
    EncodedValue,
    EncodeRequest,
    SignedTransactionRequest,
    SubmitTransactionResponse,
    UnsignedTransaction,
    UnsignedTransactionRequest,
)
from tonomy.node.encoding import decode_hex, value_from_json
from tonomy.node.errors import BadRequestError, NodeUnavailableError


def install_signing(
    app: FastAPI, services: Any, submit_raw: Callable[[bytes], Awaitable[SubmitTransactionResponse]], responses: Any
) -> None:
    @app.post("/v1/transactions/unsigned", response_model=UnsignedTransaction, responses=responses)
    async def unsigned_transaction(request: UnsignedTransactionRequest) -> UnsignedTransaction:
        """The canonical body of a transaction with these actions (TAPOS from the head) and its id to sign."""
        from tonomy.chain.txbuilder import action, build_body
        from tonomy.node.api import _name

        actions = []
        for item in request.actions:
            _name("plugin", item.plugin)
            _name("action", item.name)
            data = value_from_json(item.data)
            if not isinstance(data, dict):
                raise BadRequestError("an action's data must be a JSON object")
            try:
                actions.append(action(item.plugin, item.name, data, item.authorization))
            except TonomyError as exc:  # a malformed authorization or unencodable data: the request's fault
                raise BadRequestError(f"action {item.plugin}/{item.name}: {exc.message or exc.code}") from None
        head = services.head
        if head is None:
            raise NodeUnavailableError("the node is starting")
        try:
            body = build_body(head.chain_id, head, actions, expires_in_s=request.expires_in_s, nonce=request.nonce)
            encoded = _core.encode_transaction_body(body)
        except TonomyError as exc:  # over a wire limit: the request's fault
            raise BadRequestError(f"these actions make no valid transaction: {exc.message or exc.code}") from None
        if len(encoded) > services.max_transaction_bytes:
            raise BadRequestError("these actions make a transaction over the size limit")
        return UnsignedTransaction(
            body=encoded.hex(),
            id=_core.transaction_id(head.chain_id, encoded).hex(),
            chain_id=head.chain_id.hex(),
            expiration=body.expiration,
        )

    @app.post("/v1/codec/encode", response_model=EncodedValue, responses=responses)
    async def encode_value(request: EncodeRequest) -> EncodedValue:
        """A JSON value in the canonical record codec, for fields that hold encoded records."""
        from tonomy.plugin import encode_record

        try:
            encoded = encode_record(value_from_json(request.value))
        except TonomyError as exc:
            raise BadRequestError(f"this value cannot be encoded: {exc.message or exc.code}") from None
        if len(encoded) > services.max_transaction_bytes:
            raise BadRequestError("the encoded value is over the transaction size limit")
        return EncodedValue(encoded=encoded.hex())

    @app.post("/v1/transactions/signed", status_code=202, response_model=SubmitTransactionResponse, responses=responses)
    async def signed_transaction(request: SignedTransactionRequest) -> SubmitTransactionResponse:
        """Assemble a body and its signatures into a signed transaction and submit it (as ``POST /v1/transactions``)."""
        raw_body = decode_hex(request.body, what="transaction body", max_size=services.max_transaction_bytes)
        body = _core.decode_transaction_body(raw_body)
        if _core.encode_transaction_body(body) != raw_body:
            raise BadRequestError("the transaction body is not in canonical form")
        signatures = [
            _core.TransactionSignature(
                decode_hex(s.public_key, what="public key", max_size=32, exact=32),
                decode_hex(s.signature, what="signature", max_size=64, exact=64),
            )
            for s in request.signatures
        ]
        raw = _core.encode_signed_transaction(_core.SignedTransaction(body, signatures))
        if len(raw) > services.max_transaction_bytes:
            raise BadRequestError("the signed transaction is over the size limit")
        return await submit_raw(raw)


__all__ = ["install_signing"]
