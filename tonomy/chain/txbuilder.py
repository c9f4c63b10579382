"""Build and sign transactions: what wallets, the SDK, the CLI and tests use.

    raw = build_transaction(
        chain_id, chain.head,
        [action("pay", "transfer", {"from": "alice", "to": "bob", "amount": 5}, ["alice@active"])],
        [alice_seed],
    )
    chain.submit(raw)

Action data is encoded with the canonical codec. TAPOS points at ``head`` (its height's
low 32 bits and the first 8 bytes of its hash), and the transaction expires
``expires_in_s`` seconds after the head's time. Each seed signs the transaction id
(``hash_with("tonomy/tx/v1", chain_id ‖ body)``) with Ed25519.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tonomy import _core
from tonomy.chain import codec
from tonomy.chain.authority import PermissionLevel
from tonomy.errors import InvalidInputError

DEFAULT_EXPIRES_IN_S = 60


def _level(level: str | PermissionLevel | _core.PermissionLevel) -> _core.PermissionLevel:
    if isinstance(level, _core.PermissionLevel):
        return level
    if isinstance(level, str):
        level = PermissionLevel.parse(level)
    if not isinstance(level, PermissionLevel):
        raise InvalidInputError(f"an authorization is 'account@permission', got {type(level).__name__}")
    return _core.PermissionLevel(level.actor, level.permission)


def action(
    plugin: str,
    name: str,
    data: Mapping[str, Any],
    authorization: Sequence[str | PermissionLevel | _core.PermissionLevel],
) -> _core.Action:
    """One action; ``authorization`` entries are ``"account@permission"`` strings or levels."""
    return _core.Action(plugin, name, [_level(level) for level in authorization], codec.encode(dict(data)))


def build_body(
    chain_id: bytes,
    head: _core.BlockHeader,
    actions: Sequence[_core.Action],
    *,
    expires_in_s: int = DEFAULT_EXPIRES_IN_S,
    nonce: int = 0,
    max_ops: int = 0,
    expiration: int | None = None,
) -> _core.TransactionBody:
    """The unsigned body, with TAPOS from ``head``."""
    if expiration is None:
        expiration = head.time // 1000 + expires_in_s
    return _core.TransactionBody(
        chain_id,
        expiration,
        head.height & 0xFFFF_FFFF,
        head.hash[:8],
        list(actions),
        max_ops=max_ops,
        nonce=nonce,
    )


def sign(body: _core.TransactionBody, seeds: Sequence[bytes]) -> _core.SignedTransaction:
    """Sign ``body`` with every 32-byte Ed25519 seed in ``seeds``."""
    if not seeds:
        raise InvalidInputError("a transaction needs at least one signature")
    digest = _core.transaction_id(body.chain_id, _core.encode_transaction_body(body))
    signatures = [_core.TransactionSignature(_core.ed25519_public_key(seed), _core.ed25519_sign(seed, digest)) for seed in seeds]
    return _core.SignedTransaction(body, signatures)


def build_transaction(
    chain_id: bytes,
    head: _core.BlockHeader,
    actions: Sequence[_core.Action],
    seeds: Sequence[bytes],
    *,
    expires_in_s: int = DEFAULT_EXPIRES_IN_S,
    nonce: int = 0,
    max_ops: int = 0,
    expiration: int | None = None,
) -> bytes:
    """Build, sign and encode a transaction: the bytes ``Chain.submit`` takes."""
    body = build_body(chain_id, head, actions, expires_in_s=expires_in_s, nonce=nonce, max_ops=max_ops, expiration=expiration)
    return _core.encode_signed_transaction(sign(body, seeds))
