"""Hostile data for every action and query: a clear, coded refusal that changes nothing, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from tonomy.errors import TonomyError

from tonomy_pay import ACTIONS
from tonomy_pay.queries import QUERIES

ACTION_NAMES = [spec.name for spec in ACTIONS]
QUERY_NAMES = [spec.name for spec in QUERIES]
FIELD_NAMES = sorted({f.name for spec in ACTIONS + QUERIES for f in spec.schema.fields} | {"junk", "$bytes", ""})

hostile_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**130), max_value=2**130),
    st.sampled_from([0, 1, 2, 2**64, 2**127 - 1, 2**127, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["alice", "bob", "carol", "USD", "TONO", "x" * 300, "ali\x00ce", "bob/USD", "€" * 100]),
    st.binary(max_size=40),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
hostile_data = st.dictionaries(st.sampled_from(FIELD_NAMES), hostile_value, max_size=9)


def funded(make_ledger):
    ledger = make_ledger()
    ledger.token()
    ledger.fund("alice", 1_000)
    ledger.act("deposit", "alice", payer="alice", payee="bob", arbiter="carol", symbol="USD", amount=10, deadline_height=20)
    ledger.act("create_request", "bob", payee="bob", symbol="USD", amount=5)
    return ledger


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=st.sampled_from(ACTION_NAMES), data=hostile_data, auth=st.sampled_from(["alice", "bob", "carol", "tonomy"]))
def test_hostile_action_data_is_refused_with_a_code_and_changes_nothing(make_ledger, action, data, auth) -> None:
    ledger = funded(make_ledger)
    before = ledger.state.snapshot()
    try:
        events = ledger.act(action, auth, **data)
    except TonomyError as exc:
        assert exc.code.split(".")[0] in ("pay", "core", "tx"), exc.code
        assert ledger.state.snapshot() == before
    else:
        assert events, "every state change is announced"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.sampled_from(QUERY_NAMES), params=hostile_data)
def test_hostile_query_params_are_refused_with_a_code(make_ledger, query, params) -> None:
    ledger = funded(make_ledger)
    try:
        ledger.query(query, **params)
    except TonomyError as exc:
        assert exc.code == "core.invalid_input", exc.code
