//! State proofs: their compact byte encoding and the pure verifier.
//!
//! A proof is the list of sibling hashes met on the way from the root down a key's path,
//! and what the walk ended at: the key's own leaf (inclusion), another key's leaf whose
//! path shares the walked prefix (exclusion), or an empty subtree (exclusion).
//!
//! Encoding (version 1), all integers big-endian:
//!
//! ```text
//! 0x01                      format
//! terminal: u8              0 = empty subtree, 1 = leaf
//! depth: u16                number of siblings D, 0..=256
//! bitmap: ceil(D/8) bytes   bit i (MSB first) set = sibling at depth i is not empty
//! [leaf path(32) ‖ leaf value hash(32)]     only when terminal = 1
//! sibling hashes(32 each)   the non-empty ones, from depth 0 down
//! ```
//!
//! Empty siblings are left out (most siblings near the leaves are empty), and the
//! decoder accepts exactly one encoding per proof: unused bitmap bits must be zero, an
//! "empty" sibling must not be spelled out, and the length must be exact.

use crate::hash::Digest;
use crate::{CoreError, CoreResult};

use super::hashing::{
    bit, empty_hash, key_path, leaf_hash, node_hash, shares_prefix, value_hash, PATH_BITS,
};

const FORMAT_V1: u8 = 1;
const TERMINAL_EMPTY: u8 = 0;
const TERMINAL_LEAF: u8 = 1;
const HEADER_LEN: usize = 4;

/// The largest well-formed proof: header, full bitmap, a leaf and 256 siblings.
pub const MAX_PROOF_LEN: usize = HEADER_LEN + PATH_BITS / 8 + 64 + PATH_BITS * 32;

/// Where the walk down a key's path ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terminal {
    Empty,
    Leaf { path: Digest, value_hash: Digest },
}

/// A proof for one key against one root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateProof {
    /// Sibling hashes from depth 0 (next to the root) downwards; empty siblings included.
    pub siblings: Vec<Digest>,
    pub terminal: Terminal,
}

impl StateProof {
    pub fn encode(&self) -> Vec<u8> {
        let depth = self.siblings.len();
        let empty = empty_hash();
        let mut bitmap = vec![0u8; depth.div_ceil(8)];
        let mut hashes = Vec::with_capacity(depth * 32);
        for (i, sibling) in self.siblings.iter().enumerate() {
            if *sibling != empty {
                if let Some(byte) = bitmap.get_mut(i / 8) {
                    *byte |= 0x80 >> (i % 8);
                }
                hashes.extend_from_slice(sibling);
            }
        }
        let mut out = Vec::with_capacity(HEADER_LEN + bitmap.len() + 64 + hashes.len());
        out.push(FORMAT_V1);
        // Depth never exceeds 256 for a proof built from a tree; clamp rather than wrap.
        let depth16 = u16::try_from(depth).unwrap_or(u16::MAX);
        match &self.terminal {
            Terminal::Empty => {
                out.push(TERMINAL_EMPTY);
                out.extend_from_slice(&depth16.to_be_bytes());
                out.extend_from_slice(&bitmap);
            }
            Terminal::Leaf { path, value_hash } => {
                out.push(TERMINAL_LEAF);
                out.extend_from_slice(&depth16.to_be_bytes());
                out.extend_from_slice(&bitmap);
                out.extend_from_slice(path);
                out.extend_from_slice(value_hash);
            }
        }
        out.extend_from_slice(&hashes);
        out
    }

