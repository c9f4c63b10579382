"""The canonical state codec: the core's one-pass parser and writer against the
pure-Python reference it replaced (json parse, then re-encode to prove the form).

Each benchmark is a read-modify-write of one typical record, as plugins do it: decode
the stored bytes, then encode the value again. Both sides must give back the stored
bytes; as smoke tests they assert it.
"""

from __future__ import annotations

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


SIDES = {"core": codec, "baseline": reference}

#: One group per record, each with exactly two tests: the core and the reference.
CASES = [
    pytest.param(record, side, marks=pytest.mark.benchmark(group=f"codec_{record}"), id=f"{record}-{side}")
    for record in RECORDS
    for side in SIDES
]


@pytest.mark.parametrize(("record", "side"), CASES)
def test_codec_round_trip(benchmark: Any, record: str, side: str) -> None:
    benchmark.extra_info["side"] = side
    module = SIDES[side]
    data = reference.encode(RECORDS[record])
    assert benchmark(lambda: module.encode(module.decode(data))) == data
