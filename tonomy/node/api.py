"""The node's JSON-over-HTTP API (FastAPI): transactions, blocks, state with proofs, queries.

Handlers validate everything they take before the chain sees it, run chain calls
on the chain worker thread, and answer every failure as a problem document with
a stable code (see :mod:`tonomy.node.problems`). A request that fails changes
nothing: validation happens first, and the chain's own admission is atomic.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Body, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tonomy import _core
from tonomy.errors import InternalError, NotFoundError, TonomyError
from tonomy.node.api_models import (
    EVENT_STREAM_EXAMPLE,
    BlockView,
    Health,
    Problem,
    QueryResponse,
    StateView,
    SubmitTransactionRequest,
    SubmitTransactionResponse,
    TransactionStatus,
)
from tonomy.node.batch_routes import describe_validation, install_batch_submission
from tonomy.node.block_ids import install_block_ids
from tonomy.node.body_limit import DEFAULT_MAX_BODY_BYTES, BodyLimit
from tonomy.node.chain_worker import ChainWorker
from tonomy.node.commit_watch import CommitWatch
from tonomy.node.event_stream import (
    DEFAULT_HEARTBEAT_S,
    EventStreamResponse,
    MAX_HEARTBEAT_S,
    MIN_HEARTBEAT_S,
    HeadSignal,
    Position,
    StreamSlots,
    parse_cursor,
    read_page,
    stream_events,
)
from tonomy.node.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from tonomy.node.metrics import UNMATCHED_ROUTE, Metrics, RequestMetrics
from tonomy.node.rate_limit import RateLimit, TokenBuckets
from tonomy.node.encoding import decode_bytes, decode_hex, value_from_json, value_to_json
from tonomy.node.errors import (
    BadRequestError,
    MethodNotAllowedError,
    NodeUnavailableError,
    RouteNotFoundError,
    UnknownBlockError,
    UnknownTransactionError,
)
from tonomy.node.problems import PROBLEM_CONTENT_TYPE, problem
from tonomy.node.views import block_view, header_view

log = logging.getLogger("tonomy.node.api")

TX_ID_SIZE = 32
MAX_STATE_KEY_BYTES = 256
MAX_HEIGHT = (1 << 63) - 1
HEIGHT_PATTERN = r"^[0-9]{1,19}$"
# Path patterns the OpenAPI spec publishes, so clients and fuzzers know valid input;
# the handlers still check everything themselves.
NAME_PATTERN = r"^[a-z](?:[._-]?[a-z0-9]){0,63}$"
TX_ID_PATTERN = r"^[0-9a-f]{64}$"
KEY_HEX_PATTERN = r"^(?:[0-9a-f]{2}){1,256}$"
PluginName = Annotated[str, Path(pattern=NAME_PATTERN, description="A plugin name (`tonomy`: the system records).")]
QueryName = Annotated[str, Path(pattern=NAME_PATTERN, description="A query name.")]
TxId = Annotated[str, Path(pattern=TX_ID_PATTERN, description="A transaction id (64 lowercase hex digits).")]
KeyHex = Annotated[str, Path(pattern=KEY_HEX_PATTERN, description="A state key inside the plugin's namespace (hex).")]
MAX_WAIT_SECONDS = 60.0
DEFAULT_WAIT_SECONDS = 10.0
_NAME = re.compile(r"[a-z](?:[._-]?[a-z0-9]){0,63}")


@dataclass
class NodeServices:
    """What the API handlers share with the node process."""

    worker: ChainWorker
    watch: CommitWatch
    producing: bool
    head: Any = None  # the latest header, kept current by the block loop
    #: Called with the bytes of each transaction admitted through the API (gossip).
    on_admitted: Any = None
    max_transaction_bytes: int = field(default_factory=lambda: _core.WIRE_LIMITS.max_transaction_bytes)
    metrics: Metrics = field(default_factory=Metrics)
    head_signal: HeadSignal = field(default_factory=HeadSignal)
    streams: StreamSlots = field(default_factory=StreamSlots)
    #: Requests per second and burst per client address; None: no limit.
    rate_limit: tuple[float, int] | None = None
    rate_limit_loopback: bool = False
    #: DEVNET ONLY: a node-local wallet for demo accounts (tonomy.node.devnet_wallet).
    wallet: Any = None
    #: The web UI's pages (tonomy.web.pages.RegisteredPage); None: the host's own only.
    web_pages: list[Any] | None = None
    #: Plugins' node-local services (tonomy.node.plugin_services.PluginServices).
    plugin_services: Any = None

    def block_committed(self, header: Any, transaction_count: int) -> None:
        """The block loop's report: a block is durably committed."""
        self.head = header
        self.metrics.block_committed(transaction_count)
        self.head_signal.advanced(header.height)


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_CONTENT_TYPE: {}}, "description": text}
    for status, text in (
        (400, "Malformed request"),
        (404, "Not found"),
        (409, "Conflicts with the chain (duplicate)"),
        (405, "Method not allowed"),
        (413, "Body too large"),
        (422, "Refused by the chain"),
        (429, "Over a rate limit or quota"),
        (500, "A bug in the node or a plugin"),
        (503, "Node unavailable"),
    )
}


