//! The canonical writer: callers walk their value and call one method per part; the
//! writer spells each part canonically and enforces the rules that do not depend on
//! how the caller holds its values (reserved keys, depth, size).

use std::io::Write as _;

use super::{
    depth_message, size_message, unencodable, MAX_DEPTH, MAX_ENCODED_SIZE, RESERVED_PREFIX,
};
use crate::CoreResult;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Builds one canonical encoding. Keys must be written in code point order (sort
/// with [`Writer::key_order`]); commas are placed by the writer.
#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
    /// Open arrays and objects.
    depth: usize,
    /// A value was just completed inside the current container, so the next needs a comma.
    need_comma: bool,
}

impl Writer {
    pub fn new() -> Self {
        Self::with_capacity(128)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Writer {
            out: Vec::with_capacity(capacity),
            depth: 0,
            need_comma: false,
        }
    }

    /// The order object keys are written in: code point order, which is UTF-8 byte order.
    pub fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
        a.as_bytes().cmp(b.as_bytes())
    }

    fn separate(&mut self) {
        if self.need_comma {
            self.out.push(b',');
        }
        self.need_comma = true;
    }

    pub fn null(&mut self) {
        self.separate();
        self.out.extend_from_slice(b"null");
    }

    pub fn boolean(&mut self, value: bool) {
        self.separate();
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// Any `i64` is in range.
    pub fn int_i64(&mut self, value: i64) {
        self.separate();
        let _ = write!(self.out, "{value}"); // writing to a Vec cannot fail
    }

    /// Any `i128` is in range.
    pub fn int_i128(&mut self, value: i128) {
        self.separate();
        let _ = write!(self.out, "{value}");
    }

    /// Any `u128` is in range.
    pub fn int_u128(&mut self, value: u128) {
        self.separate();
        let _ = write!(self.out, "{value}");
    }

    pub fn string(&mut self, text: &str) -> CoreResult<()> {
        self.separate();
        self.quoted(text);
        self.check_size()
    }

    /// Bytes as the tag `{"$bytes":"<lowercase hex>"}` (not a nesting level).
    pub fn bytes(&mut self, data: &[u8]) -> CoreResult<()> {
        self.separate();
        self.out.reserve(data.len() * 2 + 14);
        self.out.extend_from_slice(b"{\"$bytes\":\"");
        for byte in data {
            self.out.push(HEX[usize::from(byte >> 4)]);
            self.out.push(HEX[usize::from(byte & 0x0f)]);
        }
        self.out.extend_from_slice(b"\"}");
        self.check_size()
    }

    pub fn begin_list(&mut self) -> CoreResult<()> {
        self.open(b'[')
    }

    pub fn end_list(&mut self) {
        self.close(b']');
    }

    pub fn begin_object(&mut self) -> CoreResult<()> {
        self.open(b'{')
    }

    /// The next key of the open object; keys starting with `$` are reserved for tags.
    pub fn key(&mut self, key: &str) -> CoreResult<()> {
        if key.starts_with(RESERVED_PREFIX) {
            return Err(unencodable(format!(
                "object key {} starts with '$', which is reserved for tags",
                python_repr(key)
            )));
        }
        if self.need_comma {
            self.out.push(b',');
        }
        self.quoted(key);
        self.out.push(b':');
        self.need_comma = false;
        self.check_size()
    }

    pub fn end_object(&mut self) {
        self.close(b'}');
    }

    fn open(&mut self, bracket: u8) -> CoreResult<()> {
        if self.depth >= MAX_DEPTH {
            return Err(unencodable(depth_message(false)));
        }
        self.separate();
        self.out.push(bracket);
        self.depth += 1;
        self.need_comma = false;
        Ok(())
    }

    fn close(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth = self.depth.saturating_sub(1);
        self.need_comma = true;
    }

    /// Refuse as soon as the output passes the limit, so a hostile value cannot make it grow far.
    fn check_size(&self) -> CoreResult<()> {
        if self.out.len() > MAX_ENCODED_SIZE {
            return Err(unencodable(size_message(self.out.len())));
        }
        Ok(())
    }

    /// The finished encoding.
    pub fn finish(self) -> CoreResult<Vec<u8>> {
        self.check_size()?;
        Ok(self.out)
    }

    /// `text` in quotes, escaping only `"`, `\` and control characters.
    fn quoted(&mut self, text: &str) {
        let bytes = text.as_bytes();
        self.out.reserve(bytes.len() + 2);
        self.out.push(b'"');
        let mut rest = bytes;
        while let Some(at) = rest
            .iter()
            .position(|&byte| byte < 0x20 || byte == b'"' || byte == b'\\')
        {
            let (plain, special) = rest.split_at(at);
            self.out.extend_from_slice(plain);
            let Some((&byte, after)) = special.split_first() else {
                break;
            };
            match byte {
                b'"' => self.out.extend_from_slice(b"\\\""),
                b'\\' => self.out.extend_from_slice(b"\\\\"),
                0x08 => self.out.extend_from_slice(b"\\b"),
                0x09 => self.out.extend_from_slice(b"\\t"),
                0x0a => self.out.extend_from_slice(b"\\n"),
                0x0c => self.out.extend_from_slice(b"\\f"),
                0x0d => self.out.extend_from_slice(b"\\r"),
                control => {
                    self.out.extend_from_slice(b"\\u00");
                    self.out.push(HEX[usize::from(control >> 4)]);
                    self.out.push(HEX[usize::from(control & 0x0f)]);
                }
            }
            rest = after;
        }
        self.out.extend_from_slice(rest);
        self.out.push(b'"');
    }
}

/// A short quoted form of a key for messages (like Python's `repr` of a plain string).
fn python_repr(text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    let more = if shown.len() < text.len() { "…" } else { "" };
    format!("'{}{more}'", shown.escape_debug())
}
