"""The vault plugin: on-chain commitments and access grants for client-encrypted private data.

The chain holds what the client commits to (owner, record id, field, version, BLAKE3
content hash, size, key epoch) and the access grants (record keys wrapped to readers:
ciphertext). The encrypted blobs live off chain in each node's :class:`BlobStore`.
See README.md (the plugin's spec) and docs/vault.md.
"""

from __future__ import annotations

from tonomy.plugin import (
    ActionRegistrar,
    NodeServiceRegistrar,
    ActionSpec,
    ParameterRegistrar,
    ParameterSpec,
    PluginInfo,
    QueryRegistrar,
    QuerySpec,
    hookimpl,
)

from tonomy_vault import actions as a
from tonomy_vault.blobs import BlobPeer, BlobStore, blob_hash

NAME = "vault"
VERSION = "0.1.0"

__all__ = ["NAME", "VERSION", "BlobPeer", "BlobStore", "blob_hash"]


@hookimpl
def tonomy_plugin_info() -> PluginInfo:
    return PluginInfo(NAME, VERSION, 1, 1, "Private data: commitments and grants on chain, ciphertext blobs off chain")


@hookimpl
def tonomy_register_actions(register: ActionRegistrar) -> None:
    register(ActionSpec("put", a.put, a.PUT, description="Commit a new version of an encrypted field"))
    register(ActionSpec("delete", a.delete, a.DELETE, description="Tombstone a field; nodes drop its blob"))
    register(ActionSpec("grant", a.grant, a.GRANT, description="Store a record key wrapped to a reader"))
    register(ActionSpec("revoke", a.revoke, a.REVOKE, description="Remove a reader's grant"))
    register(ActionSpec("set_keyring", a.set_keyring, a.SET_KEYRING, description="Point at a new keyring blob"))


@hookimpl
def tonomy_register_queries(register: QueryRegistrar) -> None:
    register(QuerySpec("entry", a.q_entry, a.Q_ENTRY, description="One field's entry"))
    register(QuerySpec("fields", a.q_fields, a.Q_RECORD, description="Every field entry of a record"))
    register(QuerySpec("records", a.q_records, a.Q_OWNER, description="Record ids of an owner"))
    register(QuerySpec("grant", a.q_grant, a.Q_GRANT, description="One reader's grant"))
    register(QuerySpec("grants", a.q_grants, a.Q_RECORD, description="Every grant of a record"))
    register(QuerySpec("keyring", a.q_keyring, a.Q_OWNER, description="The owner's keyring pointer"))
    register(QuerySpec("usage", a.q_usage, a.Q_OWNER, description="Bytes the owner stores"))
    register(QuerySpec("referenced", a.q_referenced, a.Q_HASH, description="Whether any entry or keyring references a blob"))
    register(QuerySpec("referenced_blobs", a.q_referenced_blobs, a.Q_REFERENCED_BLOBS,
                       description="Referenced blob hashes, ascending, up to 256 after `after`"))


@hookimpl
def tonomy_register_parameters(register: ParameterRegistrar) -> None:
    register(
        ParameterSpec(
            "quota_bytes",
            int,
            a.DEFAULT_QUOTA_BYTES,
            "Most bytes of encrypted blobs (fields and keyring) one account may store in the vault.",
            0,
            1 << 40,
        )
    )


@hookimpl
def tonomy_node_services(register: NodeServiceRegistrar) -> None:
    from tonomy_vault.replication import BlobService

    register(BlobService())
