//! The signed block proposal of one round, its digest and its fixed-layout encoding
//! (docs/consensus.md, "Messages").

use crate::hash::{hash_with, tags, Digest};
use crate::{CoreError, CoreResult};

/// Largest proposed value (a block is at most 8 MiB on the wire).
pub const MAX_VALUE_BYTES: usize = 8 * 1024 * 1024;

const VERSION: u8 = 1;
/// Bytes before the value: version, chain, height, round, has_pol, pol_round, hash,
/// proposer, signature, value length.
const HEADER_LEN: usize = 1 + 32 + 8 + 4 + 1 + 4 + 32 + 32 + 64 + 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub chain_id: [u8; 32],
    pub height: u64,
    pub round: u32,
    /// The round of the prevote quorum that justifies re-proposing a value (`None` = -1).
    pub pol_round: Option<u32>,
    pub block_hash: [u8; 32],
    pub proposer: [u8; 32],
    pub signature: [u8; 64],
    /// Opaque value bytes (the block); the host checks they hash to `block_hash`.
    pub value: Vec<u8>,
}

/// The digest a proposer signs: everything but the value bytes and the signature.
pub fn proposal_digest(
    chain_id: &[u8; 32],
    height: u64,
    round: u32,
    pol_round: Option<u32>,
    block_hash: &[u8; 32],
    proposer: &[u8; 32],
) -> Digest {
    let (has_pol, pol): (u8, [u8; 4]) = match pol_round {
        Some(r) => (1, r.to_le_bytes()),
        None => (0, [0; 4]),
    };
    let pol_bytes: &[u8] = if has_pol == 1 { &pol } else { &[] };
    hash_with(
        tags::PROPOSAL,
        &[
            chain_id,
            &height.to_le_bytes(),
            &round.to_le_bytes(),
            &[has_pol],
            pol_bytes,
            block_hash,
            proposer,
        ],
    )
}

impl Proposal {
    pub fn signing_digest(&self) -> Digest {
        proposal_digest(
            &self.chain_id,
            self.height,
            self.round,
            self.pol_round,
            &self.block_hash,
            &self.proposer,
        )
    }

    /// The one encoding of this proposal.
    pub fn encode(&self) -> CoreResult<Vec<u8>> {
        if self.value.len() > MAX_VALUE_BYTES {
            return Err(CoreError::InvalidInput(format!(
                "a proposed value is at most {MAX_VALUE_BYTES} bytes, got {}",
                self.value.len()
            )));
        }
        let mut out = Vec::with_capacity(HEADER_LEN + self.value.len());
        out.push(VERSION);
        out.extend_from_slice(&self.chain_id);
        out.extend_from_slice(&self.height.to_le_bytes());
        out.extend_from_slice(&self.round.to_le_bytes());
        out.push(self.pol_round.is_some() as u8);
        out.extend_from_slice(&self.pol_round.unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&self.block_hash);
        out.extend_from_slice(&self.proposer);
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&(self.value.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.value);
        Ok(out)
    }

