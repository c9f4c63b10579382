//! Bindings for `crate::wire`: frozen value classes with typed getters, and
//! decode/encode/digest functions that always use the protocol limits.
//!
//! Constructors check types and fixed sizes (`InvalidInputError`); the protocol
//! rules (names, counts, commit order) are checked by the encoders, except that
//! `SignedTransaction(...)` encodes its body at once. Decoding raises
//! `MalformedError`/`TooLargeError` and runs without the GIL for large input.

use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBytes, PyTuple};

use super::errors::MapPy;
use super::gil;
use super::wire_vote::{PyCommit, PyVote};
use crate::wire::{self, Limits};
use crate::{CoreError, CoreResult};

const LIMITS: &Limits = &Limits::PROTOCOL;

/// Input above this size is decoded (or encoded) without the GIL.
const RELEASE_GIL_ABOVE: usize = 64 * 1024;

/// Run `work`, without the GIL when `large`; a panic becomes `InternalError`.
fn run<T: Send>(
    py: Python<'_>,
    large: bool,
    work: impl FnOnce() -> CoreResult<T> + Send,
) -> PyResult<T> {
    if large {
        gil::released(py, work).map_py()
    } else {
        gil::guarded(work).map_py()
    }
}

pub(super) fn array<const N: usize>(what: &str, bytes: &[u8]) -> PyResult<[u8; N]> {
    <[u8; N]>::try_from(bytes)
        .map_err(|_| {
            CoreError::InvalidInput(format!(
                "{what} must be exactly {N} bytes, got {}",
                bytes.len()
            ))
        })
        .map_py()
}

pub(super) fn short_hex(bytes: &[u8]) -> String {
    let full: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if full.len() > 16 {
        format!("{}…", &full[..16])
    } else {
        full
    }
}

pub(super) fn tuple_of<'py, T, W>(
    py: Python<'py>,
    items: &[T],
    wrap: impl Fn(T) -> W,
) -> PyResult<Bound<'py, PyTuple>>
where
    T: Clone,
    W: pyo3::PyClass + Into<pyo3::PyClassInitializer<W>>,
{
    let objects = items
        .iter()
        .map(|item| Bound::new(py, wrap(item.clone())))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, objects)
}

// --- transaction -------------------------------------------------------------------

/// One ``actor@permission`` authorizing an action.
#[pyclass(frozen, eq, name = "PermissionLevel", module = "tonomy._core")]
#[derive(Clone, PartialEq)]
pub struct PyPermissionLevel(wire::PermissionLevel);

#[pymethods]
impl PyPermissionLevel {
    #[new]
    fn new(actor: String, permission: String) -> Self {
        PyPermissionLevel(wire::PermissionLevel { actor, permission })
    }
    #[getter]
    fn actor(&self) -> &str {
        &self.0.actor
    }
    #[getter]
    fn permission(&self) -> &str {
        &self.0.permission
    }
    fn __repr__(&self) -> String {
        format!(
            "PermissionLevel({:?}, {:?})",
            self.0.actor, self.0.permission
        )
    }
}

/// One call of a plugin's action.
#[pyclass(frozen, eq, name = "Action", module = "tonomy._core")]
#[derive(Clone, PartialEq)]
pub struct PyAction(wire::Action);

#[pymethods]
impl PyAction {
    #[new]
    #[pyo3(signature = (plugin, name, authorization, data = b"".as_slice()))]
    fn new(
        plugin: String,
        name: String,
        authorization: Vec<Bound<'_, PyPermissionLevel>>,
        data: &[u8],
    ) -> Self {
        PyAction(wire::Action {
            plugin,
            name,
            authorization: authorization.iter().map(|l| l.get().0.clone()).collect(),
            data: data.to_vec(),
        })
    }
    #[getter]
    fn plugin(&self) -> &str {
        &self.0.plugin
    }
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    #[getter]
    fn authorization<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple_of(py, &self.0.authorization, PyPermissionLevel)
    }
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.data)
    }
    fn __repr__(&self) -> String {
        format!(
            "Action({}.{}, {} bytes)",
            self.0.plugin,
            self.0.name,
            self.0.data.len()
        )
    }
}

/// What the signers sign (through ``transaction_id``).
#[pyclass(frozen, eq, name = "TransactionBody", module = "tonomy._core")]
#[derive(Clone, PartialEq)]
pub struct PyTransactionBody(wire::TransactionBody);

