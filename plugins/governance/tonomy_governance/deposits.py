"""Deposits through the token plugin's public actions only (Pay's interface).

The deposit token plugin must offer ``transfer {from, to, symbol, amount, memo}``
(authority: ``from``) and ``retire {owner, symbol, amount, memo}`` (authority:
``owner``). Deposits are held by the system account; governance refunds them with
``transfer`` and burns them with ``retire``, both carried by the system account's
authority (``ctx.call_as_system``). ``escrowed`` counts what is held, so the plugin
can check that it never refunds or burns more than it took.
"""

from __future__ import annotations

from typing import Any, Protocol

from tonomy_governance import layout


class DepositToken(Protocol):
    """What the deposit token plugin must answer to (its action names and data)."""

    def transfer(self, data: dict[str, Any]) -> None: ...

    def retire(self, data: dict[str, Any]) -> None: ...


def _escrowed(ctx: Any) -> int:
    value = ctx.state.get_record(layout.ESCROWED)
    return 0 if value is None else int(value)


def take(ctx: Any, proposer: str, amount: int) -> None:
    if amount == 0:
        return
    plugin, symbol = ctx.parameter("deposit_token_plugin"), ctx.parameter("deposit_symbol")
    ctx.call(
        plugin,
        "transfer",
        {"from": proposer, "to": layout.SYSTEM_ACCOUNT, "symbol": symbol, "amount": amount, "memo": "governance deposit"},
        [level for level in ctx.authorization if level.actor == proposer][:1],
    )
    ctx.state.put_record(layout.ESCROWED, _escrowed(ctx) + amount)


def settle(ctx: Any, proposal: dict[str, Any], burn: bool) -> str:
    """Refund or burn a proposal's deposit exactly once; returns what happened."""
    amount = proposal["deposit"]
    outcome = "burned" if burn else "refunded"
    if amount > 0:
        escrowed = _escrowed(ctx)
        if escrowed < amount:
            raise AssertionError("governance holds less in deposits than it owes (state corrupted)")
        plugin, symbol = proposal["deposit_token_plugin"], proposal["deposit_symbol"]
        if burn:
            ctx.call_as_system(plugin, "retire", {"owner": layout.SYSTEM_ACCOUNT, "symbol": symbol, "amount": amount, "memo": f"proposal {proposal['id']}"})
        else:
            ctx.call_as_system(
                plugin,
                "transfer",
                {"from": layout.SYSTEM_ACCOUNT, "to": proposal["proposer"], "symbol": symbol, "amount": amount, "memo": f"proposal {proposal['id']}"},
            )
        ctx.state.put_record(layout.ESCROWED, escrowed - amount)
    return outcome