    /// Decode the one encoding; anything else is `wire.malformed` / `wire.too_large`.
    pub fn decode(bytes: &[u8]) -> CoreResult<Self> {
        if bytes.len() > HEADER_LEN + MAX_VALUE_BYTES {
            return Err(CoreError::TooLarge(format!(
                "Proposal: {} bytes, at most {}",
                bytes.len(),
                HEADER_LEN + MAX_VALUE_BYTES
            )));
        }
        let mut reader = Reader { bytes, at: 0 };
        let version = reader.take::<1>()?[0];
        if version != VERSION {
            return Err(CoreError::Malformed(format!(
                "Proposal.version: unknown version {version}"
            )));
        }
        let chain_id = reader.take::<32>()?;
        let height = u64::from_le_bytes(reader.take::<8>()?);
        let round = u32::from_le_bytes(reader.take::<4>()?);
        let has_pol = reader.take::<1>()?[0];
        let pol = u32::from_le_bytes(reader.take::<4>()?);
        let pol_round = match (has_pol, pol) {
            (0, 0) => None,
            (1, r) => Some(r),
            _ => {
                return Err(CoreError::Malformed(
                    "Proposal.polRound: has_pol must be 0 (with a zero round) or 1".into(),
                ))
            }
        };
        let block_hash = reader.take::<32>()?;
        let proposer = reader.take::<32>()?;
        let signature = reader.take::<64>()?;
        let len = u32::from_le_bytes(reader.take::<4>()?) as usize;
        if len > MAX_VALUE_BYTES {
            return Err(CoreError::TooLarge(format!(
                "Proposal.value: {len} bytes, at most {MAX_VALUE_BYTES}"
            )));
        }
        let rest = bytes.get(reader.at..).unwrap_or(&[]);
        if rest.len() != len {
            return Err(CoreError::Malformed(format!(
                "Proposal.value: length says {len} bytes, {} follow",
                rest.len()
            )));
        }
        Ok(Proposal {
            chain_id,
            height,
            round,
            pol_round,
            block_hash,
            proposer,
            signature,
            value: rest.to_vec(),
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> CoreResult<[u8; N]> {
        let end = self.at + N;
        let slice = self.bytes.get(self.at..end).ok_or_else(|| {
            CoreError::Malformed(format!("Proposal: truncated at byte {}", self.at))
        })?;
        self.at = end;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(pol: Option<u32>) -> Proposal {
        Proposal {
            chain_id: [7; 32],
            height: 12,
            round: 3,
            pol_round: pol,
            block_hash: [9; 32],
            proposer: [4; 32],
            signature: [5; 64],
            value: b"block bytes".to_vec(),
        }
    }

    #[test]
    fn round_trips_and_digest_covers_pol_round() {
        for pol in [None, Some(0), Some(2)] {
            let p = sample(pol);
            assert_eq!(Proposal::decode(&p.encode().unwrap()).unwrap(), p);
        }
        assert_ne!(
            sample(None).signing_digest(),
            sample(Some(0)).signing_digest()
        );
        let mut other = sample(None);
        other.value = b"other".to_vec();
        // The value is identified by block_hash, not signed directly.
        assert_eq!(other.signing_digest(), sample(None).signing_digest());
    }

    #[test]
    fn hostile_encodings_are_rejected() {
        let good = sample(Some(1)).encode().unwrap();
        for cut in 0..good.len() {
            assert_eq!(
                Proposal::decode(&good[..cut]).unwrap_err().code(),
                "wire.malformed"
            );
        }
        let mut extra = good.clone();
        extra.push(0);
        assert_eq!(
            Proposal::decode(&extra).unwrap_err().code(),
            "wire.malformed"
        );
        let mut version = good.clone();
        version[0] = 2;
        assert_eq!(
            Proposal::decode(&version).unwrap_err().code(),
            "wire.malformed"
        );
        let mut bad_pol = sample(None).encode().unwrap();
        bad_pol[1 + 32 + 8 + 4 + 1] = 1; // has_pol = 0 with a non-zero round
        assert_eq!(
            Proposal::decode(&bad_pol).unwrap_err().code(),
            "wire.malformed"
        );
        let mut flag = good.clone();
        flag[1 + 32 + 8 + 4] = 2;
        assert_eq!(
            Proposal::decode(&flag).unwrap_err().code(),
            "wire.malformed"
        );
        let mut huge_len = good.clone();
        let at = HEADER_LEN - 4;
        huge_len[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            Proposal::decode(&huge_len).unwrap_err().code(),
            "wire.too_large"
        );
        let huge = vec![1u8; HEADER_LEN + MAX_VALUE_BYTES + 1];
        assert_eq!(
            Proposal::decode(&huge).unwrap_err().code(),
            "wire.too_large"
        );
        let mut big = sample(None);
        big.value = vec![0; MAX_VALUE_BYTES + 1];
        assert_eq!(big.encode().unwrap_err().code(), "core.invalid_input");
    }
}
