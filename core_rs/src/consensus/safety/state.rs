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
            other => Err(CoreError::Internal(format!(
                "safety state: unknown step {other}"
            ))),
        }
    }
}

/// The last message this validator signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastSigned {
    pub height: u64,
    pub round: u32,
    pub step: SignStep,
    /// The block hash the message named (`None`: a nil vote), so a restarted validator
    /// can rebuild and re-send a vote that may never have left before the crash.
    pub block_hash: Option<[u8; 32]>,
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

/// A vote this validator signed, kept whole so it can be re-sent after a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedVoteRecord {
    pub height: u64,
    pub round: u32,
    pub block_hash: Option<[u8; 32]>,
    pub signature: [u8; 64],
}

/// Everything a validator must remember across a crash to stay honest (and to re-send
/// the last prevote and precommit, which the others may need to make progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SafetyState {
    pub last: Option<LastSigned>,
    pub lock: Option<Lock>,
    pub last_prevote: Option<SignedVoteRecord>,
    pub last_precommit: Option<SignedVoteRecord>,
}

const VERSION: u8 = 1;
/// version, has_last, height, round, step, has_hash, hash, digest, signature, has_lock,
/// lock height, lock round, lock hash, checksum.
const LAST_LEN: usize = 1 + 8 + 4 + 1 + 1 + 32 + 32 + 64;
const LOCK_LEN: usize = 1 + 8 + 4 + 32;
/// flag, height, round, has_hash, hash, signature.
const RECORD_LEN: usize = 1 + 8 + 4 + 1 + 32 + 64;
pub const ENCODED_LEN: usize = 1 + LAST_LEN + LOCK_LEN + 2 * RECORD_LEN + 32;

fn encode_record(out: &mut Vec<u8>, record: &Option<SignedVoteRecord>) {
    match record {
        Some(r) => {
            out.push(1);
            out.extend_from_slice(&r.height.to_le_bytes());
            out.extend_from_slice(&r.round.to_le_bytes());
            out.push(r.block_hash.is_some() as u8);
            out.extend_from_slice(&r.block_hash.unwrap_or([0; 32]));
            out.extend_from_slice(&r.signature);
        }
        None => out.extend_from_slice(&[0u8; RECORD_LEN]),
    }
}

fn flag_hash(flag: u8, hash: [u8; 32]) -> CoreResult<Option<[u8; 32]>> {
    match flag {
        0 => Ok(None),
        1 => Ok(Some(hash)),
        _ => Err(CoreError::Internal(
            "safety state is corrupt: bad block-hash flag".into(),
        )),
    }
}

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
                out.push(last.block_hash.is_some() as u8);
                out.extend_from_slice(&last.block_hash.unwrap_or([0; 32]));
                out.extend_from_slice(&last.digest);
                out.extend_from_slice(&last.signature);
            }
            None => out.extend_from_slice(&[0u8; LAST_LEN]),
        }
        match &self.lock {
            Some(lock) => {
                out.push(1);
                out.extend_from_slice(&lock.height.to_le_bytes());
                out.extend_from_slice(&lock.round.to_le_bytes());
                out.extend_from_slice(&lock.block_hash);
            }
            None => out.extend_from_slice(&[0u8; LOCK_LEN]),
        }
        encode_record(&mut out, &self.last_prevote);
        encode_record(&mut out, &self.last_precommit);
        let checksum = hash_with(tags::SAFETY_STATE, &[&out]);
        out.extend_from_slice(&checksum);
        out
    }

    /// Decode a stored state. Anything damaged is `core.internal`: a validator must stop
    /// rather than start over with no memory of what it signed.
    pub fn decode(bytes: &[u8]) -> CoreResult<Self> {
        let corrupt = |why: &str| CoreError::Internal(format!("safety state is corrupt: {why}"));
        if bytes.len() != ENCODED_LEN {
            return Err(corrupt(&format!(
                "{} bytes, expected {ENCODED_LEN}",
                bytes.len()
            )));
        }
        let (body, checksum) = bytes.split_at(ENCODED_LEN - 32);
        if hash_with(tags::SAFETY_STATE, &[body]) != checksum {
            return Err(corrupt("checksum mismatch"));
        }
        if body[0] != VERSION {
            return Err(corrupt(&format!("unknown version {}", body[0])));
        }
        let mut at = 1usize;
        let mut take = |n: usize| {
            let part = &body[at..at + n];
            at += n;
            part
        };
        let has_last = take(1)[0];
        let height = u64::from_le_bytes(fixed(take(8)));
        let round = u32::from_le_bytes(fixed(take(4)));
        let step = take(1)[0];
        let has_hash = take(1)[0];
        let hash: [u8; 32] = fixed(take(32));
        let digest: [u8; 32] = fixed(take(32));
        let signature: [u8; 64] = fixed(take(64));
        let has_lock = take(1)[0];
        let lock_height = u64::from_le_bytes(fixed(take(8)));
        let lock_round = u32::from_le_bytes(fixed(take(4)));
        let lock_hash: [u8; 32] = fixed(take(32));
        let mut records = [None, None];
        for record in records.iter_mut() {
            let flag = take(1)[0];
            let height = u64::from_le_bytes(fixed(take(8)));
            let round = u32::from_le_bytes(fixed(take(4)));
            let has_hash = take(1)[0];
            let hash: [u8; 32] = fixed(take(32));
            let signature: [u8; 64] = fixed(take(64));
            *record = match flag {
                0 => None,
                1 => Some(SignedVoteRecord {
                    height,
                    round,
                    block_hash: flag_hash(has_hash, hash)?,
                    signature,
                }),
                _ => return Err(corrupt("bad vote-record flag")),
            };
        }
        let block_hash = flag_hash(has_hash, hash)?;
        let last = match has_last {
            0 => None,
            1 => Some(LastSigned {
                height,
                round,
                step: SignStep::from_byte(step)?,
                block_hash,
                digest,
                signature,
            }),
            _ => return Err(corrupt("bad last-signed flag")),
        };
        let lock = match has_lock {
            0 => None,
            1 => Some(Lock {
                height: lock_height,
                round: lock_round,
                block_hash: lock_hash,
            }),
            _ => return Err(corrupt("bad lock flag")),
        };
        Ok(SafetyState {
            last,
            lock,
            last_prevote: records[0],
            last_precommit: records[1],
        })
    }
}

/// Copy a slice of known length into an array (lengths are fixed by `ENCODED_LEN`).
fn fixed<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&slice[..N]);
    out
}
