"""``tonomy msg ...``: send, list, read and track end-to-end encrypted messages.

::

    tonomy msg send     --node URL --keystore K --identity ID --to bob "text"
    tonomy msg inbox    --node URL --keystore K --identity ID      (lists, leaves mail on the node)
    tonomy msg read     --node URL --keystore K --identity ID      (prints, sends receipts, deletes)
    tonomy msg receipts --node URL --keystore K --identity ID      (delivery receipts for sent mail)

Keys come from the wallet (unlocked with ``--pin`` or ``TONOMY_PIN``): the active key
signs, the X25519 key opens. Recipients' keys come from their DID documents, proven
against the node's latest header, which ``tonomy.sdk.Client`` verifies by its commit
(more than two thirds of the validator set of the chain pinned by ``--chain-id``). The client's memory of read and sent
messages is kept in ``--state`` (default: beside the keystore).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

NODE = click.option("--node", envvar="TONOMY_NODE", default="http://127.0.0.1:8080", show_default=True, help="Node API URL.")
KEYSTORE = click.option("--keystore", required=True, type=click.Path(path_type=Path), help="The wallet keystore folder.")
IDENTITY = click.option("--identity", "identity_id", required=True, help="The identity id in the keystore.")
PIN = click.option("--pin", envvar="TONOMY_PIN", prompt=True, hide_input=True, help="The wallet PIN (TONOMY_PIN).")
ACCOUNT = click.option("--account", default=None, help="The account (default: the identity's username).")
NETWORK = click.option("--network", default="testnet", show_default=True, help="The DID network name.")
CHAIN_ID = click.option("--chain-id", envvar="TONOMY_CHAIN_ID", default=None,
                        help="Pin the network (hex); without it the node's genesis is trusted on first use.")
STATE = click.option("--state", type=click.Path(path_type=Path), default=None, help="The client's message memory file.")


@contextmanager
def mail_client(node: str, keystore: Path, identity_id: str, pin: str, account: str | None, network: str,
                state: Path | None, chain_id: str | None = None) -> Iterator[Any]:  # fmt: skip
    from tonomy.sdk import Client
    from tonomy.wallet import Keystore
    from tonomy.wallet.derivation import active_seed

    from tonomy_msg.client import MailClient
    from tonomy_msg.directory import ProvenDirectory

    store = Keystore(keystore)
    unlocked = store.unlock_with_pin(identity_id, pin)
    with Client.connect(node, chain_id=chain_id) as client, unlocked:
        name = account or unlocked.username
        root = unlocked.root_seed_for_sealing()
        directory = ProvenDirectory(client, client.head, network)  # headers verified by their commits
        path = state or keystore / f"msg-{name}.json"
        yield MailClient(client, name, active_seed(root, unlocked.active_generation),
                         bytes(unlocked.x25519_private_key()), directory, path)


def with_mail(command: Callable[..., Any]) -> Callable[..., Any]:
    """The wallet and node options every ``tonomy msg`` command takes; the command gets a
    ready ``MailClient`` as ``mail``, and a failure prints its stable code."""

    @functools.wraps(command)
    def run(node: str, keystore: Path, identity_id: str, pin: str, account: str | None, network: str,
            state: Path | None, chain_id: str | None, **kwargs: Any) -> None:  # fmt: skip
        from tonomy.errors import TonomyError

        try:
            with mail_client(node, keystore, identity_id, pin, account, network, state, chain_id) as mail:
                output = command(mail=mail, **kwargs)
        except TonomyError as exc:
            raise click.ClickException(f"{exc.code}: {exc.message}") from None
        click.echo(json.dumps(output, indent=2, sort_keys=True))

    for option in (CHAIN_ID, STATE, NETWORK, ACCOUNT, PIN, IDENTITY, KEYSTORE, NODE):
        run = option(run)
    return run


@click.group(name="msg")
def msg_group() -> None:
    """Messages: end-to-end encrypted, between identities, through node mailboxes."""


@msg_group.command()
@click.option("--to", "recipient", required=True, help="The recipient's account.")
@click.option("--ttl-days", default=7, show_default=True, type=click.IntRange(1, 14))
@click.argument("text")
@with_mail
def send(mail: Any, recipient: str, ttl_days: int, text: str) -> dict[str, Any]:
    """Seal TEXT to the recipient's key and post it."""
    message_id = mail.send(recipient, text.encode(), ttl_ms=ttl_days * 86_400_000)
    return {"id": message_id.hex(), "to": recipient}


def _listing(inbox: Any, with_body: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in inbox.messages:
        item = {"id": m.header.message_id.hex(), "from": m.header.sender, "created_ms": m.header.created_ms}
        if with_body:
            item["text"] = m.body.decode("utf-8", errors="replace")
        out.append(item)
    out += [{"id": r.listed_id, "rejected": r.code, "detail": r.detail} for r in inbox.rejected]
    return out


@msg_group.command()
@with_mail
def inbox(mail: Any) -> list[dict[str, Any]]:
    """List waiting messages (checked, not acknowledged)."""
    return _listing(mail.inbox(), with_body=False)


@msg_group.command()
@with_mail
def read(mail: Any) -> list[dict[str, Any]]:
    """Print waiting messages, send delivery receipts, and have the nodes delete them."""
    box = mail.inbox()
    mail.acknowledge(box.messages)
    return _listing(box, with_body=True)


@msg_group.command()
@with_mail
def receipts(mail: Any) -> dict[str, Any]:
    """Collect delivery receipts for messages sent from this identity."""
    mail.receipts()
    return mail.delivered()  # type: ignore[no-any-return]
