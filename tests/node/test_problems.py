"""Problem documents: the status follows the code, and a client maps the code back to the class."""

from __future__ import annotations

import pytest

from tonomy import errors
from tonomy.node import errors as node_errors
from tonomy.node.problems import PROBLEM_TYPE_PREFIX, error_from_problem, problem, status_for


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (node_errors.BadRequestError("x"), 400),
        (errors.MalformedError("x"), 400),
        (errors.CodecError("x"), 400),
        (errors.InvalidInputError("x"), 400),
        (node_errors.BodyTooLargeError("x"), 413),
        (node_errors.UnknownTransactionError("x"), 404),
        (node_errors.UnknownBlockError("x"), 404),
        (errors.UnknownQueryError("x"), 404),
        (node_errors.MethodNotAllowedError("x"), 405),
        (node_errors.NodeUnavailableError("x"), 503),
        (errors.InsufficientAuthorityError("x"), 422),
        (errors.InvalidSignatureError("x"), 422),
        (errors.ActionFailedError("x", code="pay.insufficient_funds"), 422),
        (errors.TonomyError("x", code="tx.duplicate"), 409),
        (errors.TonomyError("x", code="tx.malformed"), 400),
        (errors.TonomyError("x", code="tx.expired"), 422),
        (errors.InternalError("x"), 500),
    ],
)
def test_status_by_code(error: errors.TonomyError, status: int) -> None:
    assert status_for(error) == status


def test_round_trip_through_a_document() -> None:
    status, doc = problem(node_errors.UnknownBlockError("no block at height 9"))
    assert status == 404
    assert doc == {
        "type": PROBLEM_TYPE_PREFIX + "api.unknown_block",
        "title": "UnknownBlockError",
        "status": 404,
        "code": "api.unknown_block",
        "detail": "no block at height 9",
    }
    again = error_from_problem(doc, status)
    assert type(again) is node_errors.UnknownBlockError and again.message == "no block at height 9"


def test_unknown_codes_and_garbage_documents() -> None:
    plugin = error_from_problem({"code": "pay.insufficient_funds", "detail": "short"}, 422)
    assert plugin.code == "pay.insufficient_funds" and plugin.message == "short"
    garbage: tuple[object, ...] = (None, [], {"code": 5}, "text")
    for doc in garbage:
        assert error_from_problem(doc, 502).code == "client.error"
