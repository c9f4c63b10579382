"""Checkpoints and locks: ``balance_at``/``supply_at`` answer the past, locks hold units still.

The property: after any random sequence of operations spread over heights, the
history Pay answers (every account, every height) equals a replay of the accepted
operations by an independent model.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import HealthCheck, given, settings, strategies as st

from tonomy.errors import TonomyError

ACCOUNTS = ("alice", "bob", "carol")


def test_balance_at_reads_the_end_of_each_block(usd) -> None:
    start = usd.height  # alice was funded 1,000 at this height
    usd.height += 1
    usd.act("transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 100})
    usd.act("transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 50})
    usd.height += 3
    usd.act("retire", "bob", owner="bob", symbol="USD", amount=30)
    at = lambda account, h: usd.query("balance_at", account=account, symbol="USD", height=h)  # noqa: E731
    assert [at("alice", h) for h in (start - 1, start, start + 1, start + 4, 10**9)] == [0, 1000, 850, 850, 850]
    assert [at("bob", h) for h in (start, start + 1, start + 3, start + 4)] == [0, 150, 150, 120]
    supply = lambda h: usd.query("supply_at", symbol="USD", height=h)  # noqa: E731
    assert [supply(h) for h in (0, start - 1, start, start + 3, start + 4)] == [0, 0, 1000, 1000, 970]
    # one checkpoint per balance per block, however many changes it saw
    keys = [k for k in usd.raw_records() if k.startswith(b"ck/alice/USD/")]
    assert len(keys) == 2


def test_unknown_names_have_no_history(usd) -> None:
    assert usd.query("balance_at", account="nobody", symbol="USD", height=usd.height) == 0
    assert usd.query("balance_at", account="alice", symbol="XYZ", height=usd.height) == 0
    assert usd.query("supply_at", symbol="XYZ", height=usd.height) == 0
    assert usd.query("balance_at", account="alice", symbol="usd", height=usd.height) == 0


def test_a_lock_keeps_units_until_its_height_and_only_grows(usd) -> None:
    h = usd.height
    usd.act("lock", "alice", account="alice", symbol="USD", amount=600, until_height=h + 5)
    assert usd.query("locked", account="alice", symbol="USD") == {"amount": 600, "until_height": h + 5, "since_height": h}
    usd.act("transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 400})  # leaves exactly 600
    usd.fails("pay.locked", "transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 1})
    usd.fails("pay.locked", "retire", "alice", owner="alice", symbol="USD", amount=1)
    usd.fails("pay.locked", "deposit", "alice", payer="alice", payee="bob", arbiter="carol", symbol="USD", amount=1, deadline_height=h + 50)
    # a smaller, shorter lock does not shorten the live one
    usd.act("lock", "alice", account="alice", symbol="USD", amount=10, until_height=h + 2)
    assert usd.query("locked", account="alice", symbol="USD")["until_height"] == h + 5
    usd.fails("pay.still_locked", "unlock", "alice", account="alice", symbol="USD")
    usd.height = h + 5
    assert usd.query("locked", account="alice", symbol="USD") is None
    usd.act("transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 1})  # expired: binds nothing
    usd.act("unlock", "alice", account="alice", symbol="USD")
    usd.fails("pay.not_locked", "unlock", "alice", account="alice", symbol="USD")


def test_hostile_locks(usd) -> None:
    h = usd.height
    usd.fails("tx.missing_authorization", "lock", "bob", account="alice", symbol="USD", amount=1, until_height=h + 5)
    usd.fails("pay.overdrawn", "lock", "alice", account="alice", symbol="USD", amount=1001, until_height=h + 5)
    usd.fails("pay.invalid_lock", "lock", "alice", account="alice", symbol="USD", amount=1, until_height=h)
    usd.fails("pay.unknown_token", "lock", "alice", account="alice", symbol="XYZ", amount=1, until_height=h + 5)
    usd.act("lock", "alice", account="alice", symbol="USD", amount=5, until_height=h + 5)
    usd.fails("tx.missing_authorization", "unlock", "bob", account="alice", symbol="USD")


operation = st.one_of(
    st.tuples(st.just("issue"), st.sampled_from(ACCOUNTS), st.integers(1, 500)),
    st.tuples(st.just("transfer"), st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.integers(1, 500)),
    st.tuples(st.just("retire"), st.sampled_from(ACCOUNTS), st.integers(1, 500)),
    st.tuples(st.just("lock"), st.sampled_from(ACCOUNTS), st.integers(1, 500), st.integers(1, 6)),
    st.tuples(st.just("advance"), st.integers(1, 3)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, max_size=40))
def test_history_equals_a_replay(make_ledger, ops) -> None:
    ledger = make_ledger()
    ledger.token(max_supply=5_000)
    first = ledger.height
    # the model: balances, supply and locks replayed from the operations alone
    balance: dict[str, int] = defaultdict(int)
    supply = 0
    locks: dict[str, tuple[int, int]] = {}
    history: dict[int, tuple[dict[str, int], int]] = {}

    def live(account: str) -> int:
        amount, until = locks.get(account, (0, 0))
        return amount if ledger.height < until else 0

    for kind, *args in ops:
        if kind == "advance":
            history[ledger.height] = (dict(balance), supply)
            ledger.height += args[0]
            continue
        expect_ok = True
        try:
            if kind == "issue":
                to, amount = args
                expect_ok = supply + amount <= 5_000
                ledger.act("issue", "alice", symbol="USD", to=to, amount=amount)
                balance[to] += amount
                supply += amount
            elif kind == "transfer":
                source, to, amount = args
                expect_ok = source != to and balance[source] - amount >= live(source) and balance[source] >= amount
                ledger.act("transfer", source, **{"from": source, "to": to, "symbol": "USD", "amount": amount})
                balance[source] -= amount
                balance[to] += amount
            elif kind == "retire":
                owner, amount = args
                expect_ok = balance[owner] >= amount and balance[owner] - amount >= live(owner)
                ledger.act("retire", owner, owner=owner, symbol="USD", amount=amount)
                balance[owner] -= amount
                supply -= amount
            else:
                account, amount, length = args
                expect_ok = amount <= balance[account]
                ledger.act("lock", account, account=account, symbol="USD", amount=amount, until_height=ledger.height + length)
                old = locks.get(account, (0, 0)) if live(account) else (0, 0)
                locks[account] = (max(amount, old[0]), max(ledger.height + length, old[1]))
        except TonomyError:
            assert not expect_ok, f"{kind} {args} was refused"
            continue
        assert expect_ok, f"{kind} {args} was accepted"
    history[ledger.height] = (dict(balance), supply)

    last = (dict.fromkeys(ACCOUNTS, 0), 0)
    for height in range(first - 2, ledger.height + 3):
        last = history.get(height, last) if height >= first else (dict.fromkeys(ACCOUNTS, 0), 0)
        if height >= first and height not in history:
            pass  # a height with no operations keeps the previous end-of-block values
        for account in ACCOUNTS:
            assert ledger.query("balance_at", account=account, symbol="USD", height=height) == last[0].get(account, 0), (account, height)
        assert ledger.query("supply_at", symbol="USD", height=height) == last[1], height
