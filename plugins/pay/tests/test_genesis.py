"""The native token's genesis actions."""

from __future__ import annotations

import pytest

from tonomy_pay.genesis import native_token_actions


def test_genesis_actions_create_then_issue_in_account_order(ledger) -> None:
    actions = native_token_actions({"bob": 300, "alice": 700}, max_supply=1_000, decimals=6)
    assert [(name, data.get("to")) for name, data in actions] == [("create_token", None), ("issue", "alice"), ("issue", "bob")]
    for name, data in actions:
        ledger.act(name, "tonomy", **data)
    assert ledger.query("native_token")["supply"] == 1_000
    assert (ledger.balance("alice", "TONO"), ledger.balance("bob", "TONO")) == (700, 300)
    assert [name for name, _ in ledger.events] == ["token_created", "issued", "issued"]


@pytest.mark.parametrize(
    ("allocation", "options"),
    [
        ({"alice": 600, "bob": 500}, {}),
        ({"alice": 0}, {}),
        ({"alice": 1.5}, {}),
        ({"alice": True}, {}),
        ({"Alice": 1}, {}),
        ({"alice": 1}, {"symbol": "tono"}),
        ({"alice": 1}, {"issuer": "x"}),
        ({"alice": 1}, {"decimals": 19}),
        ({"alice": 1}, {"max_supply": 2**127}),
    ],
)
def test_a_bad_genesis_fails_before_the_network_starts(allocation, options) -> None:
    with pytest.raises(ValueError):
        native_token_actions(allocation, **({"max_supply": 1_000, "decimals": 2} | options))
