"""Hypothesis stateful test: proposals, votes, delegation, transfers, timelock and execution
on a real chain, against an independent model.

The model keeps the balances after every block, the deposits, the votes and the
delegations, and predicts for every step whether the chain accepts it and what it
changes. Invariants after every step:

* every ballot's weight is the voter's balance at the proposal's snapshot height
  (tokens moved after creation add nothing, whoever holds them now);
* every tally equals the sum of its ballots, and the proposal's state is the model's;
* an ``execute`` succeeds exactly when the model says the proposal is approved and
  ``eta <= height < expires`` and it has not run; the parameter then takes exactly the
  value of the winning option (nothing else ever changes it);
* balances + nothing else = supply, deposits held = deposits of unsettled proposals,
  and supply only drops by burned deposits.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from govnet import FAST, Gov, make_net, options, set_param
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

ACCOUNTS = ("alice", "bob", "carol", "dave", "erin")
HOLDERS = ACCOUNTS + ("tonomy",)
# Longer windows than the unit tests, so random runs reach approval and execution often.
SETTINGS = {**FAST, "voting_period": 8, "grace": 6}
DEPOSIT = SETTINGS["deposit"]
BPS = 10_000
FINAL = ("executed", "cancelled")


class GovernanceMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory(prefix="gov-props-")
        self.gov = Gov(make_net(Path(self._dir.name), SETTINGS))
        self.balances = {account: 0 for account in HOLDERS}
        self.supply = 0
        self.at: dict[int, tuple[dict[str, int], int]] = {}
        for account, amount in zip(ACCOUNTS, (500, 300, 200, 100, 50), strict=True):
            self.gov.mint(account, amount)
            self.balances[account] += amount
            self.supply += amount
            self._record_block()
        self.proposals: dict[int, dict[str, Any]] = {}
        self.delegations: dict[str, str] = {}
        self.max_options = 8
        self.burned = 0
        self.steps = 0

    def teardown(self) -> None:
        event(f"steps >= {10 * (self.steps // 10)}")
        self.gov.net.close()
        self._dir.cleanup()

    # -- model helpers ------------------------------------------------------------------

    @property
    def next_height(self) -> int:
        return self.gov.height + 1

    def _record_block(self) -> None:
        self.at[self.gov.height] = (dict(self.balances), self.supply)

    def _after(self, receipt: Any, expected_ok: bool, what: str) -> None:
        assert (receipt.status == "executed") == expected_ok, f"{what}: chain says {receipt.status} {receipt.error_code} {receipt.error_message}"
        event(f"{what.split()[0]} {'accepted' if expected_ok else 'refused'}")
        self.steps += 1
        self._record_block()

    def _act(self, plugin: str, name: str, data: dict[str, Any], signer: str) -> Any:
        return self.gov.act(plugin, name, data, signer)

    def _snapshot_balance(self, proposal: dict[str, Any], account: str) -> int:
        return self.at[proposal["snapshot"]][0][account]

    def _tally(self, proposal: dict[str, Any]) -> dict[str, Any]:
        counts = {"options": [0] * len(proposal["values"]), "against": 0, "abstain": 0, "veto": 0, "turnout": 0, "voters": 0}
        for account, (_, choice, weight) in proposal["ballots"].items():
            slot = {-1: "against", -2: "abstain", -3: "veto"}.get(choice)
            if slot is None:
                counts["options"][choice] += weight
            else:
                counts[slot] += weight
            counts["turnout"] += self._snapshot_balance(proposal, account)
            counts["voters"] += 1
        return counts

    def _outcome(self, proposal: dict[str, Any]) -> tuple[str, int | None]:
        counts = self._tally(proposal)
        total = self.at[proposal["snapshot"]][1]
        opts = counts["options"]
        best = max(opts)
        winner = opts.index(best) if opts.count(best) == 1 and best > 0 else None
        if total == 0 or counts["turnout"] * BPS < SETTINGS["quorum_bps"] * total:
            return "no_quorum", None
        everything = sum(opts) + counts["against"] + counts["abstain"] + counts["veto"]
        if counts["veto"] * BPS > SETTINGS["veto_bps"] * everything:
            return "vetoed", None
        if winner is not None and best * BPS > SETTINGS["approval_bps"] * (sum(opts) + counts["against"]):
            return "approved", winner
        return "rejected", None

    def _state(self, proposal: dict[str, Any], height: int) -> str:
        if proposal["final"] is not None:
            return str(proposal["final"])
        if height < proposal["vote_start"]:
            return "pending"
        if height <= proposal["vote_end"]:
            return "active"
        result, _ = self._outcome(proposal)
        if result != "approved":
            return result
        return "queued" if height < proposal["eta"] else "executable" if height < proposal["expires"] else "expired"

    def _pick(self, data: st.DataObject, wanted: str, extra: int = 0) -> int:
        """A proposal id, usually one in the ``wanted`` state at the next height (else any, or an unknown id)."""
        preferred = [pid for pid, p in self.proposals.items() if self._state(p, self.next_height) == wanted]
        if preferred and data.draw(st.integers(0, 4), label="prefer") > 0:
            return int(data.draw(st.sampled_from(preferred), label="pid"))
        return int(data.draw(st.integers(1, len(self.proposals) + extra), label="pid"))

    def _refund(self, proposal: dict[str, Any], burn: bool) -> None:
        self.balances["tonomy"] -= DEPOSIT
        if burn:
            self.supply -= DEPOSIT
            self.burned += DEPOSIT
        else:
            self.balances[proposal["proposer"]] += DEPOSIT
        proposal["settled"] = "burned" if burn else "refunded"

    # -- rules ------------------------------------------------------------------------------

    @initialize(proposer=st.sampled_from(ACCOUNTS), values=st.lists(st.integers(1, 32), min_size=1, max_size=3))
    def first_proposal(self, proposer: str, values: list[int]) -> None:
        self.propose(proposer, values)

    @rule(proposer=st.sampled_from(ACCOUNTS), values=st.lists(st.integers(1, 32), min_size=1, max_size=3))
    def propose(self, proposer: str, values: list[int]) -> None:
        height = self.next_height
        data = {"proposer": proposer, "track": "root", "title": "p", "options": options(*[[set_param("governance", "max_options", v)] for v in values])}
        # max_options is the very parameter proposals change: a passed proposal may limit later ones.
        ok = self.balances[proposer] >= DEPOSIT and len(values) <= self.max_options
        receipt = self._act("governance", "propose", data, proposer)
        if ok:
            pid = len(self.proposals) + 1
            start = height + SETTINGS["voting_delay"]
            end = start + SETTINGS["voting_period"] - 1
            eta = end + 1 + SETTINGS["timelock"]
            self.proposals[pid] = {
                "proposer": proposer, "values": values, "snapshot": height - 1, "vote_start": start, "vote_end": end,
                "eta": eta, "expires": eta + SETTINGS["grace"], "final": None, "settled": None, "ballots": {},
            }
            self.balances[proposer] -= DEPOSIT
            self.balances["tonomy"] += DEPOSIT
        self._after(receipt, ok, "propose")

    @rule(data=st.data(), voter=st.sampled_from(ACCOUNTS), choice=st.sampled_from([0, 0, 0, 0, 1, 1, 2, 3, -1, -1, -2, -3]))
    def vote(self, data: st.DataObject, voter: str, choice: int) -> None:
        if not self.proposals:
            return
        height = self.next_height
        pid = self._pick(data, "active", extra=1)
        proposal = self.proposals.get(pid)
        cast: list[tuple[str, int]] = []
        ok = proposal is not None and proposal["final"] is None and proposal["vote_start"] <= height <= proposal["vote_end"]
        ok = ok and choice < len(proposal["values"]) if proposal is not None else False
        if ok and proposal is not None:
            previous = proposal["ballots"].get(voter)
            ok = previous is None or previous[0] != voter
            cast = [(voter, self._snapshot_balance(proposal, voter))]
            for delegator, delegate in sorted(self.delegations.items()):
                if delegate == voter and delegator not in proposal["ballots"] and self._snapshot_balance(proposal, delegator) > 0:
                    cast.append((delegator, self._snapshot_balance(proposal, delegator)))
            ok = ok and sum(weight for _, weight in cast) > 0
        receipt = self._act("governance", "vote", {"id": pid, "voter": voter, "choice": choice}, voter)
        if ok and proposal is not None:
            for account, weight in cast:
                proposal["ballots"][account] = (voter, choice, weight)
        self._after(receipt, ok, f"vote {pid} by {voter}")

    @rule(delegator=st.sampled_from(ACCOUNTS), delegate=st.sampled_from(ACCOUNTS))
    def delegate(self, delegator: str, delegate: str) -> None:
        receipt = self._act("governance", "delegate", {"delegator": delegator, "track": "root", "delegate": delegate}, delegator)
        ok = delegator != delegate
        if ok:
            self.delegations[delegator] = delegate
        self._after(receipt, ok, "delegate")

    @rule(source=st.sampled_from(ACCOUNTS), to=st.sampled_from(ACCOUNTS), amount=st.integers(1, 400))
    def transfer(self, source: str, to: str, amount: int) -> None:
        receipt = self._act("gtoken", "transfer", {"from": source, "to": to, "symbol": "GOV", "amount": amount}, source)
        ok = source != to and self.balances[source] >= amount
        if ok:
            self.balances[source] -= amount
            self.balances[to] += amount
        self._after(receipt, ok, "transfer")

    @rule(blocks=st.integers(1, 6))
    def advance(self, blocks: int) -> None:
        for _ in range(blocks):
            self.gov.net.produce()
            self._record_block()

    @rule(data=st.data(), executor=st.sampled_from(ACCOUNTS))
    def execute(self, data: st.DataObject, executor: str) -> None:
        if not self.proposals:
            return
        pid = self._pick(data, "executable")
        proposal = self.proposals[pid]
        height = self.next_height
        state = self._state(proposal, height)
        ok = state == "executable"
        receipt = self._act("governance", "execute", {"id": pid}, executor)
        if ok:
            _, winner = self._outcome(proposal)
            assert winner is not None
            self.max_options = proposal["values"][winner]
            proposal["final"] = "executed"
            if proposal["settled"] is None:
                self._refund(proposal, burn=False)
            assert proposal["eta"] <= receipt.height < proposal["expires"]
        self._after(receipt, ok, f"execute {pid} ({state})")

    @rule(data=st.data(), actor=st.sampled_from(ACCOUNTS))
    def settle(self, data: st.DataObject, actor: str) -> None:
        if not self.proposals:
            return
        pid = data.draw(st.integers(1, len(self.proposals)), label="pid")
        proposal = self.proposals[pid]
        state = self._state(proposal, self.next_height)
        ok = proposal["settled"] is None and state not in ("pending", "active", "queued", "executable")
        receipt = self._act("governance", "settle", {"id": pid}, actor)
        if ok:
            self._refund(proposal, burn=state == "vetoed")
        self._after(receipt, ok, f"settle {pid} ({state})")

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        if not self.proposals:
            return
        pid = data.draw(st.integers(1, len(self.proposals)), label="pid")
        proposal = self.proposals[pid]
        ok = proposal["final"] is None and self.next_height < proposal["vote_start"]
        receipt = self._act("governance", "cancel", {"id": pid}, proposal["proposer"])
        if ok:
            proposal["final"] = "cancelled"
            self._refund(proposal, burn=False)
        self._after(receipt, ok, "cancel")

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def balances_and_deposits_are_conserved(self) -> None:
        for account in HOLDERS:
            assert self.gov.balance(account) == self.balances[account], account
        assert self.gov.supply() == self.supply == sum(self.balances.values())
        held = sum(DEPOSIT for p in self.proposals.values() if p["settled"] is None)
        assert self.gov.query("escrowed", {}) == held == self.balances["tonomy"]
        assert self.supply + self.burned == 500 + 300 + 200 + 100 + 50

    @invariant()
    def weights_come_from_the_snapshot_and_states_match(self) -> None:
        height = self.gov.height
        for pid, proposal in self.proposals.items():
            chain = self.gov.proposal(pid)
            assert chain["snapshot"]["height"] == proposal["snapshot"]
            for account, (by, choice, weight) in proposal["ballots"].items():
                ballot = self.gov.query("ballot", {"id": pid, "account": account})
                assert (ballot["by"], ballot["choice"], ballot["weight"]) == (by, choice, weight)
                assert weight == self._snapshot_balance(proposal, account)
            assert chain["tally"] == self._tally(proposal)
            assert chain["state"] == self._state(proposal, height), (pid, chain["state"])

    @invariant()
    def only_executed_proposals_change_the_parameter(self) -> None:
        assert self.gov.param("governance", "max_options") == self.max_options


GovernanceMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestGovernanceMachine = GovernanceMachine.TestCase
