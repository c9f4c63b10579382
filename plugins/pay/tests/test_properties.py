"""Conservation as a property: random operation sequences never create or destroy value.

For every token, the balances plus the amounts held in open escrows always add up
to its supply, the supply never exceeds the maximum supply, and no balance is
ever negative or zero-but-stored. A refused operation changes nothing.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import HealthCheck, given, settings, strategies as st

from tonomy.errors import TonomyError

ACCOUNTS = ("alice", "bob", "carol", "dave")
SYMBOLS = ("USD", "EUR")
MAX_SUPPLY = {"USD": 10_000, "EUR": 2**127 - 1}

# Mostly valid choices, so most operations succeed; some unknown names and huge amounts.
account = st.sampled_from(ACCOUNTS * 4 + ("nobody",))
symbol = st.sampled_from(SYMBOLS * 4 + ("XYZ",))
small = st.integers(1, 400)
amount = st.one_of(small, small, small, st.integers(1, 2**127 - 1))
ref = st.integers(1, 4)
parties = st.one_of(st.permutations(ACCOUNTS).map(lambda p: tuple(p[:3])), st.tuples(account, account, account))

operation = st.one_of(
    st.tuples(st.just("issue"), symbol, account, amount),
    st.tuples(st.just("transfer"), account, account, symbol, amount),
    st.tuples(st.just("retire"), account, symbol, amount),
    st.tuples(st.just("deposit"), parties, symbol, amount),
    st.tuples(st.just("release_escrow"), ref, account),
    st.tuples(st.just("refund_escrow"), ref, account),
    st.tuples(st.just("create_request"), account, symbol, amount, st.one_of(st.none(), account)),
    st.tuples(st.just("pay_request"), ref, account),
    st.tuples(st.just("cancel_request"), ref, account),
    st.tuples(st.just("advance"), st.integers(1, 10)),
)


def target(ledger, kind: str, ref: int) -> int:
    """Aim most references at records that exist (ids 1..last); an id past the end now and then."""
    last = ledger.raw_records().get(b"seq/" + kind.encode(), 0)
    return ref if ref > last else last - ref + 1


def run(ledger, op) -> None:
    """Apply one operation; every accepted action must announce itself with an event."""
    kind, *args = op
    if kind == "advance":
        ledger.height += args[0]
        return
    seen = len(ledger.events)
    apply(ledger, kind, args)
    assert len(ledger.events) > seen, f"{kind} changed state without an event"


def apply(ledger, kind, args) -> None:
    if kind == "issue":
        sym, to, amt = args
        issuer = {"USD": "alice", "EUR": "bob"}.get(sym, "alice")
        ledger.act("issue", issuer, symbol=sym, to=to, amount=amt)
    elif kind == "transfer":
        frm, to, sym, amt = args
        ledger.act("transfer", frm, **{"from": frm, "to": to, "symbol": sym, "amount": amt})
    elif kind == "retire":
        owner, sym, amt = args
        ledger.act("retire", owner, owner=owner, symbol=sym, amount=amt)
    elif kind == "deposit":
        (payer, payee, arbiter), sym, amt = args
        ledger.act("deposit", payer, payer=payer, payee=payee, arbiter=arbiter, symbol=sym, amount=amt, deadline_height=ledger.height + 5)
    elif kind in ("release_escrow", "refund_escrow"):
        ref, actor = args
        ledger.act(kind, actor, id=target(ledger, "escrow", ref), actor=actor)
    elif kind == "create_request":
        payee, sym, amt, payer = args
        data = {"payee": payee, "symbol": sym, "amount": amt} | ({} if payer is None else {"payer": payer})
        ledger.act("create_request", payee, **data)
    elif kind == "pay_request":
        ref, payer = args
        ledger.act("pay_request", payer, id=target(ledger, "request", ref), payer=payer)
    elif kind == "cancel_request":
        ref, actor = args
        ledger.act("cancel_request", actor, id=target(ledger, "request", ref))


def fresh(make_ledger):
    """Two tokens, every account holding some of each, two open escrows and two open requests."""
    ledger = make_ledger()
    ledger.token("USD", issuer="alice", max_supply=MAX_SUPPLY["USD"])
    ledger.token("EUR", issuer="bob", max_supply=MAX_SUPPLY["EUR"])
    for name in ACCOUNTS:
        ledger.fund(name, 1_000, "USD")
        ledger.fund(name, 1_000, "EUR")
    for payer, payee, arbiter, sym in (("alice", "bob", "carol", "USD"), ("dave", "alice", "bob", "EUR")):
        ledger.act("deposit", payer, payer=payer, payee=payee, arbiter=arbiter, symbol=sym, amount=100, deadline_height=ledger.height + 5)
    ledger.act("create_request", "bob", payee="bob", symbol="USD", amount=50)
    ledger.act("create_request", "carol", payee="carol", symbol="EUR", amount=70, payer="dave", expires_height=ledger.height + 8)
    return ledger


def check_invariants(ledger) -> None:
    records = ledger.raw_records()
    held: dict[str, int] = defaultdict(int)
    for key, value in records.items():
        if key.startswith(b"bal/"):
            assert type(value) is int and value > 0, (key, value)
            held[key.rsplit(b"/", 1)[1].decode()] += value
        elif key.startswith(b"esc/") and value["status"] == "open":
            held[value["symbol"]] += value["amount"]
    for sym in SYMBOLS:
        token = records[b"tok/" + sym.encode()]
        assert held[sym] == token["supply"], sym
        assert 0 <= token["supply"] <= token["max_supply"]
    assert set(held) <= set(SYMBOLS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=5, max_size=40))
def test_value_is_conserved(make_ledger, ops) -> None:
    ledger = fresh(make_ledger)
    for op in ops:
        before = ledger.state.snapshot()
        try:
            run(ledger, op)
        except TonomyError:
            assert ledger.state.snapshot() == before
        check_invariants(ledger)


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(operation, max_size=25))
def test_replaying_the_same_operations_gives_the_same_state(make_ledger, ops) -> None:
    """Determinism: two nodes applying the same actions end with byte-identical state and events."""
    outcomes = []
    for _ in range(2):
        ledger = fresh(make_ledger)
        codes = []
        for op in ops:
            try:
                run(ledger, op)
                codes.append("ok")
            except TonomyError as exc:
                codes.append(exc.code)
        outcomes.append((ledger.state.snapshot(), ledger.events, codes))
    assert outcomes[0] == outcomes[1]