#[pymethods]
impl PyTransactionBody {
    #[new]
    #[pyo3(signature = (chain_id, expiration, ref_block_num, ref_block_prefix, actions, max_ops = 0, nonce = 0))]
    fn new(
        chain_id: &[u8],
        expiration: u64,
        ref_block_num: u32,
        ref_block_prefix: &[u8],
        actions: Vec<Bound<'_, PyAction>>,
        max_ops: u64,
        nonce: u64,
    ) -> PyResult<Self> {
        Ok(PyTransactionBody(wire::TransactionBody {
            chain_id: array("chain_id", chain_id)?,
            expiration,
            ref_block_num,
            ref_block_prefix: array("ref_block_prefix", ref_block_prefix)?,
            max_ops,
            nonce,
            actions: actions.iter().map(|a| a.get().0.clone()).collect(),
        }))
    }
    #[getter]
    fn chain_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.chain_id)
    }
    #[getter]
    fn expiration(&self) -> u64 {
        self.0.expiration
    }
    #[getter]
    fn ref_block_num(&self) -> u32 {
        self.0.ref_block_num
    }
    #[getter]
    fn ref_block_prefix<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.ref_block_prefix)
    }
    #[getter]
    fn max_ops(&self) -> u64 {
        self.0.max_ops
    }
    #[getter]
    fn nonce(&self) -> u64 {
        self.0.nonce
    }
    #[getter]
    fn actions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple_of(py, &self.0.actions, PyAction)
    }
    fn __repr__(&self) -> String {
        format!(
            "TransactionBody(chain={}, expiration={}, actions={})",
            short_hex(&self.0.chain_id),
            self.0.expiration,
            self.0.actions.len()
        )
    }
}

/// An Ed25519 signature with its public key (the schema's ``Signature``).
#[pyclass(frozen, eq, name = "TransactionSignature", module = "tonomy._core")]
#[derive(Clone, PartialEq)]
pub struct PySignature(wire::Signature);

#[pymethods]
impl PySignature {
    #[new]
    fn new(public_key: &[u8], signature: &[u8]) -> PyResult<Self> {
        Ok(PySignature(wire::Signature {
            public_key: array("public_key", public_key)?,
            signature: array("signature", signature)?,
        }))
    }
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.public_key)
    }
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.signature)
    }
    fn __repr__(&self) -> String {
        format!(
            "TransactionSignature(key={})",
            short_hex(&self.0.public_key)
        )
    }
}

/// A body, its canonical bytes and its signatures.
#[pyclass(frozen, eq, name = "SignedTransaction", module = "tonomy._core")]
#[derive(Clone, PartialEq)]
pub struct PySignedTransaction(wire::SignedTransaction);

#[pymethods]
impl PySignedTransaction {
    /// Encodes the body now; an invalid body or signature list is `InvalidInputError`.
    #[new]
    fn new(
        body: Bound<'_, PyTransactionBody>,
        signatures: Vec<Bound<'_, PySignature>>,
    ) -> PyResult<Self> {
        let signatures = signatures.iter().map(|s| s.get().0.clone()).collect();
        let tx = wire::SignedTransaction::new(body.get().0.clone(), signatures, LIMITS).map_py()?;
        Ok(PySignedTransaction(tx))
    }
    #[getter]
    fn body(&self) -> PyTransactionBody {
        PyTransactionBody(self.0.body().clone())
    }
    #[getter]
    fn body_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.body_bytes())
    }
    #[getter]
    fn signatures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple_of(py, self.0.signatures(), PySignature)
    }
    /// The transaction id, which is also the digest the signers sign.
    #[getter]
    fn id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.id())
    }
    fn __repr__(&self) -> String {
        format!(
            "SignedTransaction(id={}, signatures={})",
            short_hex(&self.0.id()),
            self.0.signatures().len()
        )
    }
}

// --- block -------------------------------------------------------------------------

/// What the block hash commits to.
#[pyclass(frozen, eq, name = "BlockHeader", module = "tonomy._core")]
#[derive(Clone, PartialEq)]
pub struct PyBlockHeader(wire::BlockHeader);

