"""``tonomy identity ...``: the offline verification flow and the wallet's credentials.

Thin over :mod:`.reviewer`, :mod:`.service` and :mod:`tonomy.wallet.credentials`::

    tonomy identity verify submit  --dir R --keystore K --identity ID --did DID -e name=value ...
    tonomy identity verify review  --dir R
    tonomy identity verify approve --dir R SESSION --issuer DID --issuer-seed-file F [-a name=value ...]
    tonomy identity verify reject  --dir R SESSION --reason TEXT
    tonomy identity verify collect --dir R SESSION --keystore K --identity ID

The wallet side (listing and presenting the credentials) is ``tonomy wallet credentials``.
The wallet is unlocked with its PIN (``--pin`` or ``TONOMY_PIN``, else a prompt).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

DIR = click.option("--dir", "root", envvar="TONOMY_REVIEW_DIR", required=True, type=click.Path(path_type=Path),
                   help="The reviewer's private folder (TONOMY_REVIEW_DIR).")
KEYSTORE = click.option("--keystore", required=True, type=click.Path(path_type=Path), help="The wallet keystore folder.")
IDENTITY = click.option("--identity", "identity_id", required=True, help="The identity id in the keystore.")
PIN = click.option("--pin", envvar="TONOMY_PIN", prompt=True, hide_input=True, help="The wallet PIN (TONOMY_PIN).")


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not name=value")
        out[name] = value
    return out


def _unlock(keystore: Path, identity_id: str, pin: str) -> Any:
    from tonomy.wallet import Keystore

    store = Keystore(keystore)
    return store, store.unlock_with_pin(identity_id, pin)


def _now() -> str:
    from tonomy.wallet.presentation import iso_time

    return iso_time(int(time.time() * 1000))


@click.group(name="identity")
def identity_group() -> None:
    """Identity: verification of attributes."""


@identity_group.group(name="verify")
def verify_group() -> None:
    """Offline identity verification: a reviewer approves or rejects submitted evidence."""


@verify_group.command()
@DIR
@KEYSTORE
@IDENTITY
@PIN
@click.option("--did", required=True, help="The subject's DID (yours).")
@click.option("-e", "--evidence", multiple=True, required=True, help="name=value, repeatable.")
def submit(root: Path, keystore: Path, identity_id: str, pin: str, did: str, evidence: tuple[str, ...]) -> None:
    """Open a session and hand over evidence; prints the session id."""
    from tonomy_identity.credentials.reviewer import ReviewerVerifier

    _, unlocked = _unlock(keystore, identity_id, pin)
    with unlocked:
        holder_key = unlocked.x25519_public_key
    verifier = ReviewerVerifier(root)
    session = verifier.start(did, holder_key)
    verifier.submit(session.session_id, _pairs(evidence))
    click.echo(session.session_id)


@verify_group.command()
@DIR
def review(root: Path) -> None:
    """List pending sessions with their evidence (JSON)."""
    from tonomy_identity.credentials.reviewer import ReviewerVerifier

    click.echo(json.dumps(ReviewerVerifier(root).pending(), indent=2, ensure_ascii=False))


@verify_group.command()
@DIR
@click.argument("session_id")
@click.option("--issuer", "issuer_did", required=True, help="The issuing service's DID.")
@click.option("--issuer-seed-file", required=True, type=click.Path(exists=True, path_type=Path),
              help="File holding the issuer's 32-byte Ed25519 seed as hex.")
@click.option("--key-id", default="active-0", show_default=True, help="Verification method fragment of the issuer key.")
@click.option("-a", "--attribute", multiple=True, help="name=value to attest (default: the evidence as submitted).")
@click.option("--status-list", default="main", show_default=True, help="The issuer's revocation list id.")
@click.option("--status-size", default=131_072, show_default=True, help="Size of that list (bits).")
def approve(root: Path, session_id: str, issuer_did: str, issuer_seed_file: Path, key_id: str,
            attribute: tuple[str, ...], status_list: str, status_size: int) -> None:
    """Approve, issue the attributes as a credential, seal it to the subject's wallet."""
    from tonomy.wallet.vc import SeedSigner
    from tonomy_identity.credentials.reviewer import ReviewerVerifier
    from tonomy_identity.credentials.service import issue_from_decision, status_entry

    seed = bytes.fromhex(issuer_seed_file.read_text().strip())
    verifier = ReviewerVerifier(root)
    decision = verifier.approve(session_id, _pairs(attribute) if attribute else None)
    index = verifier.allocate_status_index(status_size)
    issued = issue_from_decision(decision, SeedSigner(f"{issuer_did}#{key_id}", seed), issuer_did,
                                 valid_from=_now(), status=status_entry(issuer_did, status_list, index))
    verifier.deliver(session_id, json.dumps(issued.to_dict()).encode())
    click.echo(json.dumps({"session": session_id, "state": "approved", "status_list": status_list, "status_index": index}))


@verify_group.command()
@DIR
@click.argument("session_id")
@click.option("--reason", required=True)
def reject(root: Path, session_id: str, reason: str) -> None:
    """Reject; the evidence is wiped."""
    from tonomy_identity.credentials.reviewer import ReviewerVerifier

    ReviewerVerifier(root).reject(session_id, reason)
    click.echo(json.dumps({"session": session_id, "state": "rejected"}))


@verify_group.command()
@DIR
@click.argument("session_id")
@KEYSTORE
@IDENTITY
@PIN
def collect(root: Path, session_id: str, keystore: Path, identity_id: str, pin: str) -> None:
    """Take the issued credential into the wallet (sealed there); prints its entry id."""
    from tonomy.wallet.credentials import CredentialStore
    from tonomy_identity.credentials.reviewer import ReviewerVerifier
    from tonomy_identity.credentials.service import accept_sealed

    verifier = ReviewerVerifier(root)
    decision = verifier.decision(session_id)
    if decision.state != "approved":
        raise click.ClickException(f"session {session_id} is {decision.state} {decision.reason}".strip())
    store, unlocked = _unlock(keystore, identity_id, pin)
    with unlocked:
        entry = accept_sealed(CredentialStore(store, unlocked), verifier.collect(session_id), unlocked.x25519_private_key())
    verifier.collected(session_id)
    click.echo(entry)
