"""The JSON bodies of the node API, as pydantic models (they also make the OpenAPI spec).

Requests are strict (no "1" for 1, no extra fields); responses spell binary
fields as lowercase hex. See docs/node.md for the field meanings.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

_STRICT = ConfigDict(strict=True, extra="forbid")


class SubmitTransactionRequest(BaseModel):
    model_config = _STRICT

    transaction: str = Field(description="The signed transaction's canonical bytes, in `encoding`.")
    encoding: Literal["base64", "hex"] = "base64"


class SubmitTransactionResponse(BaseModel):
    id: str = Field(description="The transaction id (hex).")
    status: Literal["pending"] = "pending"


#: Transactions in one batch request at most (with the 1 MiB body limit, ~2 KB each).
MAX_BATCH_TRANSACTIONS = 500


class SubmitBatchRequest(BaseModel):
    model_config = _STRICT

    transactions: list[str] = Field(
        min_length=1,
        max_length=MAX_BATCH_TRANSACTIONS,
        description="Signed transactions' canonical bytes, in `encoding`; each is admitted or refused on its own.",
    )
    encoding: Literal["base64", "hex"] = "base64"


class BatchItemResult(BaseModel):
    id: str | None = Field(default=None, description="The transaction id (hex) when it was admitted.")
    status: Literal["pending", "refused"]
    problem: Problem | None = Field(default=None, description="Why it was refused (a problem document with a stable code).")


class SubmitBatchResponse(BaseModel):
    admitted: int = Field(description="How many of the transactions were admitted.")
    results: list[BatchItemResult] = Field(description="One result per transaction, in request order.")


class RefusedItem(BaseModel):
    index: int = Field(description="The position of the refused transaction in the request.")
    problem: Problem


class CompactBatchResponse(BaseModel):
    """The answer to a binary batch: no per-transaction object for the admitted ones."""

    admitted: int = Field(description="How many of the transactions were admitted.")
    ids: str = Field(
        pattern=r"^(?:[0-9a-f]{64})*$",
        description="The 32-byte ids of the admitted transactions, in request order, concatenated (hex).",
    )
    refused: list[RefusedItem] = Field(description="The refused transactions by index, ascending.")


class BatchAnswer(RootModel[SubmitBatchResponse | CompactBatchResponse]):
    """One result per transaction (JSON request) or the compact form (binary request)."""


class BlockTransactionIds(BaseModel):
    height: int
    transaction_ids: str = Field(
        pattern=r"^(?:[0-9a-f]{64})*$", description="The block's transaction ids in block order, concatenated (hex)."
    )


class CommittedTransactionIds(BaseModel):
    head: int = Field(description="The height of this node's latest committed block.")
    blocks: list[BlockTransactionIds] = Field(description="Consecutive committed blocks from the height asked for.")


class TransactionStatus(BaseModel):
    id: str
    status: Literal["committed", "pending"]
    height: int | None = Field(default=None, description="The height of the block that committed it.")
    receipt: Any | None = Field(default=None, description="The receipt (events, result) once committed.")


class HeaderView(BaseModel):
    height: int
    hash: str
    time: int = Field(description="Block time, Unix milliseconds, chosen by the proposer.")
    chain_id: str
    previous_hash: str
    transaction_root: str
    state_root: str
    proposer: str
    validator_set_hash: str
    round: int
    last_commit_hash: str
    encoded: str = Field(description="The canonical header bytes (hex): hash them to check `hash`.")


class BlockView(BaseModel):
    header: HeaderView
    transactions: list[str] = Field(description="Transaction ids, in block order.")


class CommitView(BaseModel):
    height: int
    block_hash: str = Field(description="The hash of the block these precommits finalize (hex).")
    commit: str = Field(description="The commit's canonical bytes (hex): precommit votes, sorted by validator.")


class GenesisView(BaseModel):
    chain_id: str = Field(description="The chain id (hex): the hash of the genesis record's canonical encoding.")
    genesis: dict[str, Any] = Field(description="The genesis record, as in the network's genesis JSON.")


class StateView(BaseModel):
    plugin: str
    key: str = Field(description="The key inside the plugin's namespace (hex).")
    value: str | None = Field(description="The value (hex), or null when the key is absent.")
    proof: str = Field(description="Inclusion or exclusion proof (hex) against `header.state_root`.")
    header: HeaderView


class QueryResponse(BaseModel):
    result: Any


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    height: int
    head_time: int
    chain_id: str
    pending: int = Field(description="Transactions this node admitted that have not committed yet.")
    producing: bool = Field(description="Whether this node produces blocks (it has a validator key).")


class Problem(BaseModel):
    """An RFC 9457 problem document; `code` is stable, `detail` is for people."""

    type: str
    title: str
    status: int
    code: str
    detail: str


EVENT_STREAM_EXAMPLE = (
    'id: 12:0\nevent: chain\ndata: {"id":"12:0","height":12,"index":0,"tx_id":"9f…","tx_index":0,'
    '"plugin":"pay","name":"transfer","data":{"$bytes":"…"}}\n\n: heartbeat\n\n'
)


class WebPageLink(BaseModel):
    app: str = Field(description="The plugin (or `explorer`, the host) the page belongs to.")
    url: str
    title: str
    nav_label: str


class WebPages(BaseModel):
    pages: list[WebPageLink]


class WalletAccounts(BaseModel):
    devnet_only: Literal[True] = True
    accounts: list[str] = Field(description="Demo accounts whose keys this node holds (devnet only).")


class WalletActionRequest(BaseModel):
    model_config = _STRICT

    account: str = Field(description="The demo account that signs (`account@active`).")
    plugin: str
    name: str
    data: dict[str, Any] = Field(description="The action's data; bytes as `{\"$bytes\": hex}`.")


class UnsignedAction(BaseModel):
    model_config = _STRICT

    plugin: str
    name: str
    authorization: list[str] = Field(min_length=1, max_length=8, description="`account@permission` entries.")
    data: dict[str, Any] = Field(description="The action's data; bytes as `{\"$bytes\": hex}`.")


class UnsignedTransactionRequest(BaseModel):
    model_config = _STRICT

    actions: list[UnsignedAction] = Field(min_length=1, max_length=16)
    expires_in_s: int = Field(default=120, ge=10, le=3600, description="Seconds after the head block's time.")
    nonce: int = Field(default=0, ge=0, le=(1 << 64) - 1, description="Makes otherwise identical transactions distinct.")


class UnsignedTransaction(BaseModel):
    body: str = Field(description="The canonical transaction body (hex), TAPOS from the node's head.")
    id: str = Field(description="The transaction id (hex): what each signer signs with Ed25519.")
    chain_id: str
    expiration: int = Field(description="Unix seconds.")


class EncodeRequest(BaseModel):
    model_config = _STRICT
    value: Any = Field(description="A JSON value; bytes as {\"$bytes\": \"<hex>\"}, no floats.")


class EncodedValue(BaseModel):
    encoded: str = Field(description="The value in the canonical record codec (hex).")


class SignatureIn(BaseModel):
    model_config = _STRICT

    public_key: str = Field(description="Ed25519 public key (32 bytes, hex).")
    signature: str = Field(description="Ed25519 signature of the transaction id (64 bytes, hex).")


class SignedTransactionRequest(BaseModel):
    model_config = _STRICT

    body: str = Field(description="The canonical body (hex), as `/v1/transactions/unsigned` gave it.")
    signatures: list[SignatureIn] = Field(min_length=1, max_length=16)


__all__ = [
    "EVENT_STREAM_EXAMPLE",
    "SignatureIn",
    "SignedTransactionRequest",
    "UnsignedAction",
    "UnsignedTransaction",
    "UnsignedTransactionRequest",
    "WalletAccounts",
    "WalletActionRequest",
    "WebPageLink",
    "WebPages",
    "BlockView",
    "CommitView",
    "GenesisView",
    "HeaderView",
    "Health",
    "Problem",
    "QueryResponse",
    "StateView",
    "BatchAnswer",
    "BatchItemResult",
    "BlockTransactionIds",
    "CommittedTransactionIds",
    "CompactBatchResponse",
    "RefusedItem",
    "MAX_BATCH_TRANSACTIONS",
    "SubmitBatchRequest",
    "SubmitBatchResponse",
    "SubmitTransactionRequest",
    "SubmitTransactionResponse",
    "TransactionStatus",
]


BatchItemResult.model_rebuild()
SubmitBatchResponse.model_rebuild()
RefusedItem.model_rebuild()
CompactBatchResponse.model_rebuild()
BatchAnswer.model_rebuild()
