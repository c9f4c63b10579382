//! Selective disclosure (SD-JWT style): match revealed disclosures to signed digests.
//!
//! An issuer salts every selectively disclosable claim into a *disclosure*
//! (`base64url(JSON [salt, name, value])`) and signs only the list of their digests
//! (`SHA-256` of the disclosure's ASCII text, as in SD-JWT). A holder reveals some
//! disclosures per presentation; the verifier must make sure each revealed one is
//! covered by the signature. That check is this module: it runs on hostile input
//! (anything a holder sends), so every size is bounded and nothing here can panic.
//!
//! The JSON inside a disclosure is decoded by the caller (the Python credentials
//! library) only *after* this check passed, so unsigned bytes are never parsed.

use sha2::{Digest, Sha256};

use crate::{CoreError, CoreResult};

/// Size of one digest (SHA-256).
pub const DIGEST_LEN: usize = 32;
/// Most digests one credential may sign (claims plus decoys).
pub const MAX_DIGESTS: usize = 1024;
/// Most disclosures one presentation may reveal.
pub const MAX_DISCLOSURES: usize = 1024;
/// Largest single disclosure (base64url text).
pub const MAX_DISCLOSURE_LEN: usize = 16 * 1024;
/// Largest sum of all disclosures in one presentation.
pub const MAX_TOTAL_LEN: usize = 1024 * 1024;

/// The digest of one disclosure: SHA-256 over its base64url ASCII text.
pub fn disclosure_digest(disclosure: &[u8]) -> [u8; DIGEST_LEN] {
    let mut out = [0u8; DIGEST_LEN];
    out.copy_from_slice(&Sha256::digest(disclosure));
    out
}

fn is_base64url(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
}

/// Check the signed digest list itself: right size per digest, bounded, no duplicates.
fn check_digests(digests: &[&[u8]]) -> CoreResult<Vec<[u8; DIGEST_LEN]>> {
    if digests.len() > MAX_DIGESTS {
        return Err(CoreError::TooLarge(format!("{} digests, at most {MAX_DIGESTS}", digests.len())));
    }
    let mut fixed = Vec::with_capacity(digests.len());
    for (index, digest) in digests.iter().enumerate() {
        let array: [u8; DIGEST_LEN] = (*digest).try_into().map_err(|_| {
            CoreError::InvalidInput(format!("digest {index} is {} bytes, not {DIGEST_LEN}", digest.len()))
        })?;
        fixed.push(array);
    }
    let mut sorted = fixed.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(CoreError::InvalidInput("the signed digest list repeats a digest".into()));
    }
    Ok(fixed)
}

