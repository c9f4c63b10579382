//! The public Ed25519 edge-case vectors, each decided through BOTH the single and the
//! batch path, against the decision our rule set prescribes.
//!
//! The vectors live outside the repository (read-only shared test data). They are found
//! through `TONOMY_TESTDATA` (the `testdata` folder, or its `ed25519` folder), else in a
//! `shared/testdata/ed25519` folder beside the repository or one of its ancestors.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{public_key, sign, verify, verify_batch, verify_batch_with, verify_with, BatchItem, KeyDecoding};

pub(super) struct Vector {
    pub(super) name: String,
    pub(super) public_key: Vec<u8>,
    pub(super) message: Vec<u8>,
    pub(super) signature: Vec<u8>,
    pub(super) valid: bool,
}

fn testdata_dir() -> PathBuf {
    const MARKER: &str = "speccheck_cases.json";
    if let Some(dir) = std::env::var_os("TONOMY_TESTDATA") {
        let dir = PathBuf::from(dir);
        for candidate in [dir.join("ed25519"), dir.clone()] {
            if candidate.join(MARKER).is_file() {
                return candidate;
            }
        }
        panic!("TONOMY_TESTDATA={} holds no ed25519/{MARKER}", dir.display());
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("shared/testdata/ed25519"))
        .find(|dir| dir.join(MARKER).is_file())
        .unwrap_or_else(|| {
            panic!(
                "Ed25519 test vectors not found: set TONOMY_TESTDATA to the shared testdata \
                 folder, or place shared/testdata/ed25519 beside the repository"
            )
        })
}

fn load(name: &str) -> Value {
    let path = testdata_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn hex_field(value: &Value, field: &str) -> Vec<u8> {
    let text = value[field].as_str().unwrap_or_else(|| panic!("missing {field} in {value}"));
    hex::decode(text).unwrap_or_else(|e| panic!("{field} is not hex: {e}"))
}

/// Speccheck cases 0–11 and what our rules decide: only 3, 4, 5 (mixed-order points,
/// cofactored equation) are valid; 0–2 have small-order A or R, 6–7 non-canonical S,
/// 8–9 non-canonical R, 10–11 non-canonical (small-order) A.
pub(super) const SPECCHECK_VALID: [bool; 12] =
    [false, false, false, true, true, true, false, false, false, false, false, false];

pub(super) fn speccheck() -> Vec<Vector> {
    let cases = load("speccheck_cases.json");
    let cases = cases.as_array().expect("speccheck cases are a list");
    assert_eq!(cases.len(), SPECCHECK_VALID.len());
    cases
        .iter()
        .zip(SPECCHECK_VALID)
        .enumerate()
        .map(|(number, (case, valid))| Vector {
            name: format!("speccheck {number}"),
            public_key: hex_field(case, "pub_key"),
            message: hex_field(case, "message"),
            signature: hex_field(case, "signature"),
            valid,
        })
        .collect()
}

/// Wycheproof: "valid" must be accepted, "invalid" rejected (no case needs an exception:
/// see `docs/signatures.md`).
pub(super) fn wycheproof() -> Vec<Vector> {
    let file = load("wycheproof_ed25519_test.json");
    let mut out = Vec::new();
    for group in file["testGroups"].as_array().expect("testGroups") {
        let key = hex_field(&group["publicKey"], "pk");
        for test in group["tests"].as_array().expect("tests") {
            let result = test["result"].as_str().expect("result");
            assert!(result == "valid" || result == "invalid", "unexpected result {result}");
            out.push(Vector {
                name: format!("wycheproof tcId {} {}", test["tcId"], test["flags"]),
                public_key: key.clone(),
                message: hex_field(test, "msg"),
                signature: hex_field(test, "sig"),
                valid: result == "valid",
            });
        }
    }
    assert_eq!(out.len() as u64, file["numberOfTests"].as_u64().expect("numberOfTests"));
    out
}

/// CCTV: every vector satisfies the cofactored equation for some reading of its encodings;
/// our rules reject exactly those with a small-order or non-canonical A or R. The flags
/// `low_order_component_*` (mixed order) and `low_order_residue` (passes the cofactored
/// equation only) do not matter to us; `reencoded_k` occurs only with non-canonical points.
pub(super) fn cctv() -> Vec<Vector> {
    const REJECTING_FLAGS: [&str; 4] = ["low_order_A", "low_order_R", "non_canonical_A", "non_canonical_R"];
    let file = load("cctv_ed25519vectors.json");
    let vectors = file.as_array().expect("CCTV vectors are a list");
    assert_eq!(vectors.len(), 914);
    vectors
        .iter()
        .map(|vector| {
            let flags: Vec<&str> = vector["flags"]
                .as_array()
                .map(|list| list.iter().map(|f| f.as_str().expect("flag")).collect())
                .unwrap_or_default();
            Vector {
                name: format!("cctv {} {flags:?}", vector["number"]),
                public_key: hex_field(vector, "key"),
                message: vector["msg"].as_str().expect("msg").as_bytes().to_vec(),
                signature: hex_field(vector, "sig"),
                valid: !flags.iter().any(|f| REJECTING_FLAGS.contains(f)),
            }
        })
        .collect()
}

fn items(vectors: &[Vector]) -> Vec<BatchItem<'_>> {
    vectors
        .iter()
        .map(|v| BatchItem { public_key: &v.public_key, message: &v.message, signature: &v.signature })
        .collect()
}

