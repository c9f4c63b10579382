//! Decoding of Ed25519 public keys and signatures under the fixed rule set.
//!
//! Everything a verifier can decide from the encodings alone happens here, once, so
//! the single and the batch path share it and cannot drift apart: lengths, canonical
//! point encodings, small-order points, canonical `S`, and the challenge `k`.

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest as _, Sha512};

use super::key_cache::KeyDecoding;
use crate::{CoreError, CoreResult};

/// Length of a public key, a seed and each half of a signature.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Length of a secret seed (RFC 8032 private key).
pub const SEED_LEN: usize = 32;
/// Length of a signature `R ‖ S`.
pub const SIGNATURE_LEN: usize = 64;

/// A signature whose encodings passed every rule, with its challenge computed:
/// what is left to decide is only the group equation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prepared {
    pub(crate) public_key: EdwardsPoint,
    pub(crate) commitment: EdwardsPoint,
    pub(crate) response: Scalar,
    pub(crate) challenge: Scalar,
}

/// Apply every encoding rule to one `(public key, message, signature)` and compute
/// `k = SHA-512(R ‖ A ‖ M) mod l`.
pub(crate) fn prepare(public_key: &[u8], message: &[u8], signature: &[u8], keys: KeyDecoding) -> CoreResult<Prepared> {
    let key_bytes = key_array(public_key)?;
    signature_array(signature)?; // both lengths before any decoding: the documented order
    let point = decode_public_key(&key_bytes, keys)?;
    prepare_with_key(&key_bytes, point, message, signature)
}

fn signature_array(signature: &[u8]) -> CoreResult<[u8; SIGNATURE_LEN]> {
    fixed::<SIGNATURE_LEN>(signature).ok_or_else(|| {
        CoreError::InvalidSignature(format!(
            "a signature is {SIGNATURE_LEN} bytes, got {}",
            signature.len()
        ))
    })
}

/// A public key's bytes as an array; any other length is `InvalidPublicKey`.
pub(crate) fn key_array(public_key: &[u8]) -> CoreResult<[u8; PUBLIC_KEY_LEN]> {
    fixed::<PUBLIC_KEY_LEN>(public_key).ok_or_else(|| {
        CoreError::InvalidPublicKey(format!(
            "a public key is {PUBLIC_KEY_LEN} bytes, got {}",
            public_key.len()
        ))
    })
}

/// [`prepare`] for a key already decoded by [`decode_public_key`] from `key_bytes`
/// (the batch path decodes each distinct key once per chunk).
pub(crate) fn prepare_with_key(
    key_bytes: &[u8; PUBLIC_KEY_LEN],
    public_key: EdwardsPoint,
    message: &[u8],
    signature: &[u8],
) -> CoreResult<Prepared> {
    let signature_bytes = signature_array(signature)?;
    let (r_bytes, s_bytes) = split_signature(&signature_bytes);
    let response = decode_response(s_bytes)?;
    let commitment = decode_point(&r_bytes).map_err(|why| CoreError::InvalidSignature(format!("R {why}")))?;

    Ok(Prepared {
        public_key,
        commitment,
        response,
        challenge: challenge(&r_bytes, key_bytes, message),
    })
}

/// Decode a public key: a canonical encoding of a point that is not of small order.
pub(crate) fn decode_public_key(bytes: &[u8; PUBLIC_KEY_LEN], keys: KeyDecoding) -> CoreResult<EdwardsPoint> {
    keys.decode(bytes).map_err(|why| CoreError::InvalidPublicKey(format!("the key {why}")))
}

/// `k = SHA-512(R ‖ A ‖ M)` reduced mod l. Reducing `k` (not `8·k`) is what keeps the
/// cofactored equation exact: `[8]([k]A)` kills A's torsion part for any `k`.
pub(crate) fn challenge(r_bytes: &[u8; 32], key_bytes: &[u8; 32], message: &[u8]) -> Scalar {
    let mut hasher = Sha512::new();
    hasher.update(r_bytes);
    hasher.update(key_bytes);
    hasher.update(message);
    let digest: [u8; 64] = hasher.finalize().into();
    Scalar::from_bytes_mod_order_wide(&digest)
}

/// `S` must be the canonical encoding of a scalar below the group order l.
fn decode_response(bytes: [u8; 32]) -> CoreResult<Scalar> {
    Option::<Scalar>::from(Scalar::from_canonical_bytes(bytes)).ok_or_else(|| {
        CoreError::InvalidSignature("S is not canonical (S >= l): the signature is malleable".into())
    })
}