#[pymethods]
impl PyBlockHeader {
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (
        chain_id, height, previous_hash, time, transaction_root, state_root,
        proposer, validator_set_hash, round, last_commit_hash
    ))]
    fn new(
        chain_id: &[u8],
        height: u64,
        previous_hash: &[u8],
        time: u64,
        transaction_root: &[u8],
        state_root: &[u8],
        proposer: &[u8],
        validator_set_hash: &[u8],
        round: u32,
        last_commit_hash: &[u8],
    ) -> PyResult<Self> {
        Ok(PyBlockHeader(wire::BlockHeader {
            chain_id: array("chain_id", chain_id)?,
            height,
            previous_hash: array("previous_hash", previous_hash)?,
            time,
            transaction_root: array("transaction_root", transaction_root)?,
            state_root: array("state_root", state_root)?,
            proposer: array("proposer", proposer)?,
            validator_set_hash: array("validator_set_hash", validator_set_hash)?,
            round,
            last_commit_hash: array("last_commit_hash", last_commit_hash)?,
        }))
    }
    #[getter]
    fn chain_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.chain_id)
    }
    #[getter]
    fn height(&self) -> u64 {
        self.0.height
    }
    #[getter]
    fn previous_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.previous_hash)
    }
    #[getter]
    fn time(&self) -> u64 {
        self.0.time
    }
    #[getter]
    fn transaction_root<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.transaction_root)
    }
    #[getter]
    fn state_root<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.state_root)
    }
    #[getter]
    fn proposer<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.proposer)
    }
    #[getter]
    fn validator_set_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.validator_set_hash)
    }
    #[getter]
    fn round(&self) -> u32 {
        self.0.round
    }
    #[getter]
    fn last_commit_hash<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.last_commit_hash)
    }
    /// The block hash of this header.
    #[getter]
    fn hash<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0.hash().map_py()?))
    }
    fn __repr__(&self) -> String {
        format!(
            "BlockHeader(height={}, round={}, time={})",
            self.0.height, self.0.round, self.0.time
        )
    }
}

/// A Python object a getter builds on first use and hands out again after (the class
/// is frozen, so it never changes).
type Memo<T> = GILOnceCell<Py<T>>;

fn remembered<'py, T>(
    py: Python<'py>,
    cell: &Memo<T>,
    make: impl FnOnce() -> PyResult<Bound<'py, T>>,
) -> PyResult<Bound<'py, T>> {
    cell.get_or_try_init(py, || make().map(Bound::unbind))
        .map(|object| object.bind(py).clone())
}

/// A block's header and transactions as Python objects, made once: the node reads
/// them several times per block (validation, consensus, finality views), and each
/// read otherwise copied every transaction.
#[derive(Default)]
pub struct BlockMemo {
    header: Memo<PyBlockHeader>,
    transactions: Memo<PyTuple>,
}

/// A header, the block's transactions and the commit of the previous block.
#[pyclass(frozen, eq, name = "Block", module = "tonomy._core")]
pub struct PyBlock(wire::Block, BlockMemo);

impl From<wire::Block> for PyBlock {
    fn from(block: wire::Block) -> Self {
        PyBlock(block, BlockMemo::default())
    }
}

/// Equal blocks are equal values, whatever their memos hold.
impl PartialEq for PyBlock {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

#[pymethods]
impl PyBlock {
    #[new]
    #[pyo3(signature = (header, transactions, last_commit = None))]
    fn new(
        header: Bound<'_, PyBlockHeader>,
        transactions: Vec<Bound<'_, PySignedTransaction>>,
        last_commit: Option<Bound<'_, PyCommit>>,
    ) -> Self {
        let block = wire::Block {
            header: header.get().0.clone(),
            transactions: transactions.iter().map(|t| t.get().0.clone()).collect(),
            last_commit: last_commit.map(|c| c.get().0.clone()).unwrap_or_default(),
        };
        // The objects given are the block's own: handing them out again saves copying
        // every transaction back on the first read of ``transactions``.
        let memo = BlockMemo::default();
        let py = header.py();
        let _ = memo.header.set(py, header.unbind());
        if let Ok(tuple) = PyTuple::new(py, &transactions) {
            let _ = memo.transactions.set(py, tuple.unbind());
        }
        PyBlock(block, memo)
    }
    #[getter]
    fn header<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBlockHeader>> {
        remembered(py, &self.1.header, || {
            Bound::new(py, PyBlockHeader(self.0.header.clone()))
        })
    }
    #[getter]
    fn transactions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        remembered(py, &self.1.transactions, || {
            tuple_of(py, &self.0.transactions, PySignedTransaction)
        })
    }
    #[getter]
    fn last_commit(&self) -> PyCommit {
        PyCommit(self.0.last_commit.clone())
    }
    /// The block hash (= the header hash).
    #[getter]
    fn hash<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0.hash().map_py()?))
    }
    fn __repr__(&self) -> String {
        format!(
            "Block(height={}, transactions={})",
            self.0.header.height,
            self.0.transactions.len()
        )
    }
}

