"""One verified person, one vote: accounts registered as persons by a credential, and the
voting strategy ``identity.person`` that counts each person once.

What makes a person unique is not an account nor a DID (anyone may hold several of
both) but what a trusted issuer verified: its credential carries a selectively
disclosable claim ``person_id``, the issuer's stable identifier of the human it checked
(a pseudonym it derives from the evidence, the same in every credential it issues to that
person). The chain keys a person by ``hash(issuer account, person_id)``, so:

* ``register_person {account, presentation}`` verifies, ON CHAIN, a VC 2.0 presentation
  (``tonomy.wallet.presentation.verify_presentation``) made by the account's own DID
  (``did:tonomy:<network>:<account>``, its ``active`` keys read from state) for the
  challenge ``person_challenge`` gives (``<account>/<registrations so far>``, domain
  ``tonomy:identity:person``): issuer accredited by governance (``trusted_issuers``), issuer
  proof, validity at the block's time, revocation bit, disclosures, holder = subject, and
  the disclosed ``person_id``. One account per person at any time: a second account of
  the same person is refused (``identity.person_taken``) until the first one leaves.
* ``leave_person {account}`` ends the account's registration; ``prune_person {account}``
  (anyone) ends it once the credential is revoked, expired or its issuer no longer trusted.

Registrations are kept as height intervals ``[since, until)``, so the strategy reads who
was a person *at the proposal's snapshot height*: an account registered later, or a
person who moved to another account after the snapshot, adds nothing. Per height the
intervals of one person never overlap, so a person has at most one vote per proposal.

Limit: two issuers that verify the same human give two different ``person_id``
namespaces; governance should accredit for personhood issuers that share one derivation
(or a single one). See the README.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import VotingPower, VotingStrategySpec, decode_record, hash_tagged

from tonomy_identity.credentials import issuers, status
from tonomy_identity.did import parse_did
from tonomy_identity.errors import NotFoundError
from tonomy_identity.schemas import Shape, account, integer, raw

PERSON_CLAIM = "person_id"
DOMAIN = "tonomy:identity:person"
PERSON_TAG = "tonomy/identity/person/v1"
MAX_PRESENTATION = 16 * 1024  # action data is at most 64 KiB encoded
MAX_HEIGHT = 2**63 - 1

REGISTER_SCHEMA = Shape({"account": account(), "presentation": raw(maximum=MAX_PRESENTATION)})
ACCOUNT_SCHEMA = Shape({"account": account()})
AT_SCHEMA = Shape({"account": account(), "height": integer(0, MAX_HEIGHT)})
HEIGHT_SCHEMA = Shape({"height": integer(0, MAX_HEIGHT)})


def _n(value: int) -> str:
    return f"{value:020d}"


def person_key(person: str) -> bytes:
    return f"person/{person}".encode()


def registration_key(name: str) -> bytes:
    return f"personof/{name}".encode()


def spans_prefix(name: str) -> bytes:
    return f"pspan/{name}/".encode()


def span_key(name: str, since: int) -> bytes:
    return spans_prefix(name) + _n(since).encode()


def sequence_key(name: str) -> bytes:
    return f"pseq/{name}".encode()


COUNT_PREFIX = b"pcount/"


def count_key(height: int) -> bytes:
    """Checkpoints of the number of persons, newest first (inverted heights sort ascending)."""
    return COUNT_PREFIX + _n(MAX_HEIGHT - height).encode()


def _prefix_end(prefix: bytes) -> bytes:
    return prefix[:-1] + bytes([prefix[-1] + 1])


# -- the chain as a verifier sees it ---------------------------------------------------------


class HandlerTrust:
    """:class:`tonomy.wallet.presentation.Trust` over a handler's context: state, not proofs."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    @staticmethod
    def account_of(did: str) -> str:
        return parse_did(did).account

    def keys_of(self, did: str, relationship: str) -> list[bytes]:
        found = self.ctx.query("tonomy", "account", {"name": self.account_of(did)})
        if found is None:
            raise NotFoundError(f"no account behind {did[:140]!r}")
        for permission in found["permissions"]:
            if permission["name"] == "active":  # the DID document's authentication and assertionMethod keys
                return [entry["key"] for entry in permission["authority"]["keys"]]
        return []

    def is_trusted_issuer(self, did: str) -> bool:
        return self.account_of(did) in issuers.parse(self.ctx.parameter(issuers.PARAMETER))

    def is_revoked(self, issuer: str, list_id: str, index: int) -> bool:
        record = self.ctx.state.get_record(status.status_key(self.account_of(issuer), list_id))
        return status.revoked(record, issuer, list_id, index)


