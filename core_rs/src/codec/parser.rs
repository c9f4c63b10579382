//! The strict parser: accepts exactly the bytes [`super::Writer`] produces, in one pass.
//!
//! Every other spelling of a value (whitespace, key order, duplicate keys, escapes the
//! writer does not use, `-0`, leading zeros, fractions, exponents, uppercase hex) is
//! refused where it occurs, so no re-encoding is needed to prove the input canonical.
//! Recursion is bounded by [`MAX_DEPTH`]; no input can make it panic.

use std::borrow::Cow;

use super::{
    depth_message, malformed, size_message, Int, BYTES_TAG, MAX_DEPTH, MAX_ENCODED_SIZE,
    RESERVED_PREFIX,
};
use crate::CoreError;

/// Builds the caller's values as the parser reads them (so no intermediate tree).
pub trait Builder {
    type Value;
    type List;
    type Object;
    type Error: From<CoreError>;

    fn null(&mut self) -> Result<Self::Value, Self::Error>;
    fn boolean(&mut self, value: bool) -> Result<Self::Value, Self::Error>;
    fn int(&mut self, value: Int) -> Result<Self::Value, Self::Error>;
    fn string(&mut self, text: &str) -> Result<Self::Value, Self::Error>;
    fn bytes(&mut self, data: &[u8]) -> Result<Self::Value, Self::Error>;
    fn list(&mut self) -> Result<Self::List, Self::Error>;
    fn push(&mut self, list: &mut Self::List, item: Self::Value) -> Result<(), Self::Error>;
    fn end_list(&mut self, list: Self::List) -> Result<Self::Value, Self::Error>;
    fn object(&mut self) -> Result<Self::Object, Self::Error>;
    /// Keys arrive in strictly increasing code point order, never starting with `$`.
    fn insert(
        &mut self,
        object: &mut Self::Object,
        key: &str,
        value: Self::Value,
    ) -> Result<(), Self::Error>;
    fn end_object(&mut self, object: Self::Object) -> Result<Self::Value, Self::Error>;
}

/// The value whose canonical encoding is `data`, built by `builder`.
pub fn parse<B: Builder>(data: &[u8], builder: &mut B) -> Result<B::Value, B::Error> {
    if data.len() > MAX_ENCODED_SIZE {
        return Err(malformed(size_message(data.len())).into());
    }
    let text =
        std::str::from_utf8(data).map_err(|_| malformed("encoded value is not valid UTF-8"))?;
    let mut parser = Parser {
        text,
        bytes: data,
        pos: 0,
        hex: Vec::new(),
    };
    let value = parser.value(builder, 0)?;
    if parser.pos != data.len() {
        return Err(parser.unexpected().into());
    }
    Ok(value)
}

struct Parser<'a> {
    /// The input, already checked to be UTF-8 (so slices between ASCII delimiters are `str`).
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Reused buffer for the bytes of a tag.
    hex: Vec<u8>,
}