/// For each disclosure, the index of its digest in the signed list.
///
/// Refuses (`InvalidInput`/`TooLarge`/`InvalidProof`): a digest of the wrong size or a
/// repeated digest in the signed list, an empty or non-base64url disclosure, the same
/// disclosure revealed twice, too many or too large disclosures, and — the point of the
/// check — a disclosure whose digest the issuer did not sign.
pub fn match_disclosures(digests: &[&[u8]], disclosures: &[&[u8]]) -> CoreResult<Vec<usize>> {
    let signed = check_digests(digests)?;
    if disclosures.len() > MAX_DISCLOSURES {
        return Err(CoreError::TooLarge(format!("{} disclosures, at most {MAX_DISCLOSURES}", disclosures.len())));
    }
    let mut total: usize = 0;
    for (index, disclosure) in disclosures.iter().enumerate() {
        if disclosure.len() > MAX_DISCLOSURE_LEN {
            return Err(CoreError::TooLarge(format!("disclosure {index} is over {MAX_DISCLOSURE_LEN} bytes")));
        }
        total = total.saturating_add(disclosure.len());
        if total > MAX_TOTAL_LEN {
            return Err(CoreError::TooLarge(format!("disclosures total over {MAX_TOTAL_LEN} bytes")));
        }
        if disclosure.is_empty() || !is_base64url(disclosure) {
            return Err(CoreError::InvalidInput(format!("disclosure {index} is not base64url text")));
        }
    }
    // Index the signed digests once, so the matching is O(n log n) even at the bounds.
    let mut by_digest: Vec<([u8; DIGEST_LEN], usize)> = signed.iter().copied().zip(0..).collect();
    by_digest.sort_unstable();
    let mut found = Vec::with_capacity(disclosures.len());
    let mut used = vec![false; signed.len()];
    for (index, disclosure) in disclosures.iter().enumerate() {
        let digest = disclosure_digest(disclosure);
        let position = by_digest
            .binary_search_by(|(candidate, _)| candidate.cmp(&digest))
            .map_err(|_| CoreError::InvalidProof(format!("disclosure {index} is not covered by the signed digests")))?;
        let slot = by_digest
            .get(position)
            .map(|(_, slot)| *slot)
            .ok_or_else(|| CoreError::Internal("digest index out of range".into()))?;
        let seen = used
            .get_mut(slot)
            .ok_or_else(|| CoreError::Internal("digest slot out of range".into()))?;
        if *seen {
            return Err(CoreError::InvalidInput(format!("disclosure {index} is revealed twice")));
        }
        *seen = true;
        found.push(slot);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digests_of(items: &[&[u8]]) -> Vec<[u8; 32]> {
        items.iter().map(|d| disclosure_digest(d)).collect()
    }

    fn refs(v: &[[u8; 32]]) -> Vec<&[u8]> {
        v.iter().map(|d| d.as_slice()).collect()
    }

    #[test]
    fn sd_jwt_published_digest() {
        // The example disclosure of the SD-JWT specification ("family_name": "Möbius")
        // and the digest it publishes for it.
        let disclosure = b"WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";
        let digest = disclosure_digest(disclosure);
        let expected = "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0";
        // base64url without padding of the digest
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut text = String::new();
        let mut bits: u32 = 0;
        let mut nbits = 0;
        for byte in digest {
            bits = (bits << 8) | u32::from(byte);
            nbits += 8;
            while nbits >= 6 {
                nbits -= 6;
                text.push(alphabet[((bits >> nbits) & 63) as usize] as char);
            }
        }
        if nbits > 0 {
            text.push(alphabet[((bits << (6 - nbits)) & 63) as usize] as char);
        }
        assert_eq!(text, expected);
    }

    #[test]
    fn matches_revealed_subset_in_order() {
        let all: [&[u8]; 3] = [b"YWFh", b"YmJi", b"Y2Nj"];
        let signed = digests_of(&all);
        let got = match_disclosures(&refs(&signed), &[b"Y2Nj", b"YWFh"]).unwrap();
        assert_eq!(got, vec![2, 0]);
        assert_eq!(match_disclosures(&refs(&signed), &[]).unwrap(), Vec::<usize>::new());
    }

    #[test]
    fn refuses_unsigned_disclosure() {
        let signed = digests_of(&[b"YWFh"]);
        let err = match_disclosures(&refs(&signed), &[b"YWFi"]).unwrap_err();
        assert_eq!(err.code(), "proof.invalid");
    }

    #[test]
    fn refuses_duplicates() {
        let signed = digests_of(&[b"YWFh", b"YmJi"]);
        let err = match_disclosures(&refs(&signed), &[b"YWFh", b"YWFh"]).unwrap_err();
        assert_eq!(err.code(), "core.invalid_input");
        let doubled = digests_of(&[b"YWFh", b"YWFh"]);
        let err = match_disclosures(&refs(&doubled), &[b"YWFh"]).unwrap_err();
        assert_eq!(err.code(), "core.invalid_input");
    }

    #[test]
    fn refuses_bad_shapes_and_sizes() {
        let signed = digests_of(&[b"YWFh"]);
        let short: Vec<&[u8]> = vec![&[0u8; 31]];
        assert_eq!(match_disclosures(&short, &[]).unwrap_err().code(), "core.invalid_input");
        assert_eq!(match_disclosures(&refs(&signed), &[b""]).unwrap_err().code(), "core.invalid_input");
        assert_eq!(match_disclosures(&refs(&signed), &[b"a=b"]).unwrap_err().code(), "core.invalid_input");
        assert_eq!(match_disclosures(&refs(&signed), &["é".as_bytes()]).unwrap_err().code(), "core.invalid_input");
        let huge = vec![b'A'; MAX_DISCLOSURE_LEN + 1];
        assert_eq!(match_disclosures(&refs(&signed), &[&huge]).unwrap_err().code(), "wire.too_large");
        let many_digests = vec![[0u8; 32]; MAX_DIGESTS + 1];
        assert_eq!(match_disclosures(&refs(&many_digests), &[]).unwrap_err().code(), "wire.too_large");
        let many: Vec<&[u8]> = vec![b"YWFh"; MAX_DISCLOSURES + 1];
        assert_eq!(match_disclosures(&refs(&signed), &many).unwrap_err().code(), "wire.too_large");
        let big = vec![b'A'; MAX_DISCLOSURE_LEN];
        let total: Vec<&[u8]> = vec![&big; MAX_TOTAL_LEN / MAX_DISCLOSURE_LEN + 1];
        assert_eq!(match_disclosures(&refs(&signed), &total).unwrap_err().code(), "wire.too_large");
    }

    #[test]
    fn random_garbage_never_panics() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..2000 {
            let n = rng.gen_range(0..6);
            let digests: Vec<Vec<u8>> = (0..n).map(|_| (0..rng.gen_range(0..40)).map(|_| rng.gen()).collect()).collect();
            let m = rng.gen_range(0..6);
            let discs: Vec<Vec<u8>> = (0..m).map(|_| (0..rng.gen_range(0..40)).map(|_| rng.gen()).collect()).collect();
            let d: Vec<&[u8]> = digests.iter().map(|v| v.as_slice()).collect();
            let s: Vec<&[u8]> = discs.iter().map(|v| v.as_slice()).collect();
            let _ = match_disclosures(&d, &s);
        }
    }
}
