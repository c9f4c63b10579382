//! Key derivation and deterministic signing (RFC 8032, Ed25519 "pure").
//!
//! The secret is the 32-byte seed; its SHA-512 expansion is recomputed per call and
//! wiped afterwards, so no long-lived object holds it. Signing uses only constant-time
//! operations on secret data (fixed-base table multiplication, scalar arithmetic).

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::{clamp_integer, Scalar};
use sha2::{Digest as _, Sha512};
use zeroize::Zeroize;

use super::encoding::{challenge, PUBLIC_KEY_LEN, SEED_LEN, SIGNATURE_LEN};

/// The SHA-512 expansion of a seed: the clamped secret scalar and the nonce prefix.
struct ExpandedSecret {
    scalar: Scalar,
    nonce_prefix: [u8; 32],
}

impl ExpandedSecret {
    fn from_seed(seed: &[u8; SEED_LEN]) -> Self {
        let mut digest: [u8; 64] = Sha512::digest(seed).into();
        let mut low = [0u8; 32];
        let mut nonce_prefix = [0u8; 32];
        low.copy_from_slice(&digest[..32]);
        nonce_prefix.copy_from_slice(&digest[32..]);
        let mut clamped = clamp_integer(low);
        // The clamped integer may exceed l; [a]B only depends on a mod l.
        let scalar = Scalar::from_bytes_mod_order(clamped);
        digest.zeroize();
        low.zeroize();
        clamped.zeroize();
        ExpandedSecret { scalar, nonce_prefix }
    }

    fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        EdwardsPoint::mul_base(&self.scalar).compress().to_bytes()
    }
}

impl Drop for ExpandedSecret {
    fn drop(&mut self) {
        self.scalar.zeroize();
        self.nonce_prefix.zeroize();
    }
}

/// The public key `A = [a]B` of a 32-byte seed.
pub fn public_key(seed: &[u8; SEED_LEN]) -> [u8; PUBLIC_KEY_LEN] {
    ExpandedSecret::from_seed(seed).public_key()
}

/// Sign `message` with the key of `seed`: `R = [r]B` with `r = SHA-512(prefix ‖ M)`,
/// `S = r + k·a` with `k = SHA-512(R ‖ A ‖ M)`. Deterministic: the same seed and message
/// always give the same signature, and it verifies under our rules.
pub fn sign(seed: &[u8; SEED_LEN], message: &[u8]) -> [u8; SIGNATURE_LEN] {
    let secret = ExpandedSecret::from_seed(seed);
    let public_key = secret.public_key();

    let mut nonce_hasher = Sha512::new();
    nonce_hasher.update(secret.nonce_prefix);
    nonce_hasher.update(message);
    let mut nonce_digest: [u8; 64] = nonce_hasher.finalize().into();
    let mut nonce = Scalar::from_bytes_mod_order_wide(&nonce_digest);
    nonce_digest.zeroize();

    let commitment = EdwardsPoint::mul_base(&nonce).compress().to_bytes();
    let k = challenge(&commitment, &public_key, message);
    let response = k * secret.scalar + nonce;
    nonce.zeroize();

    let mut signature = [0u8; SIGNATURE_LEN];
    signature[..32].copy_from_slice(&commitment);
    signature[32..].copy_from_slice(response.as_bytes());
    signature
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes<const N: usize>(text: &str) -> [u8; N] {
        hex::decode(text).unwrap().try_into().unwrap()
    }

    /// RFC 8032 section 7.1, tests 1 to 3.
    #[test]
    fn rfc8032_test_vectors() {
        let cases = [
            (
                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
            (
                "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            ),
            (
                "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
                "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
                "af82",
                "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
            ),
        ];
        for (seed, pk, msg, sig) in cases {
            let seed = bytes::<32>(seed);
            let msg = hex::decode(msg).unwrap();
            assert_eq!(public_key(&seed), bytes::<32>(pk));
            assert_eq!(sign(&seed, &msg), bytes::<64>(sig));
        }
    }
}
