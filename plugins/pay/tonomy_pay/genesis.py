"""The native token's genesis: the actions that create it and issue the allocation.

A network's first block carries one transaction, signed by the native issuer (the
system account ``tonomy`` by default, whose authority at genesis is the
validators'), made of these actions. The allocation then follows every rule an
ordinary ``issue`` follows: the recipients must exist, the total stays within the
maximum supply, and each issue leaves an ``issued`` event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tonomy_pay.layout import MAX_AMOUNT, MAX_DECIMALS, is_account_name, is_symbol
from tonomy_pay.parameters import NATIVE_ISSUER, NATIVE_SYMBOL


def native_token_actions(
    allocation: Mapping[str, int],
    *,
    max_supply: int,
    decimals: int,
    symbol: str = str(NATIVE_SYMBOL.default),
    issuer: str = str(NATIVE_ISSUER.default),
    memo: str = "genesis",
) -> list[tuple[str, dict[str, Any]]]:
    """``[(action, data), ...]``: ``create_token`` then one ``issue`` per account, by account name.

    Refuses (``ValueError``) what the chain would refuse, so a bad genesis fails
    before a network starts rather than in its first block.
    """
    if not is_symbol(symbol):
        raise ValueError(f"{symbol!r} is not a token symbol")
    if not is_account_name(issuer):
        raise ValueError(f"{issuer!r} is not an account name")
    if type(max_supply) is not int or not 1 <= max_supply <= MAX_AMOUNT:
        raise ValueError(f"max_supply must be an int from 1 to {MAX_AMOUNT}")
    if type(decimals) is not int or not 0 <= decimals <= MAX_DECIMALS:
        raise ValueError(f"decimals must be an int from 0 to {MAX_DECIMALS}")
    total = 0
    for account, amount in allocation.items():
        if not is_account_name(account):
            raise ValueError(f"{account!r} is not an account name")
        if type(amount) is not int or amount < 1:
            raise ValueError(f"the allocation of {account} must be a positive int, got {amount!r}")
        total += amount
    if total > max_supply:
        raise ValueError(f"the allocation totals {total}, above the maximum supply {max_supply}")
    actions: list[tuple[str, dict[str, Any]]] = [
        ("create_token", {"issuer": issuer, "symbol": symbol, "max_supply": max_supply, "decimals": decimals})
    ]
    for account in sorted(allocation):
        actions.append(("issue", {"symbol": symbol, "to": account, "amount": allocation[account], "memo": memo}))
    return actions
