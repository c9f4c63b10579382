"""``tonomy pay ...``: wallets' everyday commands over a node.

The node plumbing (options, signing, receipts) is the host's shared
:mod:`tonomy.plugin.cli`; this module adds what only Pay needs: amounts written in a
token's display units.
"""

from __future__ import annotations

from typing import Any

import click

from tonomy.plugin.cli import ActionOutcome, Session, bind_session, event, node_options, show

from tonomy_pay.amounts import format_amount, parse_amount

PLUGIN = "pay"

__all__ = ["ActionOutcome", "PaySession", "pay_cli"]


class PaySession(Session):
    """A CLI session that speaks Pay's queries and actions and converts display amounts."""

    def pay_query(self, name: str, **params: Any) -> Any:
        return self.query(PLUGIN, name, **params)

    def pay_act(self, name: str, **data: Any) -> ActionOutcome:
        return self.act(PLUGIN, name, **data)

    def decimals(self, symbol: str) -> int:
        info = self.pay_query("token", symbol=symbol)
        if info is None:
            raise click.ClickException(f"[pay.unknown_token] there is no token {symbol!r}")
        return int(info["decimals"])

    def units(self, text: str, symbol: str) -> int:
        try:
            return parse_amount(text, self.decimals(symbol))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="AMOUNT") from None


def _event(outcome: ActionOutcome, name: str) -> dict[str, Any]:
    return event(outcome, PLUGIN, name)


session_of = click.make_pass_decorator(PaySession)
SYMBOL = click.argument("symbol")
AMOUNT = click.argument("amount")
MEMO = click.option("--memo", default=None, help="Free text, at most 256 UTF-8 bytes.")


@click.group(name="pay")
@node_options
@click.pass_context
def pay_cli(ctx: click.Context, node_url: str, key_file: str | None, account: str | None) -> None:
    """Tokens, transfers, payment requests and escrow.

    Amounts are written in whole units with up to the token's decimals ("12.50").
    """
    bind_session(ctx, node_url, key_file, account, PaySession)


@pay_cli.command()
@click.argument("account", required=False)
@click.option("--symbol", default=None, help="Only this token.")
@session_of
def balance(session: PaySession, account: str | None, symbol: str | None) -> None:
    """Show ACCOUNT's balances (default: --account)."""
    who = account or session.me()
    held = [{"symbol": symbol, "amount": session.pay_query("balance", account=who, symbol=symbol)}] if symbol else session.pay_query("balances", account=who)
    if not held:
        click.echo(f"{who} holds nothing")
    for item in held:
        click.echo(f"{format_amount(item['amount'], session.decimals(item['symbol']))} {item['symbol']}")


@pay_cli.command()
@SYMBOL
@session_of
def token(session: PaySession, symbol: str) -> None:
    """Show a token's issuer, decimals and supply."""
    info = session.pay_query("token", symbol=symbol)
    if info is None:
        raise click.ClickException(f"[pay.unknown_token] there is no token {symbol!r}")
    show(info)


@pay_cli.command()
@click.argument("to")
@AMOUNT
@SYMBOL
@MEMO
@session_of
def transfer(session: PaySession, to: str, amount: str, symbol: str, memo: str | None) -> None:
    """Send AMOUNT of SYMBOL to TO."""
    units = session.units(amount, symbol)
    session.pay_act("transfer", **{"from": session.me(), "to": to, "symbol": symbol, "amount": units, "memo": memo})
    click.echo(f"sent {amount} {symbol} to {to}")


@pay_cli.command("create-token")
@SYMBOL
@click.argument("max_supply")
@click.option("--decimals", type=click.IntRange(0, 18), default=0, show_default=True)
@session_of
def create_token(session: PaySession, symbol: str, max_supply: str, decimals: int) -> None:
    """Create SYMBOL with MAX_SUPPLY (in whole units) issued by --account."""
    try:
        units = parse_amount(max_supply, decimals)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="MAX_SUPPLY") from None
    session.pay_act("create_token", issuer=session.me(), symbol=symbol, max_supply=units, decimals=decimals)
    click.echo(f"created {symbol} (max supply {max_supply}, {decimals} decimals)")


@pay_cli.command()
@click.argument("to")
@AMOUNT
@SYMBOL
@MEMO
@session_of
def issue(session: PaySession, to: str, amount: str, symbol: str, memo: str | None) -> None:
    """Issue AMOUNT of new SYMBOL to TO (the issuer only)."""
    session.pay_act("issue", symbol=symbol, to=to, amount=session.units(amount, symbol), memo=memo)
    click.echo(f"issued {amount} {symbol} to {to}")


@pay_cli.command()
@AMOUNT
@SYMBOL
@MEMO
@session_of
def retire(session: PaySession, amount: str, symbol: str, memo: str | None) -> None:
    """Burn AMOUNT of your own SYMBOL."""
    session.pay_act("retire", owner=session.me(), symbol=symbol, amount=session.units(amount, symbol), memo=memo)
    click.echo(f"retired {amount} {symbol}")


@pay_cli.group()
def request() -> None:
    """Payment requests."""