    /// Decode untrusted bytes; any deviation from the one canonical encoding is
    /// `InvalidProof`, never a panic.
    pub fn decode(bytes: &[u8]) -> CoreResult<StateProof> {
        if bytes.len() > MAX_PROOF_LEN {
            return Err(invalid(format!(
                "{} bytes is longer than any state proof",
                bytes.len()
            )));
        }
        let mut reader = Reader(bytes);
        let format = reader.byte()?;
        if format != FORMAT_V1 {
            return Err(invalid(format!("unknown proof format {format}")));
        }
        let terminal_tag = reader.byte()?;
        let depth = usize::from(u16::from_be_bytes([reader.byte()?, reader.byte()?]));
        if depth > PATH_BITS {
            return Err(invalid(format!("depth {depth} exceeds {PATH_BITS}")));
        }
        let bitmap = reader.take(depth.div_ceil(8))?;
        if depth % 8 != 0 {
            if let Some(last) = bitmap.last() {
                if last & (0xffu8 >> (depth % 8)) != 0 {
                    return Err(invalid("bits set past the proof depth".into()));
                }
            }
        }
        let terminal = match terminal_tag {
            TERMINAL_EMPTY => Terminal::Empty,
            TERMINAL_LEAF => Terminal::Leaf {
                path: reader.digest()?,
                value_hash: reader.digest()?,
            },
            other => return Err(invalid(format!("unknown terminal kind {other}"))),
        };
        let empty = empty_hash();
        let mut siblings = Vec::with_capacity(depth);
        for i in 0..depth {
            let present = bitmap
                .get(i / 8)
                .is_some_and(|byte| byte & (0x80 >> (i % 8)) != 0);
            if present {
                let sibling = reader.digest()?;
                if sibling == empty {
                    return Err(invalid("an empty sibling spelled out".into()));
                }
                siblings.push(sibling);
            } else {
                siblings.push(empty);
            }
        }
        if !reader.0.is_empty() {
            return Err(invalid(format!("{} trailing bytes", reader.0.len())));
        }
        Ok(StateProof { siblings, terminal })
    }

    /// The root this proof implies for `key` holding `value` (`None`: absent), or an
    /// error if the proof cannot speak for that claim at all.
    pub fn implied_root(&self, key: &[u8], value: Option<&[u8]>) -> CoreResult<Digest> {
        let depth = self.siblings.len();
        if depth > PATH_BITS {
            return Err(invalid(format!("depth {depth} exceeds {PATH_BITS}")));
        }
        let path = key_path(key);
        let mut hash = match (&self.terminal, value) {
            (
                Terminal::Leaf {
                    path: leaf_path,
                    value_hash: leaf_value,
                },
                Some(value),
            ) => {
                if *leaf_path != path {
                    return Err(invalid("the proof shows the key absent".into()));
                }
                if *leaf_value != value_hash(value) {
                    return Err(invalid("the proof is for a different value".into()));
                }
                leaf_hash(leaf_path, leaf_value)
            }
            (
                Terminal::Leaf {
                    path: leaf_path,
                    value_hash: leaf_value,
                },
                None,
            ) => {
                if *leaf_path == path {
                    return Err(invalid("the proof shows the key present".into()));
                }
                if !shares_prefix(leaf_path, &path, depth) {
                    return Err(invalid("the proof's leaf is not on the key's path".into()));
                }
                leaf_hash(leaf_path, leaf_value)
            }
            (Terminal::Empty, None) => empty_hash(),
            (Terminal::Empty, Some(_)) => {
                return Err(invalid("the proof shows the key absent".into()));
            }
        };
        for (level, sibling) in self.siblings.iter().enumerate().rev() {
            hash = if bit(&path, level) {
                node_hash(sibling, &hash)
            } else {
                node_hash(&hash, sibling)
            };
        }
        Ok(hash)
    }
}

/// Check that under `root`, `key` holds `value` (`None`: the key is absent).
///
/// A pure function: no store, no clock, no state. Every failure is `InvalidProof`.
pub fn verify(
    root: &Digest,
    key: &[u8],
    value: Option<&[u8]>,
    proof: &StateProof,
) -> CoreResult<()> {
    if proof.implied_root(key, value)? == *root {
        Ok(())
    } else {
        Err(invalid("the proof does not lead to the given root".into()))
    }
}

/// [`verify`] over the encoded proof.
pub fn verify_encoded(
    root: &Digest,
    key: &[u8],
    value: Option<&[u8]>,
    proof: &[u8],
) -> CoreResult<()> {
    verify(root, key, value, &StateProof::decode(proof)?)
}

fn invalid(why: String) -> CoreError {
    CoreError::InvalidProof(format!("state proof: {why}"))
}

/// A bounds-checked cursor over untrusted bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> CoreResult<&'a [u8]> {
        let (head, rest) = self
            .0
            .split_at_checked(n)
            .ok_or_else(|| invalid("truncated".into()))?;
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> CoreResult<u8> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }

    fn digest(&mut self) -> CoreResult<Digest> {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.take(32)?);
        Ok(out)
    }
}
