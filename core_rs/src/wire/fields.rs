//! Field rules shared by every message: fixed sizes, names, counts, data sizes.
//!
//! Each check names the field (a path such as `TransactionBody.actions[2].name`)
//! so an error says exactly what was wrong. Decoders return `Malformed` for a
//! wrong shape and `TooLarge` for a broken size limit; encoders turn both into
//! `InvalidInput`, because there the caller, not the wire, is at fault.

use capnp::text;

use crate::{CoreError, CoreResult};

/// Exactly `N` bytes, as an array.
pub(crate) fn fixed<const N: usize>(what: &str, bytes: &[u8]) -> CoreResult<[u8; N]> {
    <[u8; N]>::try_from(bytes).map_err(|_| {
        CoreError::Malformed(format!(
            "{what}: expected exactly {N} bytes, got {}",
            bytes.len()
        ))
    })
}

/// Empty (null) or exactly 32 bytes.
pub(crate) fn optional_hash(what: &str, bytes: &[u8]) -> CoreResult<Option<[u8; 32]>> {
    if bytes.is_empty() {
        Ok(None)
    } else {
        fixed::<32>(what, bytes).map(Some)
    }
}

/// A list length within `min..=max`; more than `max` is `TooLarge`.
pub(crate) fn count(what: &str, len: usize, min: usize, max: usize) -> CoreResult<()> {
    if len > max {
        return Err(CoreError::TooLarge(format!(
            "{what}: {len} entries, the limit is {max}"
        )));
    }
    if len < min {
        return Err(CoreError::Malformed(format!(
            "{what}: {len} entries, at least {min} required"
        )));
    }
    Ok(())
}

/// A byte string of at most `max` bytes.
pub(crate) fn data_size(what: &str, len: usize, max: usize) -> CoreResult<()> {
    if len > max {
        return Err(CoreError::TooLarge(format!(
            "{what}: {len} bytes, the limit is {max}"
        )));
    }
    Ok(())
}

/// Check a NAME: 1..=`max_len` bytes of `[a-z0-9._-]`, starting with `[a-z0-9]`.
///
/// One rule for accounts, permissions, plugins and actions keeps names printable,
/// case-free (no look-alike `Alice`/`alice`) and safe as path or key components.
pub fn check_name(what: &str, name: &str, max_len: usize) -> CoreResult<()> {
    data_size(what, name.len(), max_len)?;
    let bytes = name.as_bytes();
    let Some(first) = bytes.first() else {
        return Err(CoreError::Malformed(format!(
            "{what}: a name cannot be empty"
        )));
    };
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return Err(CoreError::Malformed(format!(
            "{what}: a name must start with a-z or 0-9, got {name:?}"
        )));
    }
    if let Some(bad) = bytes.iter().find(|&&b| !is_name_byte(b)) {
        return Err(CoreError::Malformed(format!(
            "{what}: byte 0x{bad:02x} is not allowed in a name (a-z 0-9 . _ -), got {name:?}"
        )));
    }
    Ok(())
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
}

/// Read a Text field as a NAME, checking the length before copying.
pub(crate) fn read_name(
    what: &str,
    text: capnp::Result<text::Reader<'_>>,
    max_len: usize,
) -> CoreResult<String> {
    let text = text.map_err(|err| CoreError::Malformed(format!("{what}: {err}")))?;
    data_size(what, text.len(), max_len)?;
    let name = text
        .to_str()
        .map_err(|_| CoreError::Malformed(format!("{what}: not valid UTF-8")))?;
    check_name(what, name, max_len)?;
    Ok(name.to_owned())
}

/// A Data field as a slice, or `Malformed` naming the field.
pub(crate) fn read_data<'a>(what: &str, data: capnp::Result<&'a [u8]>) -> CoreResult<&'a [u8]> {
    data.map_err(|err| CoreError::Malformed(format!("{what}: {err}")))
}

/// Decoders report `Malformed`/`TooLarge`; for an encoder the caller is at fault.
pub(crate) fn as_invalid_input(err: CoreError) -> CoreError {
    match err {
        CoreError::Malformed(message) | CoreError::TooLarge(message) => {
            CoreError::InvalidInput(message)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_one_rule() {
        for good in [
            "a",
            "alice",
            "0x",
            "tonomy.identity",
            "my_plugin-2",
            &"z".repeat(64),
        ] {
            check_name("n", good, 64).unwrap();
        }
        let cases: &[(&str, &str)] = &[
            ("", "wire.malformed"),
            ("Alice", "wire.malformed"),
            (".alice", "wire.malformed"),
            ("-x", "wire.malformed"),
            ("al ice", "wire.malformed"),
            ("alicé", "wire.malformed"),
            ("nul\0", "wire.malformed"),
            ("a/b", "wire.malformed"),
        ];
        for (bad, code) in cases {
            assert_eq!(
                check_name("n", bad, 64).unwrap_err().code(),
                *code,
                "{bad:?}"
            );
        }
        assert_eq!(
            check_name("n", &"z".repeat(65), 64).unwrap_err().code(),
            "wire.too_large"
        );
    }

    #[test]
    fn errors_name_the_field() {
        let err = fixed::<32>("Vote.validator", &[0; 31]).unwrap_err();
        assert_eq!(err.code(), "wire.malformed");
        assert!(err.to_string().contains("Vote.validator"), "{err}");
        assert!(err.to_string().contains("31"), "{err}");
    }

    #[test]
    fn counts_and_sizes() {
        count("x", 0, 0, 1).unwrap();
        assert_eq!(count("x", 0, 1, 1).unwrap_err().code(), "wire.malformed");
        assert_eq!(count("x", 2, 1, 1).unwrap_err().code(), "wire.too_large");
        data_size("x", 10, 10).unwrap();
        assert_eq!(data_size("x", 11, 10).unwrap_err().code(), "wire.too_large");
        assert_eq!(optional_hash("h", &[]).unwrap(), None);
        assert_eq!(optional_hash("h", &[7; 32]).unwrap(), Some([7; 32]));
        assert_eq!(
            optional_hash("h", &[7; 8]).unwrap_err().code(),
            "wire.malformed"
        );
    }

    #[test]
    fn encoder_errors_become_invalid_input() {
        let err = as_invalid_input(CoreError::TooLarge("x".into()));
        assert_eq!(err.code(), "core.invalid_input");
        let err = as_invalid_input(CoreError::Internal("x".into()));
        assert_eq!(err.code(), "core.internal");
    }
}