/// Single path, batch path (whole set, with 1 and 2 threads, and each vector alone) and
/// the set mixed with honest signatures must all give the expected decision, with keys
/// decoded afresh and through the key cache (cold, then warm: every key is seen twice).
fn check_both_paths(vectors: &[Vector]) {
    const DECODINGS: [KeyDecoding; 3] = [KeyDecoding::Fresh, KeyDecoding::Cached, KeyDecoding::Cached];
    for v in vectors {
        let fresh = verify_with(&v.public_key, &v.message, &v.signature, KeyDecoding::Fresh);
        assert_eq!(fresh.is_ok(), v.valid, "single path: {} -> {fresh:?}", v.name);
        for _ in 0..2 {
            let cached = verify(&v.public_key, &v.message, &v.signature);
            assert_eq!(cached, fresh, "single path, cached key: {}", v.name);
        }
        let alone = verify_batch(&items(std::slice::from_ref(v)));
        assert_eq!(alone, vec![v.valid], "batch of one: {}", v.name);
    }
    let expected: Vec<bool> = vectors.iter().map(|v| v.valid).collect();
    let all = items(vectors);
    for threads in [1, 2, 8] {
        for keys in DECODINGS {
            assert_eq!(verify_batch_with(&all, threads, keys), expected, "batch, {threads} threads, {keys:?}");
        }
    }

    // Interleave honest signatures so failing vectors sit inside mostly valid batches.
    let honest: Vec<Vector> = (0..vectors.len())
        .map(|i| {
            let seed = [(i % 251) as u8; 32];
            let message = format!("honest {i}").into_bytes();
            Vector {
                name: format!("honest {i}"),
                public_key: public_key(&seed).to_vec(),
                signature: sign(&seed, &message).to_vec(),
                message,
                valid: true,
            }
        })
        .collect();
    let mut mixed = Vec::new();
    let mut mixed_expected = Vec::new();
    for (vector, good) in vectors.iter().zip(&honest) {
        for v in [good, vector, good] {
            mixed.push(BatchItem { public_key: &v.public_key, message: &v.message, signature: &v.signature });
            mixed_expected.push(v.valid);
        }
    }
    for keys in DECODINGS {
        assert_eq!(verify_batch_with(&mixed, 2, keys), mixed_expected, "mixed with honest signatures, {keys:?}");
    }
}

#[test]
fn speccheck_cases_through_both_paths() {
    check_both_paths(&speccheck());
}

#[test]
fn speccheck_rejections_give_their_reason() {
    let vectors = speccheck();
    let reason = |i: usize| {
        let v: &Vector = &vectors[i];
        let err = verify(&v.public_key, &v.message, &v.signature).unwrap_err();
        (err.code(), err.to_string())
    };
    for (case, code, words) in [
        (0, "crypto.invalid_public_key", "small order"),
        (1, "crypto.invalid_public_key", "small order"),
        (2, "crypto.invalid_signature", "R is a point of small order"),
        (6, "crypto.invalid_signature", "S is not canonical"),
        (7, "crypto.invalid_signature", "S is not canonical"),
        (8, "crypto.invalid_signature", "R is a non-canonical"),
        (9, "crypto.invalid_signature", "R is a non-canonical"),
        (10, "crypto.invalid_public_key", "non-canonical"),
        (11, "crypto.invalid_public_key", "non-canonical"),
    ] {
        let (got_code, message) = reason(case);
        assert_eq!(got_code, code, "case {case}: {message}");
        assert!(message.contains(words), "case {case}: {message}");
    }
}

#[test]
fn wycheproof_cases_through_both_paths() {
    let vectors = wycheproof();
    assert!(vectors.iter().any(|v| v.valid) && vectors.iter().any(|v| !v.valid));
    check_both_paths(&vectors);
}

#[test]
fn cctv_vectors_through_both_paths() {
    let vectors = cctv();
    let accepted = vectors.iter().filter(|v| v.valid).count();
    assert!(accepted > 0 && accepted < vectors.len());
    check_both_paths(&vectors);
}