/// Decode a curve point under the rules shared by `A` and `R`; the error says why
/// (it is prefixed by which of the two it is).
pub(crate) fn decode_point(bytes: &[u8; 32]) -> Result<EdwardsPoint, &'static str> {
    if !is_canonical_encoding(bytes) {
        return Err("is a non-canonical point encoding");
    }
    let point = CompressedEdwardsY(*bytes)
        .decompress()
        .ok_or("is not the encoding of a curve point")?;
    if point.is_small_order() {
        return Err("is a point of small order");
    }
    Ok(point)
}

/// True when decoding then re-encoding the point would give back `bytes`, decided on the
/// bytes alone (no field inversion): the y coordinate is below p = 2^255 - 19, and the sign
/// bit is not set on x = 0 (the points with x = 0 are exactly y = 1 and y = p - 1).
/// Tests check this against `decompress().compress()` on every vector and edge case.
pub(crate) fn is_canonical_encoding(bytes: &[u8; 32]) -> bool {
    let sign_bit = bytes[31] >> 7;
    let mut y = *bytes;
    y[31] &= 0x7f;
    let y_below_p = !(y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed);
    if !y_below_p {
        return false;
    }
    let high_zero = y[1..].iter().all(|&b| b == 0);
    let is_one = high_zero && y[0] == 1;
    let is_minus_one = y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] == 0xec;
    !(sign_bit == 1 && (is_one || is_minus_one))
}

fn fixed<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    <[u8; N]>::try_from(bytes).ok()
}

/// `R ‖ S` → `(R, S)`; constant ranges of a fixed array, so no panic is possible.
pub(crate) fn split_signature(signature: &[u8; SIGNATURE_LEN]) -> ([u8; 32], [u8; 32]) {
    let mut r_bytes = [0u8; 32];
    let mut s_bytes = [0u8; 32];
    r_bytes.copy_from_slice(&signature[..32]);
    s_bytes.copy_from_slice(&signature[32..]);
    (r_bytes, s_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    fn reencodes(bytes: &[u8; 32]) -> bool {
        CompressedEdwardsY(*bytes)
            .decompress()
            .is_some_and(|p| p.compress().to_bytes() == *bytes)
    }

    /// Encodings whose y is at or above p, or near the x = 0 points, with both signs.
    fn edge_encodings() -> Vec<[u8; 32]> {
        let mut out = Vec::new();
        let mut p_minus_1 = [0xffu8; 32];
        p_minus_1[0] = 0xec;
        p_minus_1[31] = 0x7f;
        for low in 0xe0u8..=0xff {
            let mut y = p_minus_1;
            y[0] = low;
            out.push(y);
        }
        for small in 0u8..=20 {
            let mut y = [0u8; 32];
            y[0] = small;
            out.push(y);
        }
        for point in EIGHT_TORSION.iter() {
            out.push(point.compress().to_bytes());
        }
        let signed: Vec<[u8; 32]> = out
            .iter()
            .map(|y| {
                let mut s = *y;
                s[31] |= 0x80;
                s
            })
            .collect();
        out.extend(signed);
        out
    }

    #[test]
    fn byte_level_canonical_check_equals_reencoding() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut inputs = edge_encodings();
        for _ in 0..2000 {
            inputs.push(rng.gen());
        }
        for bytes in inputs {
            let decodes = CompressedEdwardsY(bytes).decompress().is_some();
            if decodes {
                assert_eq!(is_canonical_encoding(&bytes), reencodes(&bytes), "{}", hex::encode(bytes));
            }
        }
    }

    #[test]
    fn every_small_order_point_is_rejected_as_key() {
        for keys in [KeyDecoding::Fresh, KeyDecoding::Cached, KeyDecoding::Cached] {
            for point in EIGHT_TORSION.iter() {
                let err = decode_public_key(&point.compress().to_bytes(), keys).unwrap_err();
                assert_eq!(err.code(), "crypto.invalid_public_key");
                assert!(err.to_string().contains("small order"), "{err}");
            }
        }
    }

    #[test]
    fn wrong_lengths_name_what_is_wrong() {
        let pk = [0u8; 31];
        let err = prepare(&pk, b"", &[0u8; 64], KeyDecoding::Cached).unwrap_err();
        assert_eq!(err.code(), "crypto.invalid_public_key");
        assert!(err.to_string().contains("32 bytes, got 31"));
        let err = prepare(&[0u8; 32], b"", &[0u8; 65], KeyDecoding::Cached).unwrap_err();
        assert_eq!(err.code(), "crypto.invalid_signature");
        assert!(err.to_string().contains("64 bytes, got 65"));
    }

    #[test]
    fn s_at_or_above_l_is_rejected() {
        let l: [u8; 32] = hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
            .unwrap()
            .try_into()
            .unwrap();
        assert!(decode_response(l).is_err());
        let mut l_minus_1 = l;
        l_minus_1[0] -= 1;
        assert!(decode_response(l_minus_1).is_ok());
        assert!(decode_response([0xff; 32]).is_err());
    }
}
