"""Kept for existing imports: the node API client now lives in :mod:`tonomy.sdk`.

:class:`NodeClient` is the plain transport (it verifies state proofs against the
header the node sends); :class:`tonomy.sdk.Client` adds the trust anchor (chain id,
validator set, commit verification). Import from :mod:`tonomy.sdk` in new code.
"""

from tonomy.sdk.node_api import (
    BlockInfo,
    BlockTransactionIds,
    NodeClient,
    TransactionStatus,
    VerifiedState,
    decode_header,
    plugin_state_key,
    receipt_from_json,
)

__all__ = [
    "BlockInfo",
    "BlockTransactionIds",
    "NodeClient",
    "TransactionStatus",
    "VerifiedState",
    "decode_header",
    "plugin_state_key",
    "receipt_from_json",
]
