//! Ed25519 signatures under ONE fixed rule set, shared by single and batch verification.
//!
//! Consensus needs every node, and both verification paths, to decide every input the
//! same way, including the edge cases on which Ed25519 libraries disagree. A signature
//! `R ‖ S` on message `M` under public key `A` is valid if and only if:
//!
//! 1. `A` is 32 bytes and `R ‖ S` is 64 bytes;
//! 2. `A` and `R` are canonical point encodings: they decode, and re-encoding the decoded
//!    point gives back the same bytes (y < p, and no sign bit on x = 0);
//! 3. neither `A` nor `R` is a point of small order (`[8]P == O`);
//! 4. `S` is canonical: `S < l`, the order of the prime subgroup;
//! 5. with `k = SHA-512(R ‖ A ‖ M) mod l`, the cofactored equation holds:
//!    `[8]([S]B - [k]A - R) == O`.
//!
//! The cofactored equation is the one a randomized batch check can decide, so the batch
//! path ([`verify_batch`]) agrees with [`verify`] on every input, by construction rather
//! than by luck: rules 1–4 run on each item before either equation, and a failing batch is
//! narrowed down with the single equation. Mixed-order keys (with a torsion component but
//! not small order) are accepted when rule 5 holds; they cannot be produced by honest key
//! generation and do not let anyone forge for an honest key.
//!
//! Signing is RFC 8032 deterministic Ed25519 from a 32-byte seed; signatures made here
//! verify with any RFC 8032 verifier, and honest signatures from any RFC 8032 signer
//! verify here. `docs/signatures.md` gives the rule set with the test vectors that pin it.

mod batch;
mod encoding;
mod key_cache;
mod signing;
mod verify;

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod vector_tests;

pub use batch::{
    batch_threads, set_batch_threads, verify_batch, verify_batch_with, verify_batch_with_threads, BatchItem, THREADS_ENV,
};
pub use encoding::{PUBLIC_KEY_LEN, SEED_LEN, SIGNATURE_LEN};
pub use key_cache::KeyDecoding;
pub use signing::{public_key, sign};
pub use verify::{verify, verify_with};
