"""``tonomy wallet ...``: the client keystore from the command line, thin over :mod:`tonomy.wallet`.

    tonomy wallet create      --keystore K --username U --network HEX   (prints id and the passphrase ONCE)
    tonomy wallet list        --keystore K
    tonomy wallet unlock      --keystore K --identity ID                 (checks the PIN, shows public keys)
    tonomy wallet rotate      --keystore K --identity ID                 (new active key generation)
    tonomy wallet devices     --keystore K --identity ID
    tonomy wallet sessions    --keystore K --identity ID
    tonomy wallet credentials list    --keystore K --identity ID
    tonomy wallet credentials present --keystore K --identity ID --did DID --challenge N --domain D ENTRY CLAIM...

The PIN comes from ``--pin``, ``TONOMY_PIN`` or a hidden prompt; output is JSON. Nothing
secret is printed except the passphrase at creation, which is the user's recovery secret.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

KEYSTORE = click.option("--keystore", required=True, envvar="TONOMY_KEYSTORE", type=click.Path(path_type=Path),
                        help="The keystore folder (TONOMY_KEYSTORE).")
IDENTITY = click.option("--identity", "identity_id", required=True, help="The identity id (see `tonomy wallet list`).")
PIN = click.option("--pin", envvar="TONOMY_PIN", prompt=True, hide_input=True, help="The PIN (TONOMY_PIN).")


def _keystore(path: Path) -> Any:
    from tonomy.wallet import Keystore

    return Keystore(path)


def _echo(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, sort_keys=True))


@click.group("wallet")
def wallet_command() -> None:
    """Your identities on this device: create, unlock, rotate, devices, sessions, credentials."""


@wallet_command.command("create")
@KEYSTORE
@click.option("--username", required=True)
@click.option("--network", "network_hex", required=True, help="The network id (chain id), 64 hex characters.")
@click.option("--pin", envvar="TONOMY_PIN", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--floor-kdf", is_flag=True, help="Argon2id at the 64 MiB floor instead of the default (slow devices, tests).")
def wallet_create(keystore: Path, username: str, network_hex: str, pin: str, floor_kdf: bool) -> None:
    """Create an identity; prints its id, public keys and the passphrase (write it down)."""
    from tonomy.wallet import FLOOR, PASSPHRASE_DEFAULT, PIN_DEFAULT, generate_passphrase

    try:
        network = bytes.fromhex(network_hex)
    except ValueError:
        raise click.BadParameter("the network id is hex") from None
    passphrase = generate_passphrase()
    kdf, pin_kdf = (FLOOR, FLOOR) if floor_kdf else (PASSPHRASE_DEFAULT, PIN_DEFAULT)
    with _keystore(keystore).create_identity(username, network, passphrase, pin, kdf=kdf, pin_kdf=pin_kdf) as unlocked:
        _echo({"identity": unlocked.identity_id, "username": unlocked.username, "passphrase": passphrase,
               "owner_public_key": unlocked.owner_public_key.hex(), "active_public_key": unlocked.active_public_key.hex(),
               "x25519_public_key": unlocked.x25519_public_key.hex()})


@wallet_command.command("list")
@KEYSTORE
def wallet_list(keystore: Path) -> None:
    """Identities on this device (no unlocking needed; nothing secret)."""
    _echo([{"identity": s.identity_id, "username": s.username, "network": s.network_id.hex() if s.network_id else None,
            "active_generation": s.active_generation, "pin_set": s.has_device_key, "problem": s.problem}
           for s in _keystore(keystore).list_identities()])


@wallet_command.command("unlock")
@KEYSTORE
@IDENTITY
@PIN
def wallet_unlock(keystore: Path, identity_id: str, pin: str) -> None:
    """Check the PIN and show the identity's public keys."""
    with _keystore(keystore).unlock_with_pin(identity_id, pin) as unlocked:
        _echo({"identity": unlocked.identity_id, "username": unlocked.username,
               "owner_public_key": unlocked.owner_public_key.hex(), "active_public_key": unlocked.active_public_key.hex(),
               "active_generation": unlocked.active_generation})


@wallet_command.command("rotate")
@KEYSTORE
@IDENTITY
@PIN
def wallet_rotate(keystore: Path, identity_id: str, pin: str) -> None:
    """Start a new active key generation (then update the chain's active authority)."""
    store = _keystore(keystore)
    with store.unlock_with_pin(identity_id, pin) as unlocked:
        key = store.rotate_active_key(unlocked)
    _echo({"generation": key.generation, "active_public_key": key.public_key.hex()})


@wallet_command.command("devices")
@KEYSTORE
@IDENTITY
def wallet_devices(keystore: Path, identity_id: str) -> None:
    """Devices this identity knows (revoked ones included)."""
    _echo([{"device": d.device_id, "name": d.name, "added_at": d.added_at, "revoked_at": d.revoked_at}
           for d in _keystore(keystore).devices(identity_id, include_revoked=True)])


@wallet_command.command("sessions")
@KEYSTORE
@IDENTITY
def wallet_sessions(keystore: Path, identity_id: str) -> None:
    """App sessions this identity authorised (inactive ones included)."""
    _echo([{"session": s.session_id, "app": s.app, "scopes": list(s.scopes), "created_at": s.created_at,
            "expires_at": s.expires_at, "revoked_at": s.revoked_at}
           for s in _keystore(keystore).sessions(identity_id, include_inactive=True)])


@wallet_command.group("credentials")
def credentials_group() -> None:
    """Verifiable credentials kept (sealed) in the wallet."""


@credentials_group.command("list")
@KEYSTORE
@IDENTITY
@PIN
def credentials_list(keystore: Path, identity_id: str, pin: str) -> None:
    """Entry id, issuer, types and claim names (never the values)."""
    from tonomy.wallet.credentials import CredentialStore

    store = _keystore(keystore)
    with store.unlock_with_pin(identity_id, pin) as unlocked:
        rows = [{"id": c.entry_id, "issuer": c.issuer, "types": list(c.types), "claims": c.claim_names()}
                for c in CredentialStore(store, unlocked).list()]
    _echo(rows)


@credentials_group.command("present")
@KEYSTORE
@IDENTITY
@PIN
@click.option("--did", required=True, help="Your DID (the holder).")
@click.option("--challenge", required=True, help="The verifier's nonce.")
@click.option("--domain", required=True, help="The verifier's domain.")
@click.argument("entry_id")
@click.argument("claims", nargs=-1)
def credentials_present(keystore: Path, identity_id: str, pin: str, did: str, challenge: str, domain: str,
                        entry_id: str, claims: tuple[str, ...]) -> None:
    """Print a presentation of ENTRY revealing only CLAIMS, bound to one verifier."""
    from tonomy.wallet.credentials import CredentialStore, dumps
    from tonomy.wallet.presentation import iso_time

    store = _keystore(keystore)
    with store.unlock_with_pin(identity_id, pin) as unlocked:
        vp = CredentialStore(store, unlocked).present(did, [(entry_id, claims)], challenge=challenge, domain=domain,
                                                      created=iso_time(int(time.time() * 1000)))
    click.echo(dumps(vp))


__all__ = ["wallet_command"]