def _name(kind: str, value: str) -> str:
    if not _NAME.fullmatch(value):
        raise BadRequestError(f"{kind} name must be 1 to 64 characters of a-z 0-9 . - _, starting with a letter")
    return value


def _height(text: str) -> int:
    value = int(text)  # the route's pattern admits decimal digits only
    if value > MAX_HEIGHT:
        raise BadRequestError(f"a height is at most {MAX_HEIGHT}")
    return value


def _tx_id(text: str) -> bytes:
    return decode_hex(text, what="transaction id", max_size=TX_ID_SIZE, exact=TX_ID_SIZE)


def _problem_response(error: TonomyError, status: int | None = None) -> JSONResponse:
    code, doc = problem(error, status)
    return JSONResponse(doc, status_code=code, media_type=PROBLEM_CONTENT_TYPE)


def build_app(services: NodeServices, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    app = FastAPI(
        title="Tonomy node API",
        version="1",
        description="Submit transactions, read blocks, verify state with Merkle proofs, run plugin queries.",
        responses=_ERRORS,
    )
    app.state.services = services
    _install_error_handlers(app)
    _describe_problems_in_openapi(app)
    worker, watch = services.worker, services.watch

    async def status_of(tx_id: bytes) -> TransactionStatus | None:
        receipt = await worker.call(lambda chain, i: chain.get_receipt(i), tx_id)
        if receipt is not None:
            height = getattr(receipt, "height", None)
            record = receipt.to_record() if hasattr(receipt, "to_record") else receipt
            return TransactionStatus(id=tx_id.hex(), status="committed", height=height, receipt=value_to_json(record))
        if watch.is_pending(tx_id):
            return TransactionStatus(id=tx_id.hex(), status="pending")
        return None

    async def submit_raw(raw: bytes) -> SubmitTransactionResponse:
        if not services.producing and services.on_admitted is None:
            raise NodeUnavailableError("this node has no validator key and no peers: it cannot commit transactions")
        try:
            tx_id = await worker.call(lambda chain, tx: chain.submit(tx), raw)
        except TonomyError as exc:
            services.metrics.rejected(exc.code)
            raise
        watch.admitted(tx_id)
        if services.on_admitted is not None:
            services.on_admitted(raw)
        return SubmitTransactionResponse(id=tx_id.hex())

    app.state.submit_raw = submit_raw

    install_batch_submission(app, services)

    @app.post("/v1/transactions", status_code=202, response_model=SubmitTransactionResponse)
    async def submit_transaction(request: SubmitTransactionRequest) -> SubmitTransactionResponse:
        """Admit a signed transaction; it commits in a later block (wait on its id)."""
        raw = decode_bytes(
            request.transaction, request.encoding, what="transaction", max_size=services.max_transaction_bytes
        )
        return await submit_raw(raw)

    @app.get("/v1/transactions/{tx_id}", response_model=TransactionStatus)
    async def get_transaction(tx_id: TxId) -> TransactionStatus:
        """A transaction's status: pending (admitted here), or committed with its receipt."""
        found = await status_of(_tx_id(tx_id))
        if found is None:
            raise UnknownTransactionError(f"no transaction {tx_id} is pending here or committed")
        return found

    @app.get("/v1/transactions/{tx_id}/wait", response_model=TransactionStatus)
    async def wait_transaction(
        tx_id: TxId,
        timeout: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS)] = DEFAULT_WAIT_SECONDS,
    ) -> TransactionStatus:
        """Wait up to ``timeout`` seconds for the transaction to commit; answers its status then."""
        key = _tx_id(tx_id)
        future = watch.waiter(key)  # registered before the check, so a commit in between is not missed
        if future is None:
            raise NodeUnavailableError("too many requests are waiting; try again")
        try:
            found = await status_of(key)
            if found is None:
                raise UnknownTransactionError(f"no transaction {tx_id} is pending here or committed")
            if found.status == "committed":
                return found
            try:
                await asyncio.wait_for(asyncio.shield(future), timeout)
            except TimeoutError:
                return found
            return await status_of(key) or found
        finally:
            watch.forget(key, future)

    install_block_ids(app, services)  # before /v1/blocks/{height}, which would take its path

    @app.get("/v1/blocks/head", response_model=BlockView)
    async def get_head_block() -> BlockView:
        """The latest committed block."""
        block = await worker.call(lambda chain: chain.get_block(chain.head.height))
        if block is None:
            raise NodeUnavailableError("the head block is not readable yet")
        return block_view(block)

    @app.get("/v1/blocks/{height}", response_model=BlockView)
    async def get_block(height: Annotated[str, Path(pattern=HEIGHT_PATTERN, description="A block height (decimal).")]) -> BlockView:
        """The committed block at ``height``."""
        wanted = _height(height)

        def read(chain: Any, wanted: int) -> Any:
            if wanted > chain.head.height:
                return None
            try:
                return chain.get_block(wanted)
            except NotFoundError:
                return None

        block = await worker.call(read, wanted)
        if block is None:
            raise UnknownBlockError(f"no block at height {height}")
        return block_view(block)

    @app.get("/v1/state/{plugin}/{key_hex}", response_model=StateView)
    async def get_state(
        plugin: PluginName,
        key_hex: KeyHex,
        height: Annotated[str | None, Query(pattern=HEIGHT_PATTERN, description="A past block height (default: the head).")] = None,
    ) -> StateView:
        """A plugin's state value with a Merkle proof against a committed header's state root."""
        _name("plugin", plugin)
        key = decode_hex(key_hex, what="state key", max_size=MAX_STATE_KEY_BYTES)
        if not key:
            raise BadRequestError("a state key is at least one byte")
        at = None if height is None else _height(height)

        def read(chain: Any) -> tuple[bytes | None, bytes, Any]:
            if at is not None and at > chain.head.height:
                raise UnknownBlockError(f"no block at height {at}")
            result: tuple[bytes | None, bytes, Any] = chain.get_state(plugin, key, at)
            return result

        value, proof, header = await worker.call(read)
        return StateView(
            plugin=plugin,
            key=key.hex(),
            value=None if value is None else value.hex(),
            proof=proof.hex(),
            header=header_view(header),
        )

    @app.post("/v1/query/{plugin}/{name}", response_model=QueryResponse)
    async def run_query(plugin: PluginName, name: QueryName, params: Annotated[dict[str, Any] | None, Body()] = None) -> QueryResponse:
        """Run a plugin's read-only query against the head state; ``params`` is a JSON object."""
        _name("plugin", plugin)
        _name("query", name)
        decoded = value_from_json(params or {})
        result = await worker.call(lambda chain, p, n, q: chain.query(p, n, q), plugin, name, decoded)
        return QueryResponse(result=value_to_json(result))

    @app.get("/v1/health", response_model=Health)
    async def health() -> Health:
        """Liveness and the head this node has committed (answers even while a block commits)."""
        head = services.head
        if head is None:
            raise NodeUnavailableError("the node is starting")
        return Health(
            height=head.height,
            head_time=head.time,
            chain_id=head.chain_id.hex(),
            pending=watch.pending_count,
            producing=services.producing,
        )

    _install_event_stream(app, services)

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {METRICS_CONTENT_TYPE: {}}, "description": "Prometheus text format"}},
    )
    async def metrics() -> PlainTextResponse:
        """Counters and gauges in the Prometheus text exposition format."""
        head = services.head
        gauges = {
            "tonomy_head_height": ("The height of the latest committed block.", head.height if head is not None else 0),
            "tonomy_pending_transactions": ("Transactions admitted here and not yet committed.", watch.pending_count),
            "tonomy_event_streams": ("Open event streams.", services.streams.open),
        }
        return PlainTextResponse(services.metrics.render(gauges), media_type=METRICS_CONTENT_TYPE)

    from tonomy.node.signing_routes import install_signing

    install_signing(app, services, submit_raw, _ERRORS)
    from tonomy.node.trust_routes import install_trust_routes

    install_trust_routes(app, services, _ERRORS)
    if services.wallet is not None:
        from tonomy.node.wallet_routes import install_devnet_wallet

        install_devnet_wallet(app, services, submit_raw)
    if services.plugin_services is not None:
        services.plugin_services.mount(app)
    from tonomy.web.routes import install_web

    install_web(app, services.web_pages)

    # Outermost first in a request's path: metrics see every answer (429 and 413 too),
    # the rate limit runs before the body is read.
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    if services.rate_limit is not None:
        rate, burst = services.rate_limit
        limited = services.metrics

        def on_limited() -> None:
            limited.rate_limited += 1

        app.add_middleware(
            RateLimit,
            buckets=TokenBuckets(rate, burst),
            on_limited=on_limited,
            limit_loopback=services.rate_limit_loopback,
        )
    app.add_middleware(RequestMetrics, metrics=services.metrics, route_of=_route_of)
    # Outermost: even a 429 or 413 carries CORS headers for a registered app's page.
    from tonomy.node.cors import AppOriginCors, RegisteredOrigins, origins_reader

    app.add_middleware(AppOriginCors, origins=RegisteredOrigins(origins_reader(worker)))
    return app