def challenge_for(ctx: Any, name: str) -> str:
    return f"{name}/{ctx.state.get_record(sequence_key(name)) or 0}"


def _now(ctx: Any) -> str:
    from tonomy.wallet.presentation import iso_time

    return iso_time(ctx.time_ms)


# -- actions -----------------------------------------------------------------------------------


def register_person(ctx: Any, data: Any) -> None:
    from tonomy.errors import TonomyError
    from tonomy.wallet.presentation import verify_presentation

    name = data["account"]
    ctx.require_auth(name)
    if ctx.state.get(registration_key(name)) is not None:
        ctx.fail("already_person", f"{name} is registered as a person already")
    trust = HandlerTrust(ctx)
    try:
        verified = verify_presentation(data["presentation"], trust, challenge=challenge_for(ctx, name), domain=DOMAIN, now=_now(ctx))
    except TonomyError as exc:
        ctx.fail("invalid_credential", f"the presentation is refused: [{exc.code}] {exc.message}")
    chosen = [item for item in verified if PERSON_CLAIM in item.claims]
    if len(chosen) != 1:
        ctx.fail("invalid_credential", f"present exactly one credential disclosing {PERSON_CLAIM!r}")
    credential = chosen[0]
    holder = trust.account_of(credential.subject)
    if holder != name:
        ctx.fail("invalid_credential", f"the credential's subject is {holder}, not {name}")
    person_id = credential.claims[PERSON_CLAIM]
    if type(person_id) is not str or not 0 < len(person_id) <= 256:
        ctx.fail("invalid_credential", f"{PERSON_CLAIM} must be a string of 1 to 256 characters")
    issuer = trust.account_of(credential.issuer)
    person = hash_tagged(PERSON_TAG, issuer.encode() + b"\x00" + person_id.encode()).hex()
    holder_of_person = ctx.state.get_record(person_key(person))
    if holder_of_person is not None:
        ctx.fail("person_taken", f"this person votes through the account {holder_of_person['account']} already; it must leave first")
    ctx.state.put_record(sequence_key(name), (ctx.state.get_record(sequence_key(name)) or 0) + 1)
    ctx.state.put_record(person_key(person), {"account": name})
    ctx.state.put_record(
        registration_key(name),
        {"person": person, "issuer": issuer, "since": ctx.height, "credential": _credential_ref(data["presentation"], credential.issuer)},
    )
    ctx.state.put_record(span_key(name, ctx.height), {"until": None})
    _add_to_count(ctx, +1)
    ctx.emit("person_registered", {"account": name, "person": person, "issuer": issuer})


def _credential_ref(presentation: bytes, issuer_did: str) -> dict[str, Any]:
    """What ``prune_person`` re-checks later: the status entry and the end of validity."""
    from tonomy.wallet import jcs

    document = jcs.parse(presentation)
    for credential in document["verifiableCredential"]:
        if credential.get("issuer") == issuer_did:
            entry = credential.get("credentialStatus") or {}
            list_id = str(entry.get("statusListCredential", ""))
            prefix = f"{issuer_did}/status/"
            return {
                "list_id": list_id[len(prefix):] if list_id.startswith(prefix) else None,
                "index": int(entry["statusListIndex"]) if "statusListIndex" in entry else None,
                "valid_until": credential.get("validUntil"),
            }
    return {"list_id": None, "index": None, "valid_until": None}


