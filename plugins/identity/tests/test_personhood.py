"""One verified person, one vote: registration by an on-chain verified presentation, the
``identity.person`` strategy through a real governance vote, and hostile attempts to vote twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from credentials_net import CredNet, trusted_chain

from tonomy.chain import codec
from tonomy.errors import TransactionRejectedError
from tonomy.testing.ledger import GENESIS_TIME_MS
from tonomy.wallet.presentation import iso_time, present
from tonomy.wallet.vc import IssuedCredential, issue

DOMAIN = "tonomy:identity:person"


@pytest.fixture
def net(tmp_path: Path) -> Iterator[CredNet]:
    yield from trusted_chain(tmp_path / "chain")


def credential(net: CredNet, subject: str, person_id: str | None, *, issuer: str = "issuer", index: int = 1, **kw: Any) -> IssuedCredential:
    status = {"id": f"{net.did(issuer)}/status/main#{index}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
              "statusListIndex": str(index), "statusListCredential": f"{net.did(issuer)}/status/main"}
    claims: dict[str, Any] = {"age_over_18": True}
    if person_id is not None:
        claims["person_id"] = person_id
    return issue(net.signer(issuer), issuer=net.did(issuer), subject=net.did(subject), types=["PersonCredential"], claims=claims,
                 valid_from=iso_time(GENESIS_TIME_MS), status=status, **kw)


def presentation(net: CredNet, holder: str, issued: IssuedCredential, *, challenge: str | None = None, claims: tuple[str, ...] = ("person_id",)) -> bytes:
    if challenge is None:
        challenge = net.chain.query("identity", "person_challenge", {"account": holder})["challenge"]
    vp = present(net.signer(holder), net.did(holder), [(issued, list(claims))], challenge=challenge, domain=DOMAIN,
                 created=iso_time(net.chain.head.time))
    return json.dumps(vp).encode()


def register(net: CredNet, account: str, vp: bytes) -> Any:
    return net.act("identity", "register_person", {"account": account, "presentation": vp}, account)


def refused(net: CredNet, account: str, vp: bytes, code: str, text: str = "") -> None:
    before = net.chain.query("identity", "persons_at", {"height": net.chain.height})
    receipt = register(net, account, vp)
    assert (receipt.status, receipt.error_code) == ("failed", code), receipt.error_message
    assert text in receipt.error_message
    assert net.chain.query("identity", "persons_at", {"height": net.chain.height}) == before
    assert net.chain.query("identity", "person", {"account": account}) is None


def test_a_person_registers_once_and_is_counted_from_that_height(net: CredNet) -> None:
    receipt = register(net, "alice", presentation(net, "alice", credential(net, "alice", "P-ada")))
    assert receipt.status == "executed", receipt.error_message
    record = net.chain.query("identity", "person", {"account": "alice"})
    assert record["issuer"] == "issuer" and record["since"] == receipt.height and len(record["person"]) == 64
    assert net.chain.query("identity", "person_power", {"account": "alice", "height": receipt.height}) == 1
    assert net.chain.query("identity", "person_power", {"account": "alice", "height": receipt.height - 1}) == 0
    assert net.chain.query("identity", "persons_at", {"height": receipt.height - 1}) == 0
    assert net.chain.query("identity", "persons_at", {"height": receipt.height}) == 1
    assert net.chain.query("identity", "person_challenge", {"account": "alice"}) == {"challenge": "alice/1", "domain": DOMAIN}
    again = register(net, "alice", presentation(net, "alice", credential(net, "alice", "P-ada")))
    assert again.error_code == "identity.already_person"


def test_one_person_cannot_hold_two_voting_accounts(net: CredNet) -> None:
    ada = credential(net, "alice", "P-ada")
    used = presentation(net, "alice", ada)
    assert register(net, "alice", used).status == "executed"
    # Ada's second account, with its own credential for the same person: refused.
    refused(net, "bob", presentation(net, "bob", credential(net, "bob", "P-ada", index=2)), "identity.person_taken", "alice")
    # Ada's presentation submitted by bob (holder alice, made for bob's challenge): refused.
    stolen = present(net.signer("alice"), net.did("alice"), [(ada, ["person_id"])], challenge="bob/0", domain=DOMAIN,
                     created=iso_time(net.chain.head.time))
    refused(net, "bob", json.dumps(stolen).encode(), "identity.invalid_credential", "is alice, not bob")
    # Once alice leaves, the person may move to bob; alice's old presentation cannot come back.
    assert net.act("identity", "leave_person", {"account": "alice"}, "alice").status == "executed"
    refused(net, "alice", used, "identity.invalid_credential", "credential.wrong_nonce")
    assert register(net, "bob", presentation(net, "bob", credential(net, "bob", "P-ada", index=2))).status == "executed"
    refused(net, "alice", presentation(net, "alice", ada), "identity.person_taken", "bob")
    # Another human (another person_id) registers fine.
    assert register(net, "alice", presentation(net, "alice", credential(net, "alice", "P-grace", index=3))).status == "executed"
    assert net.chain.query("identity", "persons_at", {"height": net.chain.height}) == 2


def test_hostile_presentations_change_nothing(net: CredNet) -> None:
    challenge = "alice/0"
    for vp, code, text in (
        (b"", "identity.invalid_credential", "credential.invalid_json"),
        (b"{not json", "identity.invalid_credential", "credential.invalid_json"),
        (b"[" * 10_000, "identity.invalid_credential", "credential.invalid_json"),
        (json.dumps({"type": ["VerifiablePresentation"]}).encode(), "identity.invalid_credential", "credential.malformed"),
        (presentation(net, "alice", credential(net, "alice", "P-ada"))[:-9], "identity.invalid_credential", "credential.invalid_json"),
        (presentation(net, "alice", credential(net, "alice", "P-ada"), challenge="alice/7"), "identity.invalid_credential", "wrong_nonce"),
        (presentation(net, "alice", credential(net, "alice", None), claims=("age_over_18",)), "identity.invalid_credential", "person_id"),
        (presentation(net, "alice", credential(net, "alice", "P-ada", issuer="rogue")), "identity.invalid_credential", "untrusted_issuer"),
        (presentation(net, "alice", credential(net, "alice", "P-ada", valid_until=iso_time(GENESIS_TIME_MS + 1000))), "identity.invalid_credential", "expired"),
        (presentation(net, "alice", credential(net, "alice", "x" * 300)), "identity.invalid_credential", "person_id must be"),
    ):
        refused(net, "alice", vp, code, text)
    assert challenge == net.chain.query("identity", "person_challenge", {"account": "alice"})["challenge"]
    with pytest.raises(TransactionRejectedError) as too_big:  # refused at admission, never in a block
        net.act("identity", "register_person", {"account": "alice", "presentation": b" " * (16 * 1024 + 1)}, "alice")
    assert too_big.value.code == "tx.invalid_data"
    other = net.act("identity", "register_person", {"account": "bob", "presentation": b"{}"}, "alice")
    assert other.error_code == "tx.missing_authorization"
    for name, data in (("leave_person", {"account": "alice"}), ("prune_person", {"account": "alice"})):
        assert net.act("identity", name, data, "alice").error_code == "identity.not_person"


def test_revocation_lets_anyone_prune_the_registration(net: CredNet) -> None:
    assert register(net, "alice", presentation(net, "alice", credential(net, "alice", "P-ada", index=5))).status == "executed"
    assert net.act("identity", "prune_person", {"account": "alice"}, "bob").error_code == "identity.still_valid"
    net.ok("identity", "set_status", {"issuer": "issuer", "list_id": "main", "index": 5, "revoked": 1}, "issuer")
    receipt = net.ok("identity", "prune_person", {"account": "alice"}, "bob")
    assert net.chain.query("identity", "person", {"account": "alice"}) is None
    assert net.chain.query("identity", "person_power", {"account": "alice", "height": receipt.height - 1}) == 1
    assert net.chain.query("identity", "person_power", {"account": "alice", "height": receipt.height}) == 0
    refused(net, "alice", presentation(net, "alice", credential(net, "alice", "P-ada", index=5)), "identity.invalid_credential", "revoked")


def _person_track(net: CredNet) -> None:
    track = {"name": "people", "deposit": 0, "voting_delay": 2, "voting_period": 8, "quorum_bps": 5000, "approval_bps": 5000,
             "veto_bps": 10000, "timelock": 1, "grace": 5, "strategy": "identity.person", "matches": "governance.set_parameter"}
    net.enact([{"plugin": "governance", "name": "set_track", "data": track}])


def test_the_person_strategy_counts_a_person_once_even_after_moving_accounts(net: CredNet) -> None:
    _person_track(net)
    assert register(net, "alice", presentation(net, "alice", credential(net, "alice", "P-ada"))).status == "executed"
    assert register(net, "bob", presentation(net, "bob", credential(net, "bob", "P-bob", index=2))).status == "executed"
    change = {"plugin": "governance", "name": "set_parameter", "data": {"plugin": "governance", "name": "max_options", "value": 3}}
    options = codec.encode([{"label": "yes", "actions": [change]}])
    receipt = net.ok("governance", "propose", {"proposer": "alice", "track": "people", "title": "t", "options": options}, "alice")
    pid = int(codec.decode([e for e in receipt.events if e.name == "proposed"][0].data)["id"])
    proposal = net.chain.query("governance", "proposal", {"id": pid})
    assert proposal["strategy"] == "identity.person"
    # Ada moves to the voter account after the snapshot: that account has no power on this proposal.
    net.ok("identity", "leave_person", {"account": "alice"}, "alice")
    net.ok("identity", "register_person", {"account": "voter", "presentation": presentation(net, "voter", credential(net, "voter", "P-ada", index=3))}, "voter")
    while net.chain.height < proposal["vote_start"] - 1:
        net.ledger.produce()
    vote = net.ok("governance", "vote", {"id": pid, "voter": "alice", "choice": 0}, "alice")
    assert codec.decode([e for e in vote.events if e.name == "voted"][0].data)["weight"] == 1
    no_power = net.act("governance", "vote", {"id": pid, "voter": "voter", "choice": 0}, "voter")
    assert no_power.error_code == "governance.no_power"
    assert net.act("governance", "vote", {"id": pid, "voter": "rogue", "choice": 0}, "rogue").error_code == "governance.no_power"
    tally = net.chain.query("governance", "proposal", {"id": pid})["tally"]
    assert tally["options"] == [1]
    while net.chain.height < proposal["vote_end"] + 1:
        net.ledger.produce()
    outcome = net.chain.query("governance", "proposal", {"id": pid})["outcome"]
    assert outcome["total"] == 2 and outcome["result"] == "approved"  # 1 of 2 persons: quorum 50 % met