def _describe_problems_in_openapi(app: FastAPI) -> None:
    """Error responses are problem documents, never plain JSON: say so in the spec.

    FastAPI files a response ``model`` under ``application/json``; every 4xx/5xx answer
    of this API is ``application/problem+json``, so the spec gets exactly that.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = generate()
        problem_schema = {"schema": {"$ref": "#/components/schemas/Problem"}}
        for item in spec.get("paths", {}).values():
            for operation in item.values():
                for status, response in operation.get("responses", {}).items():
                    if status[:1] in ("4", "5"):
                        response["content"] = {PROBLEM_CONTENT_TYPE: problem_schema}
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _route_of(scope: Any) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


def _install_event_stream(app: FastAPI, services: NodeServices) -> None:
    worker = services.worker

    async def read(position: Position) -> tuple[list[dict[str, Any]], Position, int]:
        head = services.head
        height = head.height if head is not None else 0
        events, after = await worker.call(read_page, position, height)
        return events, after, height

    @app.get(
        "/v1/events",
        response_class=StreamingResponse,
        responses={
            200: {
                "content": {"text/event-stream": {"schema": {"type": "string"}, "example": EVENT_STREAM_EXAMPLE}},
                "description": "Server-sent events: `id: HEIGHT:INDEX`, `event: chain`, `data:` one JSON event "
                "(`id, height, index, tx_id, tx_index, plugin, name, data`); `: heartbeat` comments while idle.",
            }
        },
    )
    async def events(
        cursor: Annotated[
            str | None, Query(max_length=40, description="The id of the last event received: resume after it.")
        ] = None,
        from_height: Annotated[
            str | None, Query(pattern=HEIGHT_PATTERN, description="Start with the first event of this block.")
        ] = None,
        heartbeat: Annotated[
            float, Query(ge=MIN_HEARTBEAT_S, le=MAX_HEARTBEAT_S, description="Seconds of quiet between heartbeats.")
        ] = DEFAULT_HEARTBEAT_S,
        last_event_id: Annotated[str | None, Header(max_length=40, include_in_schema=True)] = None,
    ) -> StreamingResponse:
        """The chain's events as they commit, resumable without gaps or duplicates.

        Without ``cursor``, ``Last-Event-ID`` or ``from_height`` the stream starts after the
        current head (only new events).
        """
        head = services.head
        if head is None:
            raise NodeUnavailableError("the node is starting")
        given = cursor if cursor is not None else last_event_id
        if given is not None and from_height is not None:
            raise BadRequestError("give either a cursor or from_height, not both")
        if given is not None:
            start = parse_cursor(given)
        elif from_height is not None:
            start = Position(_height(from_height), 0)
        else:
            start = Position(head.height + 1, 0)
        if start.height > head.height + 1 or (start.height == head.height + 1 and start.index > 0):
            raise BadRequestError(f"the stream cannot start after this node's next block ({head.height + 1})")
        slot = services.streams.acquire()
        try:
            first = await read(start)  # validates the cursor before the 200 goes out
        except BaseException:
            slot.release()
            raise
        return EventStreamResponse(stream_events(read, first, services.head_signal, heartbeat, slot), slot)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TonomyError)
    async def on_tonomy_error(request: Request, exc: TonomyError) -> JSONResponse:
        if isinstance(exc, InternalError) or exc.code.startswith("core.internal"):
            log.error("internal error on %s %s: %s", request.method, request.url.path, exc)
        return _problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _problem_response(BadRequestError(describe_validation(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _problem_response(RouteNotFoundError(f"no endpoint {request.method} {request.url.path}"))
        if exc.status_code == 405:
            return _problem_response(MethodNotAllowedError(f"{request.method} is not allowed on {request.url.path}"))
        return _problem_response(BadRequestError(str(exc.detail)), status=exc.status_code)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _problem_response(InternalError(f"{type(exc).__name__}: the node hit a bug; see its log"))


__all__ = ["NodeServices", "build_app"]