@request.command("create")
@AMOUNT
@SYMBOL
@click.option("--payer", default=None, help="Who must pay (default: anyone).")
@MEMO
@click.option("--expires-height", type=click.IntRange(1), default=None)
@click.option("--expires-time-ms", type=click.IntRange(1), default=None)
@session_of
def request_create(session: PaySession, amount: str, symbol: str, payer: str | None, memo: str | None, expires_height: int | None, expires_time_ms: int | None) -> None:
    """Ask to be paid AMOUNT of SYMBOL; prints the request id."""
    outcome = session.pay_act(
        "create_request", payee=session.me(), symbol=symbol, amount=session.units(amount, symbol),
        payer=payer, memo=memo, expires_height=expires_height, expires_time_ms=expires_time_ms,
    )
    click.echo(f"request {_event(outcome, 'request_created')['id']}")


@request.command("pay")
@click.argument("request_id", type=click.IntRange(1))
@session_of
def request_pay(session: PaySession, request_id: int) -> None:
    """Pay request REQUEST_ID from --account."""
    session.pay_act("pay_request", id=request_id, payer=session.me())
    click.echo(f"paid request {request_id}")


@request.command("cancel")
@click.argument("request_id", type=click.IntRange(1))
@session_of
def request_cancel(session: PaySession, request_id: int) -> None:
    """Cancel your open request REQUEST_ID."""
    session.pay_act("cancel_request", id=request_id)
    click.echo(f"cancelled request {request_id}")


@request.command("status")
@click.argument("request_id", type=click.IntRange(1))
@session_of
def request_status(session: PaySession, request_id: int) -> None:
    """Show request REQUEST_ID."""
    record = session.pay_query("request", id=request_id)
    if record is None:
        raise click.ClickException(f"[pay.unknown_request] there is no payment request {request_id}")
    show(record)


@pay_cli.group()
def escrow() -> None:
    """Escrow between a payer, a payee and an arbiter."""


@escrow.command("deposit")
@click.argument("payee")
@click.argument("arbiter")
@AMOUNT
@SYMBOL
@click.option("--deadline-height", type=click.IntRange(1), default=None)
@click.option("--deadline-time-ms", type=click.IntRange(1), default=None)
@MEMO
@session_of
def escrow_deposit(session: PaySession, payee: str, arbiter: str, amount: str, symbol: str, deadline_height: int | None, deadline_time_ms: int | None, memo: str | None) -> None:
    """Lock AMOUNT of SYMBOL for PAYEE, with ARBITER; prints the escrow id."""
    if deadline_height is None and deadline_time_ms is None:
        raise click.UsageError("give --deadline-height or --deadline-time-ms")
    outcome = session.pay_act(
        "deposit", payer=session.me(), payee=payee, arbiter=arbiter, symbol=symbol, amount=session.units(amount, symbol),
        deadline_height=deadline_height, deadline_time_ms=deadline_time_ms, memo=memo,
    )
    click.echo(f"escrow {_event(outcome, 'escrow_deposited')['id']}")


@escrow.command("release")
@click.argument("escrow_id", type=click.IntRange(1))
@session_of
def escrow_release(session: PaySession, escrow_id: int) -> None:
    """Release escrow ESCROW_ID to its payee (payer or arbiter)."""
    session.pay_act("release_escrow", id=escrow_id, actor=session.me())
    click.echo(f"released escrow {escrow_id}")


@escrow.command("refund")
@click.argument("escrow_id", type=click.IntRange(1))
@session_of
def escrow_refund(session: PaySession, escrow_id: int) -> None:
    """Refund escrow ESCROW_ID to its payer (arbiter; payer after the deadline)."""
    session.pay_act("refund_escrow", id=escrow_id, actor=session.me())
    click.echo(f"refunded escrow {escrow_id}")


@escrow.command("status")
@click.argument("escrow_id", type=click.IntRange(1))
@session_of
def escrow_status(session: PaySession, escrow_id: int) -> None:
    """Show escrow ESCROW_ID."""
    record = session.pay_query("escrow", id=escrow_id)
    if record is None:
        raise click.ClickException(f"[pay.unknown_escrow] there is no escrow {escrow_id}")
    show(record)


# -- history and locks ---------------------------------------------------------------


@pay_cli.command("balance-at")
@click.argument("height", type=click.IntRange(0))
@SYMBOL
@click.argument("account", required=False)
@session_of
def balance_at(session: PaySession, height: int, symbol: str, account: str | None) -> None:
    """ACCOUNT's SYMBOL balance at the end of block HEIGHT (default: --account)."""
    who = account or session.me()
    units = session.pay_query("balance_at", account=who, symbol=symbol, height=height)
    click.echo(f"{format_amount(units, session.decimals(symbol))} {symbol}")


@pay_cli.command()
@AMOUNT
@SYMBOL
@click.option("--until", "until_height", type=click.IntRange(1), required=True, help="First height at which the units move again.")
@session_of
def lock(session: PaySession, amount: str, symbol: str, until_height: int) -> None:
    """Keep AMOUNT of SYMBOL from moving until a height (locks only grow)."""
    data = _event(session.pay_act("lock", account=session.me(), symbol=symbol, amount=session.units(amount, symbol), until_height=until_height), "locked")
    click.echo(f"locked {format_amount(data['amount'], session.decimals(symbol))} {symbol} until height {data['until_height']}")


@pay_cli.command()
@SYMBOL
@session_of
def unlock(session: PaySession, symbol: str) -> None:
    """Delete an expired lock on SYMBOL."""
    session.pay_act("unlock", account=session.me(), symbol=symbol)
    click.echo(f"unlocked {symbol}")
