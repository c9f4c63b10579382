"""Pay payment requests for apps: create one, send the payer to the node's Pay page, wait until
the chain *proves* it paid (docs/sdk.md, "Payment").

The browser coming back proves nothing; :func:`wait_paid` decides on the request record
read with a proof under a verified header.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tonomy.node.errors import ClientError
from tonomy.sdk.client import Client
from tonomy.sdk.errors import PaymentNotMadeError
from tonomy.sdk.login import with_query

PAY = "pay"
OPEN, PAID, CANCELLED = "open", "paid", "cancelled"


def request_key(request_id: int) -> bytes:
    """The request's key in Pay's namespace (Pay's layout: ``req/`` + 20 zero-padded digits)."""
    from tonomy_pay.layout import request_key as pay_request_key  # type: ignore[import-untyped]

    key: bytes = pay_request_key(request_id)
    return key


@dataclass(frozen=True, slots=True)
class ProvenPayment:
    """A payment request record as proven at ``height`` (a verified header)."""

    id: int
    record: dict[str, Any]
    height: int
    header_time_ms: int

    @property
    def status(self) -> str:
        return str(self.record["status"])

    @property
    def expired(self) -> bool:
        """Past its expiry at the proving header (Pay refuses to pay it from then on)."""
        if self.status != OPEN:
            return False
        by_height = self.record.get("expires_height")
        by_time = self.record.get("expires_time_ms")
        return (by_height is not None and self.height + 1 >= by_height) or (
            by_time is not None and self.header_time_ms >= by_time
        )


def create_payment_request(
    client: Client,
    *,
    payee: str,
    payee_seed: bytes,
    symbol: str,
    amount: int,
    memo: str | None = None,
    payer: str | None = None,
    expires_time_ms: int | None = None,
    expires_height: int | None = None,
    timeout: float = 30.0,
) -> int:
    """Create a request (signed by ``payee@active``), wait for finality, return its id."""
    data: dict[str, Any] = {"payee": payee, "symbol": symbol, "amount": amount}
    for name, value in (("memo", memo), ("payer", payer), ("expires_time_ms", expires_time_ms), ("expires_height", expires_height)):
        if value is not None:
            data[name] = value
    receipt = client.transact([(PAY, "create_request", data, [f"{payee}@active"])], [payee_seed], timeout=timeout)
    from tonomy.chain import codec

    for event in receipt.events:
        if event.plugin == PAY and event.name == "request_created":
            request_id = codec.decode(event.data).get("id")
            if type(request_id) is int and proven_payment(client, request_id).record["payee"] == payee:
                return request_id
    raise ClientError(f"transaction {receipt.tx_id.hex()} created no payment request for {payee}")


def proven_payment(client: Client, request_id: int, height: int | None = None) -> ProvenPayment:
    """The request's record, proven (``pay.unknown_request`` style absence raises ``client.error``)."""
    found = client.state(PAY, request_key(request_id), height)
    if found.value is None:
        raise ClientError(f"there is no payment request {request_id} (proven absent at block {found.header.height})")
    from tonomy.chain import codec

    return ProvenPayment(request_id, dict(codec.decode(found.value)), found.header.height, found.header.time)


def payment_url(node_url: str, request_id: int, return_url: str | None = None) -> str:
    """Where to send the payer: the node's Pay page for this request."""
    url = f"{node_url.rstrip('/')}/pay/request/{int(request_id)}"
    return url if return_url is None else with_query(url, "return", return_url)


def wait_paid(
    client: Client, request_id: int, timeout: float = 60.0, *, poll_s: float = 0.25, sleep: Any = time.sleep
) -> ProvenPayment:
    """Return once the request is proven ``paid``; raise ``client.payment_not_made`` once it is
    proven cancelled or expired, ``client.error`` after ``timeout`` seconds.

    It re-reads the proven record every ``poll_s`` seconds (each read is one proof and, per
    new block, one commit check); what the browser or an event says is never enough.
    """
    deadline = time.monotonic() + timeout
    while True:
        current = proven_payment(client, request_id)
        if current.status == PAID:
            return current
        if current.status == CANCELLED or current.expired:
            state = "expired" if current.expired else current.status
            raise PaymentNotMadeError(f"payment request {request_id} is {state} (proven at block {current.height})")
        if time.monotonic() >= deadline:
            raise ClientError(f"payment request {request_id} was not paid within {timeout}s")
        sleep(poll_s)


__all__ = ["ProvenPayment", "create_payment_request", "payment_url", "proven_payment", "request_key", "wait_paid"]
