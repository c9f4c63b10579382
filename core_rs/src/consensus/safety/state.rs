//! The durable safety state and its checksummed fixed-layout encoding.

use crate::hash::{hash_with, tags};
use crate::{CoreError, CoreResult};

/// The step a signature is for; the order is the order of steps inside a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignStep {
    Propose = 0,
    Prevote = 1,
    Precommit = 2,
}

impl SignStep {
    fn from_byte(b: u8) -> CoreResult<Self> {
        match b {
            0 => Ok(SignStep::Propose),
            1 => Ok(SignStep::Prevote),
            2 => Ok(SignStep::Precommit),
            other => Err(CoreError::Internal(format!("safety state: unknown step {other}"))),
        }
    }
}

/// The last message this validator signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastSigned {
    pub height: u64,
    pub round: u32,
    pub step: SignStep,
    /// Digest of the signed message (vote or proposal digest).
    pub digest: [u8; 32],
    pub signature: [u8; 64],
}

impl LastSigned {
    pub fn position(&self) -> (u64, u32, SignStep) {
        (self.height, self.round, self.step)
    }
}

/// The lock taken by the last precommit for a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub height: u64,
    pub round: u32,
    pub block_hash: [u8; 32],
}

/// Everything a validator must remember across a crash to stay honest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SafetyState {
    pub last: Option<LastSigned>,
    pub lock: Option<Lock>,
}

const VERSION: u8 = 1;
/// version, has_last, height, round, step, digest, signature, has_lock, lock height,
/// lock round, lock hash, checksum.
pub const ENCODED_LEN: usize = 1 + 1 + 8 + 4 + 1 + 32 + 64 + 1 + 8 + 4 + 32 + 32;

impl SafetyState {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENCODED_LEN);
        out.push(VERSION);
        match &self.last {
            Some(last) => {
                out.push(1);
                out.extend_from_slice(&last.height.to_le_bytes());
                out.extend_from_slice(&last.round.to_le_bytes());
                out.push(last.step as u8);
                out.extend_from_slice(&last.digest);
                out.extend_from_slice(&last.signature);
            }
            None => out.extend_from_slice(&[0u8; 1 + 8 + 4 + 1 + 32 + 64]),
        }
        match &self.lock {
            Some(lock) => {
                out.push(1);
                out.extend_from_slice(&lock.height.to_le_bytes());
                out.extend_from_slice(&lock.round.to_le_bytes());
                out.extend_from_slice(&lock.block_hash);
            }
            None => out.extend_from_slice(&[0u8; 1 + 8 + 4 + 32]),
        }
        let checksum = hash_with(tags::SAFETY_STATE, &[&out]);
        out.extend_from_slice(&checksum);
        out
    }

    /// Decode a stored state. Anything damaged is `core.internal`: a validator must stop
    /// rather than start over with no memory of what it signed.
    pub fn decode(bytes: &[u8]) -> CoreResult<Self> {
        let corrupt = |why: &str| CoreError::Internal(format!("safety state is corrupt: {why}"));
        if bytes.len() != ENCODED_LEN {
            return Err(corrupt(&format!("{} bytes, expected {ENCODED_LEN}", bytes.len())));
        }
        let (body, checksum) = bytes.split_at(ENCODED_LEN - 32);
        if hash_with(tags::SAFETY_STATE, &[body]) != checksum {
            return Err(corrupt("checksum mismatch"));
        }
        if body[0] != VERSION {
            return Err(corrupt(&format!("unknown version {}", body[0])));
        }
        let arr = |from: usize, to: usize| body[from..to].to_vec();
        let last = match body[1] {
            0 => None,
            1 => Some(LastSigned {
                height: u64::from_le_bytes(fixed(&arr(2, 10))),
                round: u32::from_le_bytes(fixed(&arr(10, 14))),
                step: SignStep::from_byte(body[14])?,
                digest: fixed(&arr(15, 47)),
                signature: fixed(&arr(47, 111)),
            }),
            _ => return Err(corrupt("bad last-signed flag")),
        };
        let lock = match body[111] {
            0 => None,
            1 => Some(Lock {
                height: u64::from_le_bytes(fixed(&arr(112, 120))),
                round: u32::from_le_bytes(fixed(&arr(120, 124))),
                block_hash: fixed(&arr(124, 156)),
            }),
            _ => return Err(corrupt("bad lock flag")),
        };
        Ok(SafetyState { last, lock })
    }
}

/// Copy a slice of known length into an array (lengths are fixed by `ENCODED_LEN`).
fn fixed<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&slice[..N]);
    out
}