def leave_person(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["account"])
    _close(ctx, data["account"], "left")


def prune_person(ctx: Any, data: Any) -> None:
    """Anyone: end a registration whose credential no longer holds."""
    name = data["account"]
    record = _registration(ctx, name)
    ref = record["credential"]
    reasons = []
    if record["issuer"] not in issuers.parse(ctx.parameter(issuers.PARAMETER)):
        reasons.append("issuer no longer trusted")
    if ref["valid_until"] is not None and ref["valid_until"] <= _now(ctx):
        reasons.append("credential expired")
    if ref["list_id"] is not None and ref["index"] is not None:
        stored = ctx.state.get_record(status.status_key(record["issuer"], ref["list_id"]))
        if stored is not None and ref["index"] < stored["size"] and status.bit(stored, ref["index"]):
            reasons.append("credential revoked")
    if not reasons:
        ctx.fail("still_valid", f"the credential of {name} is still valid")
    _close(ctx, name, ", ".join(reasons))


def _registration(ctx: Any, name: str) -> dict[str, Any]:
    record = ctx.state.get_record(registration_key(name))
    if record is None:
        ctx.fail("not_person", f"{name} is not registered as a person")
    return dict(record)


def _close(ctx: Any, name: str, reason: str) -> None:
    record = _registration(ctx, name)
    ctx.state.delete(person_key(record["person"]))
    ctx.state.delete(registration_key(name))
    if record["since"] == ctx.height:  # registered and left in one block: it never counted
        ctx.state.delete(span_key(name, record["since"]))
    else:
        ctx.state.put_record(span_key(name, record["since"]), {"until": ctx.height})
    _add_to_count(ctx, -1)
    ctx.emit("person_left", {"account": name, "person": record["person"], "reason": reason})


def _add_to_count(ctx: Any, delta: int) -> None:
    ctx.state.put_record(count_key(ctx.height), persons_at(ctx, ctx.height) + delta)


# -- reading, at a height -------------------------------------------------------------------------


def persons_at(ctx: Any, height: int) -> int:
    """Persons registered at the end of block ``height``."""
    for _, raw_value in ctx.state.items(count_key(height), _prefix_end(COUNT_PREFIX)):
        return int(decode_record(raw_value))
    return 0


def is_person_at(ctx: Any, name: str, height: int) -> bool:
    prefix = spans_prefix(name)
    for key, raw_value in ctx.state.items(prefix, _prefix_end(prefix)):
        since = int(key[len(prefix):])
        if since > height:
            break
        until = decode_record(raw_value)["until"]
        if until is None or until > height:
            return True
    return False


def query_person(ctx: Any, params: Any) -> dict[str, Any] | None:
    record = ctx.state.get_record(registration_key(params["account"]))
    return None if record is None else {"account": params["account"], **dict(record)}


def query_person_challenge(ctx: Any, params: Any) -> dict[str, str]:
    """What the account's next presentation must be made for."""
    return {"challenge": challenge_for(ctx, params["account"]), "domain": DOMAIN}


def query_person_power(ctx: Any, params: Any) -> int:
    return 1 if is_person_at(ctx, params["account"], params["height"]) else 0


def query_persons_at(ctx: Any, params: Any) -> int:
    return persons_at(ctx, params["height"])


# -- the voting strategy ``identity.person`` ---------------------------------------------------


def _person_power(ctx: Any, name: str, snapshot: Any) -> VotingPower:
    one = 1 if ctx.query("identity", "person_power", {"account": name, "height": snapshot["height"]}) == 1 else 0
    return VotingPower(one, one)


def _person_total(ctx: Any, snapshot: Any) -> int:
    value = ctx.query("identity", "persons_at", {"height": snapshot["height"]})
    return value if type(value) is int and value > 0 else 0


PERSON_STRATEGY = VotingStrategySpec(
    "person",
    _person_power,
    _person_total,
    "One vote per verified person (a trusted issuer's credential with a person_id), counted once across accounts, at the snapshot.",
    ("height",),
)
