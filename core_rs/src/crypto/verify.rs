//! Single-signature verification under the fixed rule set (see the module docs).

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::traits::IsIdentity;

use super::encoding::{prepare, Prepared};
use super::key_cache::KeyDecoding;
use crate::{CoreError, CoreResult};

/// Verify one signature. `Ok(())` if it is valid under the rule set; otherwise
/// `InvalidPublicKey` or `InvalidSignature` with the reason.
pub fn verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> CoreResult<()> {
    verify_with(public_key, message, signature, KeyDecoding::Cached)
}

/// [`verify`] with the key decoded as `keys` says (the verdict and error are the same).
pub fn verify_with(public_key: &[u8], message: &[u8], signature: &[u8], keys: KeyDecoding) -> CoreResult<()> {
    let prepared = prepare(public_key, message, signature, keys)?;
    if cofactored_equation_holds(&prepared) {
        Ok(())
    } else {
        Err(CoreError::InvalidSignature(
            "the signature does not match this key and message".into(),
        ))
    }
}

/// `[8]([S]B - [k]A - R) == O`, the one equation both paths decide.
pub(crate) fn cofactored_equation_holds(item: &Prepared) -> bool {
    let minus_key = -item.public_key;
    // [k](-A) + [S]B, then - R; the cofactor is applied last, on the whole difference.
    let sb_minus_ka = EdwardsPoint::vartime_double_scalar_mul_basepoint(
        &item.challenge,
        &minus_key,
        &item.response,
    );
    (sb_minus_ka - item.commitment).mul_by_cofactor().is_identity()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{public_key, sign};

    #[test]
    fn own_signatures_verify_and_corruptions_do_not() {
        let seed = [7u8; 32];
        let pk = public_key(&seed);
        let sig = sign(&seed, b"hello");
        verify(&pk, b"hello", &sig).unwrap();

        let err = verify(&pk, b"hellO", &sig).unwrap_err();
        assert_eq!(err.code(), "crypto.invalid_signature");

        let other = public_key(&[8u8; 32]);
        assert_eq!(verify(&other, b"hello", &sig).unwrap_err().code(), "crypto.invalid_signature");

        for byte in 0..64 {
            let mut bad = sig;
            bad[byte] ^= 0x01;
            assert!(verify(&pk, b"hello", &bad).is_err(), "flip in byte {byte} accepted");
        }
    }

    #[test]
    fn empty_and_long_messages() {
        let seed = [1u8; 32];
        let pk = public_key(&seed);
        let long = vec![0xabu8; 1 << 20];
        for msg in [&b""[..], &long[..]] {
            verify(&pk, msg, &sign(&seed, msg)).unwrap();
        }
    }
}
