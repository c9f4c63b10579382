"""The messaging plugin: end-to-end encrypted messages between identities.

Clients seal messages to the recipient's key-agreement key (from its proven DID
document) and sign them with the sender's DID key; nodes keep them in a
store-and-forward mailbox (node-local, relayed to peers) until the recipient fetches
them with a signed request and acknowledges them with a signed delivery receipt.
See docs/messaging.md.
"""

from __future__ import annotations

from typing import Any

from tonomy.plugin import NodeServiceRegistrar, PluginInfo, hookimpl

NAME = "msg"
VERSION = "0.1.0"


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(NAME, VERSION, 1, 1, "Messaging: sealed messages between DIDs, node mailboxes, delivery receipts")


@hookimpl
def tonomy_node_services(register: NodeServiceRegistrar) -> None:
    from tonomy_msg.service import MailService

    register(MailService())


@hookimpl
def tonomy_register_cli_commands(register: Any) -> None:
    from tonomy_msg.cli import msg_group

    register(msg_group)
