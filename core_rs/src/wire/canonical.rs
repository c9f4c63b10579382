//! Canonical Cap'n Proto framing shared by every message type.
//!
//! A Tonomy wire message is the canonical form of its root struct: one segment,
//! no segment table, a whole number of 8-byte words. Reading checks the size first,
//! copies into aligned words, parses with explicit traversal and nesting limits,
//! asks the reader whether the layout is canonical, and (in the caller, through
//! [`decode_exact`]) re-encodes the decoded value and compares bytes, which also
//! rejects fields this version does not know and empty-vs-null ambiguities.
//! A block is too large to re-encode on every proposal: its decoder proves the
//! same thing while parsing ([`read_canonical`], [`NOT_CANONICAL`], `block.rs`).

use capnp::message::{Builder, HeapAllocator, Reader, ReaderOptions, SegmentArray};
use capnp::traits::Owned;
use capnp::Word;

use super::limits::Limits;
use crate::{CoreError, CoreResult};

/// Turn a Cap'n Proto error into `Malformed`, naming where it happened.
pub(crate) fn malformed(what: &str, err: capnp::Error) -> CoreError {
    CoreError::Malformed(format!("{what}: {err}"))
}

/// Run `decode` on the root of `bytes` read as a canonical message of type `T`,
/// then check that `encode` of the result gives `bytes` back exactly.
pub(crate) fn decode_exact<T, V>(
    bytes: &[u8],
    what: &str,
    max_bytes: usize,
    limits: &Limits,
    decode: impl FnOnce(<T as Owned>::Reader<'_>) -> CoreResult<V>,
    encode: impl FnOnce(&V) -> CoreResult<Vec<u8>>,
) -> CoreResult<V>
where
    T: Owned,
{
    let value = read_canonical::<T, V>(bytes, what, max_bytes, limits, decode)?;
    let again = encode(&value).map_err(|err| {
        CoreError::Malformed(format!("{what}: decoded value does not re-encode: {err}"))
    })?;
    if again != bytes {
        return Err(not_canonical(what));
    }
    Ok(value)
}

/// What every decoder says of bytes that are not the canonical encoding of their value.
pub(crate) const NOT_CANONICAL: &str = "not the canonical encoding of its value \
     (unknown fields, an empty field that is not null, or a non-canonical layout)";

pub(crate) fn not_canonical(what: &str) -> CoreError {
    CoreError::Malformed(format!("{what}: {NOT_CANONICAL}"))
}

/// The canonical bytes of the value under `reader`, unknown fields and all: what
/// re-encoding that part of a message gives, to compare with a known encoding.
pub(crate) fn canonical_copy<T>(reader: <T as Owned>::Reader<'_>, what: &str) -> CoreResult<Vec<u8>>
where
    T: Owned,
{
    let mut scratch = Builder::new(HeapAllocator::new());
    scratch
        .set_root(reader)
        .map_err(|err| malformed(what, err))?;
    let canonical = scratch
        .into_reader()
        .canonicalize()
        .map_err(|err| malformed(what, err))?;
    Ok(Word::words_to_bytes(&canonical).to_vec())
}

/// Run `decode` on the root of `bytes` read as a canonical Cap'n Proto message, with
/// no re-encoding: alone, `decode` must itself prove the value's encoding canonical.
pub(crate) fn read_canonical<T, V>(
    bytes: &[u8],
    what: &str,
    max_bytes: usize,
    limits: &Limits,
    decode: impl FnOnce(<T as Owned>::Reader<'_>) -> CoreResult<V>,
) -> CoreResult<V>
where
    T: Owned,
{
    if bytes.len() > max_bytes {
        return Err(CoreError::TooLarge(format!(
            "{what}: {} bytes, the limit is {max_bytes}",
            bytes.len()
        )));
    }
    if bytes.is_empty() || bytes.len() & 7 != 0 {
        return Err(CoreError::Malformed(format!(
            "{what}: {} bytes is not a whole, non-zero number of 8-byte words",
            bytes.len()
        )));
    }
    // Input from Python or the network has no alignment guarantee; the reader needs 8.
    let mut words = Word::allocate_zeroed_vec(bytes.len() / 8);
    Word::words_to_bytes_mut(&mut words).copy_from_slice(bytes);
    let segment: &[u8] = Word::words_to_bytes(&words);
    let segments = [segment];
    let options = ReaderOptions {
        traversal_limit_in_words: Some(limits.traversal_limit_in_words(bytes.len())),
        nesting_limit: limits.nesting_limit,
    };
    let message = Reader::new(SegmentArray::new(&segments), options);
    match message.is_canonical() {
        Ok(true) => {}
        Ok(false) => {
            return Err(CoreError::Malformed(format!(
                "{what}: not a canonical Cap'n Proto message"
            )))
        }
        Err(err) => return Err(malformed(what, err)),
    }
    let root = message
        .get_root::<<T as Owned>::Reader<'_>>()
        .map_err(|err| malformed(what, err))?;
    decode(root)
}

/// Encode with `build` into a scratch message, then copy it in canonical form.
pub(crate) fn encode_canonical<T>(
    build: impl FnOnce(<T as Owned>::Builder<'_>) -> CoreResult<()>,
) -> CoreResult<Vec<u8>>
where
    T: Owned,
{
    let mut scratch = Builder::new(HeapAllocator::new());
    build(scratch.init_root::<<T as Owned>::Builder<'_>>())?;
    let canonical = scratch
        .into_reader()
        .canonicalize()
        .map_err(|err| CoreError::Internal(format!("canonicalizing a built message: {err}")))?;
    Ok(Word::words_to_bytes(&canonical).to_vec())
}
