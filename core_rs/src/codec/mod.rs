//! The canonical encoding of chain state values: one value, exactly one byte string.
//!
//! JSON with a fixed shape (the spec is the docstring of `tonomy.chain.codec`):
//! objects with string keys sorted by code point (= UTF-8 byte order) and no
//! whitespace; strings in UTF-8 with only `"`, `\` and U+0000..U+001F escaped (the
//! latter as `\b \f \n \r \t` or lowercase `\u00xx`); integers only, in
//! `[-2^127, 2^128 - 1]`, spelled minimally; bytes as the tag `{"$bytes":"<lowercase
//! hex>"}`; other keys starting with `$` are reserved; at most [`MAX_DEPTH`] nested
//! arrays/objects (a bytes tag is not a level) and [`MAX_ENCODED_SIZE`] bytes.
//!
//! [`Writer`] produces the form and [`parse`] accepts only that form in one pass
//! (no re-encoding to prove it canonical). Both are driven by callers: the [`Value`]
//! model here, or the Python bindings, which read and build Python objects directly.

mod parser;
mod value;
mod writer;

#[cfg(test)]
mod tests;

pub use parser::{parse, Builder};
pub use value::{decode, encode, Int, Value};
pub use writer::Writer;

use crate::CoreError;

/// Largest encoded value, in bytes; bounds the work a hostile input can cause.
pub const MAX_ENCODED_SIZE: usize = 1 << 20;

/// Deepest nesting of arrays and objects (a bytes tag does not count as a level).
pub const MAX_DEPTH: usize = 32;

/// The one key a tag object may hold: its value is the lowercase hex of the bytes.
pub const BYTES_TAG: &str = "$bytes";

/// Object keys starting with this are reserved for tags.
pub const RESERVED_PREFIX: char = '$';

fn malformed(message: impl Into<String>) -> CoreError {
    CoreError::CodecMalformed(message.into())
}

fn unencodable(message: impl Into<String>) -> CoreError {
    CoreError::Unencodable(message.into())
}

/// Refusal of a too-large encoding, the same words both ways.
fn size_message(size: usize) -> String {
    format!("encoded value is {size} bytes, above the limit of {MAX_ENCODED_SIZE}")
}

/// Refusal of too-deep nesting, the same words both ways.
fn depth_message(encoded: bool) -> String {
    let what = if encoded { "encoded value" } else { "value" };
    format!("{what} nests deeper than {MAX_DEPTH} levels")
}
