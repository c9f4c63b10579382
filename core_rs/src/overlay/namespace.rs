//! A plugin's namespace of the state: its keys live under its own prefix.
//!
//! The checks and their messages are those every plugin has always seen (they are
//! recorded in receipts when a handler's operation is refused): a key is 1 to
//! `MAX_PLUGIN_KEY_LEN` bytes before the prefix is added, a value at most
//! `MAX_PLUGIN_VALUE_LEN` bytes. The full key then meets the overlay's own checks.

use crate::{CoreError, CoreResult};

/// Longest key a plugin may use (its prefix not counted).
pub const MAX_PLUGIN_KEY_LEN: usize = 256;
/// Largest value a plugin may write.
pub const MAX_PLUGIN_VALUE_LEN: usize = 64 * 1024;
/// Longest namespace prefix.
pub const MAX_PREFIX_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    prefix: Vec<u8>,
}

impl Namespace {
    pub fn new(prefix: &[u8]) -> CoreResult<Namespace> {
        if prefix.is_empty() || prefix.len() > MAX_PREFIX_LEN {
            return Err(CoreError::InvalidInput(format!(
                "a namespace prefix is 1 to {MAX_PREFIX_LEN} bytes, got {}",
                prefix.len()
            )));
        }
        Ok(Namespace {
            prefix: prefix.to_vec(),
        })
    }

    pub fn prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// The state key of the plugin's `key` (checked).
    pub fn full_key(&self, key: &[u8]) -> CoreResult<Vec<u8>> {
        if key.is_empty() || key.len() > MAX_PLUGIN_KEY_LEN {
            return Err(CoreError::InvalidInput(format!(
                "state keys are 1 to {MAX_PLUGIN_KEY_LEN} bytes, got {}",
                key.len()
            )));
        }
        let mut full = Vec::with_capacity(self.prefix.len() + key.len());
        full.extend_from_slice(&self.prefix);
        full.extend_from_slice(key);
        Ok(full)
    }

    /// Refuse a value past `MAX_PLUGIN_VALUE_LEN`.
    pub fn check_value(value: &[u8]) -> CoreResult<()> {
        if value.len() > MAX_PLUGIN_VALUE_LEN {
            return Err(CoreError::InvalidInput(format!(
                "state values are at most {MAX_PLUGIN_VALUE_LEN} bytes, got {}",
                value.len()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_and_bounded() {
        let space = Namespace::new(b"p/pay/").unwrap();
        assert_eq!(space.full_key(b"bal/a").unwrap(), b"p/pay/bal/a".to_vec());
        assert_eq!(space.full_key(&[7; 256]).unwrap().len(), 262);
        for bad in [&[][..], &[7; 257][..]] {
            let err = space.full_key(bad).unwrap_err();
            assert_eq!(err.code(), "core.invalid_input");
            assert_eq!(
                err.detail(),
                format!("state keys are 1 to 256 bytes, got {}", bad.len())
            );
        }
    }

    #[test]
    fn values_are_bounded() {
        assert!(Namespace::check_value(&[0; MAX_PLUGIN_VALUE_LEN]).is_ok());
        let err = Namespace::check_value(&[0; MAX_PLUGIN_VALUE_LEN + 1]).unwrap_err();
        assert_eq!(
            err.detail(),
            "state values are at most 65536 bytes, got 65537"
        );
    }

    #[test]
    fn prefixes_are_bounded() {
        assert!(Namespace::new(b"").is_err());
        assert!(Namespace::new(&[b'p'; MAX_PREFIX_LEN + 1]).is_err());
        assert!(Namespace::new(&[b'p'; MAX_PREFIX_LEN]).is_ok());
    }
}
