"""The canonical state codec: the core's one-pass parser and writer against the
pure-Python reference it replaced (json parse, then re-encode to prove the form).

Each benchmark is a read-modify-write of one typical record, as plugins do it: decode
the stored bytes, then encode the value again. Both sides must give back the stored
bytes; as smoke tests they assert it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tonomy.chain import codec
from tonomy.testing import codec_reference as reference

_TRANSFER = {"amount": 1, "from": "alice", "memo": "t1000000", "symbol": "TONO", "to": "bob"}

RECORDS: dict[str, Any] = {
    # pay: an account's balance of one token.
    "balance": 999_999_999_507,
    # accounts: an account record.
    "account": {"created_at": 1_700_000_000_000, "creator": "tonomy", "name": "alice", "type": "person"},
    # pay: a token record.
    "token": {"created_height": 1, "decimals": 0, "issuer": "tonomy", "max_supply": 10**12, "supply": 0, "symbol": "TONO"},
    # receipts: a transaction receipt with the event a transfer emits.
    "receipt": {
        "error": None,
        "events": [{"data": reference.encode(_TRANSFER), "name": "transferred", "plugin": "pay"}],
        "height": 2,
        "index": 0,
        "tx_id": bytes(range(32)),
    },
}


def _round_trip(module: Any, data: bytes) -> Callable[[], bytes]:
    return lambda: module.encode(module.decode(data))


def _run(benchmark: Any, side: str, module: Any, record: str) -> None:
    benchmark.extra_info["side"] = side
    data = reference.encode(RECORDS[record])
    assert benchmark(_round_trip(module, data)) == data


@pytest.mark.benchmark(group="codec_balance")
def test_core_codec_balance(benchmark: Any) -> None:
    _run(benchmark, "core", codec, "balance")


@pytest.mark.benchmark(group="codec_balance")
def test_python_codec_balance(benchmark: Any) -> None:
    _run(benchmark, "baseline", reference, "balance")


@pytest.mark.benchmark(group="codec_account")
def test_core_codec_account(benchmark: Any) -> None:
    _run(benchmark, "core", codec, "account")


@pytest.mark.benchmark(group="codec_account")
def test_python_codec_account(benchmark: Any) -> None:
    _run(benchmark, "baseline", reference, "account")


@pytest.mark.benchmark(group="codec_token")
def test_core_codec_token(benchmark: Any) -> None:
    _run(benchmark, "core", codec, "token")


@pytest.mark.benchmark(group="codec_token")
def test_python_codec_token(benchmark: Any) -> None:
    _run(benchmark, "baseline", reference, "token")


@pytest.mark.benchmark(group="codec_receipt")
def test_core_codec_receipt(benchmark: Any) -> None:
    _run(benchmark, "core", codec, "receipt")


@pytest.mark.benchmark(group="codec_receipt")
def test_python_codec_receipt(benchmark: Any) -> None:
    _run(benchmark, "baseline", reference, "receipt")