// --- limits ------------------------------------------------------------------------

/// The protocol limits the decoders and encoders enforce (``WIRE_LIMITS``).
#[pyclass(frozen, name = "WireLimits", module = "tonomy._core")]
pub struct PyWireLimits(Limits);

#[pymethods]
impl PyWireLimits {
    #[getter]
    fn max_transaction_bytes(&self) -> usize {
        self.0.max_transaction_bytes
    }
    #[getter]
    fn max_header_bytes(&self) -> usize {
        self.0.max_header_bytes
    }
    #[getter]
    fn max_vote_bytes(&self) -> usize {
        self.0.max_vote_bytes
    }
    #[getter]
    fn max_block_bytes(&self) -> usize {
        self.0.max_block_bytes
    }
    #[getter]
    fn max_actions(&self) -> usize {
        self.0.max_actions
    }
    #[getter]
    fn max_authorizations(&self) -> usize {
        self.0.max_authorizations
    }
    #[getter]
    fn max_signatures(&self) -> usize {
        self.0.max_signatures
    }
    #[getter]
    fn max_name_len(&self) -> usize {
        self.0.max_name_len
    }
    #[getter]
    fn max_action_data_bytes(&self) -> usize {
        self.0.max_action_data_bytes
    }
    #[getter]
    fn max_block_transactions(&self) -> usize {
        self.0.max_block_transactions
    }
    #[getter]
    fn max_commit_votes(&self) -> usize {
        self.0.max_commit_votes
    }
    #[getter]
    fn traversal_words_per_word(&self) -> usize {
        self.0.traversal_words_per_word
    }
    #[getter]
    fn nesting_limit(&self) -> i32 {
        self.0.nesting_limit
    }
    fn __repr__(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// What the decoders build from a decoded value (the block adds its memo).
macro_rules! plain_value {
    ($($py:ident($wire:ty)),*) => {$(
        impl From<$wire> for $py {
            fn from(value: $wire) -> Self {
                $py(value)
            }
        }
    )*};
}
plain_value!(
    PyTransactionBody(wire::TransactionBody),
    PySignedTransaction(wire::SignedTransaction),
    PyBlockHeader(wire::BlockHeader),
    PyVote(wire::Vote),
    PyCommit(wire::Commit)
);

// --- functions ---------------------------------------------------------------------

/// One decoder and one encoder per message: the decoder releases the GIL for large
/// input, the encoder when `$large` says the value is large; both catch panics.
macro_rules! codec_pair {
    (
        $decode:ident, $encode:ident, $py:ident,
        decode: $decode_doc:literal => $decoder:path,
        encode($arg:ident): $encode_doc:literal => |$value:ident| $encoded:expr,
        large: $large:expr
    ) => {
        #[doc = $decode_doc]
        #[pyfunction]
        fn $decode(py: Python<'_>, data: &[u8]) -> PyResult<$py> {
            run(py, data.len() > RELEASE_GIL_ABOVE, || {
                $decoder(data, LIMITS)
            })
            .map(<$py>::from)
        }

        #[doc = $encode_doc]
        #[pyfunction]
        fn $encode<'py>(py: Python<'py>, $arg: Bound<'py, $py>) -> PyResult<Bound<'py, PyBytes>> {
            let $value = &$arg.get().0;
            let bytes = run(py, $large, || $encoded)?;
            Ok(PyBytes::new(py, &bytes))
        }
    };
}

codec_pair!(decode_transaction_body, encode_transaction_body, PyTransactionBody,
    decode: "Decode a canonical ``TransactionBody``." => wire::decode_transaction_body,
    encode(body): "The canonical encoding of a body." => |body| wire::encode_transaction_body(body, LIMITS),
    large: false);

codec_pair!(decode_signed_transaction, encode_signed_transaction, PySignedTransaction,
    decode: "Decode a canonical ``SignedTransaction`` (its body included)." => wire::decode_signed_transaction,
    encode(tx): "The canonical encoding of a signed transaction." => |tx| wire::encode_signed_transaction(tx, LIMITS),
    large: false);

codec_pair!(decode_block_header, encode_block_header, PyBlockHeader,
    decode: "Decode a canonical ``BlockHeader``." => wire::decode_block_header,
    encode(header): "The canonical encoding of a header." => |header| wire::encode_block_header(header),
    large: false);

codec_pair!(decode_block, encode_block, PyBlock,
    decode: "Decode a canonical ``Block`` with every transaction in it." => wire::decode_block,
    encode(block): "The canonical encoding of a block." => |block| wire::encode_block(block, LIMITS),
    large: block.transactions.len() > 16);

codec_pair!(decode_vote, encode_vote, PyVote,
    decode: "Decode a canonical ``Vote``." => wire::decode_vote,
    encode(vote): "The canonical encoding of a vote." => |vote| wire::encode_vote(vote),
    large: false);

codec_pair!(decode_commit, encode_commit, PyCommit,
    decode: "Decode a canonical ``Commit``." => wire::decode_commit,
    encode(commit): "The canonical encoding of a commit (checks the commit rules)." => |commit| wire::encode_commit(commit, LIMITS),
    large: false);

/// ``hash_with("tonomy/commit/v1", encode_commit(commit))``: a header's ``last_commit_hash``.
#[pyfunction]
fn commit_hash<'py>(
    py: Python<'py>,
    commit: Bound<'py, PyCommit>,
) -> PyResult<Bound<'py, PyBytes>> {
    let commit = &commit.get().0;
    let digest = run(py, false, || commit.hash(LIMITS))?;
    Ok(PyBytes::new(py, &digest))
}

