//! Proof that a decoded transaction's bytes are its canonical encoding, without
//! encoding it again.
//!
//! The message was already shown canonical Cap'n Proto (single segment, preorder,
//! truncated sections, no slack), and every field was read through the typed reader
//! with its own rules (fixed sizes, non-empty names, counts). Two spellings of one
//! decoded value can then still differ only in the shape of a struct or in a null
//! versus an empty pointer, so these checks compare each struct's data words and
//! pointer count with what the canonical encoding of the decoded value has:
//! - a larger struct is a field this version does not know (also padding bits);
//! - a list of pointers or of primitives read as a list of structs shows as a
//!   struct with fewer pointers than the value needs;
//! - a non-null empty `Action.data` is the one empty field the builder leaves null
//!   that the other checks do not already refuse (names, keys and signatures are
//!   never empty, and every list has at least one element).
use capnp::traits::IntoInternalStructReader;

use super::canonical::{malformed, not_canonical};
use super::schema::transaction_capnp as schema;
use super::transaction::TransactionBody;
use crate::CoreResult;

/// (data words, pointers) of a struct as written.
fn shape<'a>(reader: impl IntoInternalStructReader<'a>) -> (u32, u16) {
    let inner = reader.into_internal_struct_reader();
    (
        inner.get_data_section_size() / 64,
        inner.get_pointer_section_size(),
    )
}

/// Data words of a canonical data section holding `words`: trailing zeros dropped.
fn truncated(words: &[u64]) -> u32 {
    words
        .iter()
        .rposition(|&w| w != 0)
        .map_or(0, |last| last as u32 + 1)
}

/// A `SignedTransaction` (body and signatures, both non-empty) is two pointers and
/// no data; each signature is two pointers (key and signature) and no data.
pub(crate) fn check_signed_shape(root: schema::signed_transaction::Reader<'_>) -> CoreResult<()> {
    const WHAT: &str = "SignedTransaction";
    if shape(root) != (0, 2) {
        return Err(not_canonical(WHAT));
    }
    let list = root.get_signatures().map_err(|err| malformed(WHAT, err))?;
    if list.iter().any(|sig| shape(sig) != (0, 2)) {
        return Err(not_canonical(WHAT));
    }
    Ok(())
}

/// A `TransactionBody` read as `body`: see the module doc.
pub(crate) fn check_body_shape(
    root: schema::transaction_body::Reader<'_>,
    body: &TransactionBody,
) -> CoreResult<()> {
    const WHAT: &str = "TransactionBody";
    // expiration (word 0), refBlockNum (low half of word 1), maxOps, nonce; three pointers.
    let data = [
        body.expiration,
        u64::from(body.ref_block_num),
        body.max_ops,
        body.nonce,
    ];
    if shape(root) != (truncated(&data), 3) {
        return Err(not_canonical(WHAT));
    }
    // The high half of word 1 holds no field: anything there is one we do not know.
    if root.into_internal_struct_reader().get_data_field::<u32>(3) != 0 {
        return Err(not_canonical(WHAT));
    }
    let actions = root.get_actions().map_err(|err| malformed(WHAT, err))?;
    // A list's elements share one size: the largest any element needs.
    let pointers = if body.actions.iter().any(|a| !a.data.is_empty()) {
        4
    } else {
        3
    };
    for (action, value) in actions.iter().zip(&body.actions) {
        if shape(action) != (0, pointers) || (value.data.is_empty() && action.has_data()) {
            return Err(not_canonical(WHAT));
        }
        let levels = action
            .get_authorization()
            .map_err(|err| malformed(WHAT, err))?;
        if levels.iter().any(|level| shape(level) != (0, 2)) {
            return Err(not_canonical(WHAT));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "transaction_shape_tests.rs"]
mod tests;