/// 2^128 has 39 digits; longer numbers are refused before they cost anything.
const MAX_DIGITS: usize = 40;

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn unexpected(&self) -> CoreError {
        match self.peek() {
            None => malformed(format!(
                "encoded value is not canonical JSON: it ends early at byte {}",
                self.pos
            )),
            Some(byte) if byte.is_ascii_whitespace() => malformed(format!(
                "encoded value is not in canonical form: whitespace at byte {}",
                self.pos
            )),
            Some(byte) => malformed(format!(
                "encoded value is not canonical JSON: unexpected byte 0x{byte:02x} at byte {}",
                self.pos
            )),
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), CoreError> {
        if self.peek() != Some(byte) {
            return Err(self.unexpected());
        }
        self.pos += 1;
        Ok(())
    }

    fn value<B: Builder>(&mut self, builder: &mut B, depth: usize) -> Result<B::Value, B::Error> {
        match self.peek() {
            Some(b'{') => self.object(builder, depth),
            Some(b'[') => self.list(builder, depth),
            Some(b'"') => {
                let text = self.string()?;
                builder.string(&text)
            }
            Some(b'-' | b'0'..=b'9') => {
                let number = self.number()?;
                builder.int(number)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                builder.null()
            }
            Some(b't') => {
                self.literal(b"true")?;
                builder.boolean(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                builder.boolean(false)
            }
            _ => Err(self.unexpected().into()),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), CoreError> {
        for &byte in word {
            self.expect(byte)?;
        }
        Ok(())
    }

    fn list<B: Builder>(&mut self, builder: &mut B, depth: usize) -> Result<B::Value, B::Error> {
        if depth >= MAX_DEPTH {
            return Err(malformed(depth_message(true)).into());
        }
        self.expect(b'[')?;
        let mut list = builder.list()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return builder.end_list(list);
        }
        loop {
            let item = self.value(builder, depth + 1)?;
            builder.push(&mut list, item)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return builder.end_list(list);
                }
                _ => return Err(self.unexpected().into()),
            }
        }
    }

    fn object<B: Builder>(&mut self, builder: &mut B, depth: usize) -> Result<B::Value, B::Error> {
        self.expect(b'{')?;
        if self.peek() == Some(b'}') {
            if depth >= MAX_DEPTH {
                return Err(malformed(depth_message(true)).into());
            }
            self.pos += 1;
            let object = builder.object()?;
            return builder.end_object(object);
        }
        let mut previous = self.key()?;
        if previous.starts_with(RESERVED_PREFIX) {
            if previous != BYTES_TAG {
                return Err(reserved_key().into());
            }
            let data = self.bytes_tag()?;
            return builder.bytes(data);
        }
        if depth >= MAX_DEPTH {
            return Err(malformed(depth_message(true)).into());
        }
        let mut object = builder.object()?;
        loop {
            let value = self.value(builder, depth + 1)?;
            builder.insert(&mut object, &previous, value)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return builder.end_object(object);
                }
                _ => return Err(self.unexpected().into()),
            }
            let key = self.key()?;
            if key.starts_with(RESERVED_PREFIX) {
                return Err(reserved_key().into());
            }
            if key.as_bytes() <= previous.as_bytes() {
                return Err(malformed(if key == previous {
                    "encoded object has a duplicate key"
                } else {
                    "encoded value is not in canonical form: object keys are not in code point order"
                })
                .into());
            }
            previous = key;
        }
    }

    /// An object key and its colon; owned only when it holds escapes.
    fn key(&mut self) -> Result<Cow<'a, str>, CoreError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected());
        }
        let key = self.string()?;
        self.expect(b':')?;
        Ok(key)
    }

    /// After `{"$bytes":`: the hex string and the closing brace; the decoded bytes.
    fn bytes_tag(&mut self) -> Result<&[u8], CoreError> {
        let bad = || malformed("bytes tag must hold an even-length lowercase hex string");
        if self.peek() != Some(b'"') {
            return Err(bad());
        }
        self.pos += 1;
        self.hex.clear();
        loop {
            let high = match self.peek() {
                Some(b'"') => break,
                Some(byte) => hex_digit(byte).ok_or_else(bad)?,
                None => return Err(self.unexpected()),
            };
            self.pos += 1;
            let low = self.peek().and_then(hex_digit).ok_or_else(bad)?;
            self.pos += 1;
            self.hex.push(high << 4 | low);
        }
        self.pos += 1;
        if self.peek() == Some(b',') {
            return Err(reserved_key());
        }
        self.expect(b'}')?;
        Ok(&self.hex)
    }

    /// A string at `pos` (on its opening quote): borrowed from the input unless it has escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, CoreError> {
        self.pos += 1;
        let start = self.pos;
        self.skip_plain();
        if self.peek() == Some(b'"') {
            let text = self.slice(start, self.pos)?;
            self.pos += 1;
            return Ok(Cow::Borrowed(text));
        }
        // Escapes only ever stand for ASCII, so the unescaped bytes stay valid UTF-8.
        let mut text = self.bytes.get(start..self.pos).unwrap_or_default().to_vec();
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return String::from_utf8(text)
                        .map(Cow::Owned)
                        .map_err(|_| malformed("encoded value is not valid UTF-8"));
                }
                Some(b'\\') => text.push(self.escape()?),
                Some(_) => return Err(raw_control(self.pos)),
                None => return Err(self.unexpected()),
            }
            let run = self.pos;
            self.skip_plain();
            text.extend_from_slice(self.bytes.get(run..self.pos).unwrap_or_default());
        }
    }

    /// Move to the next byte a string cannot hold as is (`"`, `\`, a control character), or the end.
    fn skip_plain(&mut self) {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos += rest
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)
            .unwrap_or(rest.len());
    }

    /// One escape at `pos` (on its backslash), only in the form the writer uses.
    fn escape(&mut self) -> Result<u8, CoreError> {
        let at = self.pos;
        let next = self.bytes.get(at + 1).copied();
        let (decoded, length) = match next {
            Some(b'"') => (b'"', 2),
            Some(b'\\') => (b'\\', 2),
            Some(b'b') => (0x08, 2),
            Some(b't') => (b'\t', 2),
            Some(b'n') => (b'\n', 2),
            Some(b'f') => (0x0c, 2),
            Some(b'r') => (b'\r', 2),
            Some(b'u') => {
                let code = match self.bytes.get(at + 2..at + 6) {
                    Some([b'0', b'0', high @ (b'0' | b'1'), low]) => {
                        hex_digit(*low).map(|low| (high - b'0') << 4 | low)
                    }
                    Some(_) => None,
                    None => {
                        return Err(malformed(format!(
                            "encoded value is not canonical JSON: it ends early at byte {at}"
                        )))
                    }
                };
                match code {
                    Some(code) if !matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) => (code, 6),
                    _ => return Err(bad_escape(at)),
                }
            }
            None => {
                return Err(malformed(format!(
                    "encoded value is not canonical JSON: it ends early at byte {at}"
                )))
            }
            Some(_) => return Err(bad_escape(at)),
        };
        self.pos = at + length;
        Ok(decoded)
    }

    fn slice(&self, start: usize, end: usize) -> Result<&'a str, CoreError> {
        self.text
            .get(start..end)
            .ok_or_else(|| malformed("encoded value is not valid UTF-8"))
    }

    /// An integer spelled minimally: `0`, or an optional `-` and digits without a leading zero.
    fn number(&mut self) -> Result<Int, CoreError> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let start = self.pos;
        let mut magnitude: u128 = 0;
        let mut overflow = false;
        while let Some(byte @ b'0'..=b'9') = self.peek() {
            if self.pos - start >= MAX_DIGITS {
                return Err(malformed("encoded integer has too many digits"));
            }
            match magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(u128::from(byte - b'0')))
            {
                Some(next) => magnitude = next,
                None => overflow = true,
            }
            self.pos += 1;
        }
        let digits = self.pos - start;
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(malformed(format!(
                "encoded value holds a non-integer number at byte {start}"
            )));
        }
        if digits == 0 {
            return Err(self.unexpected());
        }
        if digits > 1 && self.bytes.get(start) == Some(&b'0') {
            return Err(malformed(format!(
                "encoded value is not in canonical form: leading zero at byte {start}"
            )));
        }
        let out_of_range =
            || malformed("encoded integer is outside the range of a 128-bit integer");
        if overflow {
            return Err(out_of_range());
        }
        if !negative {
            return Ok(match i128::try_from(magnitude) {
                Ok(small) => Int::Signed(small),
                Err(_) => Int::Unsigned(magnitude),
            });
        }
        if magnitude == 0 {
            return Err(malformed(format!(
                "encoded value is not in canonical form: -0 at byte {start}"
            )));
        }
        // -magnitude, where magnitude may be exactly 2^127 (i128::MIN).
        0i128
            .checked_sub_unsigned(magnitude)
            .map(Int::Signed)
            .ok_or_else(out_of_range)
    }
}

fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

fn reserved_key() -> CoreError {
    malformed("encoded object uses a reserved '$' key that is not a bytes tag")
}

fn raw_control(at: usize) -> CoreError {
    malformed(format!(
        "encoded value is not canonical JSON: unescaped control character at byte {at}"
    ))
}

fn bad_escape(at: usize) -> CoreError {
    malformed(format!(
        "encoded value is not in canonical form: escape at byte {at} (only \\\" \\\\ \\b \\f \\n \\r \\t, \
         and \\u00xx in lowercase for other control characters)"
    ))
}