/// The transaction id (= signing digest) of canonical body bytes. Only hashes:
/// decode the transaction to validate it.
#[pyfunction]
fn transaction_id<'py>(
    py: Python<'py>,
    chain_id: &[u8],
    body: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let chain_id: [u8; 32] = array("chain_id", chain_id)?;
    let digest = run(py, body.len() > RELEASE_GIL_ABOVE, || {
        Ok(wire::transaction_id(&chain_id, body))
    })?;
    Ok(PyBytes::new(py, &digest))
}

/// The block hash of canonical header bytes. Only hashes: decode to validate.
#[pyfunction]
fn header_hash<'py>(py: Python<'py>, header: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &wire::header_hash(header))
}

/// The digest a validator signs for a vote (a fixed byte layout, see docs/wire.md).
#[pyfunction]
#[pyo3(signature = (kind, chain_id, height, round, block_hash, validator))]
fn vote_digest<'py>(
    py: Python<'py>,
    kind: &str,
    chain_id: &[u8],
    height: u64,
    round: u32,
    block_hash: Option<&[u8]>,
    validator: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let kind = wire::VoteKind::parse(kind).map_py()?;
    let chain_id: [u8; 32] = array("chain_id", chain_id)?;
    let block_hash: Option<[u8; 32]> = block_hash.map(|h| array("block_hash", h)).transpose()?;
    let validator: [u8; 32] = array("validator", validator)?;
    let digest = wire::vote_digest(
        kind,
        &chain_id,
        height,
        round,
        block_hash.as_ref(),
        &validator,
    );
    Ok(PyBytes::new(py, &digest))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPermissionLevel>()?;
    m.add_class::<PyAction>()?;
    m.add_class::<PyTransactionBody>()?;
    m.add_class::<PySignature>()?;
    m.add_class::<PySignedTransaction>()?;
    m.add_class::<PyBlockHeader>()?;
    m.add_class::<PyBlock>()?;
    m.add_class::<PyVote>()?;
    m.add_class::<PyCommit>()?;
    m.add_class::<PyWireLimits>()?;
    m.add("WIRE_LIMITS", PyWireLimits(Limits::PROTOCOL))?;
    m.add_function(wrap_pyfunction!(decode_transaction_body, m)?)?;
    m.add_function(wrap_pyfunction!(encode_transaction_body, m)?)?;
    m.add_function(wrap_pyfunction!(decode_signed_transaction, m)?)?;
    m.add_function(wrap_pyfunction!(encode_signed_transaction, m)?)?;
    m.add_function(wrap_pyfunction!(decode_block_header, m)?)?;
    m.add_function(wrap_pyfunction!(encode_block_header, m)?)?;
    m.add_function(wrap_pyfunction!(decode_block, m)?)?;
    m.add_function(wrap_pyfunction!(encode_block, m)?)?;
    m.add_function(wrap_pyfunction!(decode_vote, m)?)?;
    m.add_function(wrap_pyfunction!(encode_vote, m)?)?;
    m.add_function(wrap_pyfunction!(decode_commit, m)?)?;
    m.add_function(wrap_pyfunction!(encode_commit, m)?)?;
    m.add_function(wrap_pyfunction!(commit_hash, m)?)?;
    m.add_function(wrap_pyfunction!(transaction_id, m)?)?;
    m.add_function(wrap_pyfunction!(header_hash, m)?)?;
    m.add_function(wrap_pyfunction!(vote_digest, m)?)?;
    Ok(())
}
