//! Property tests against a naive transcription of RFC 6962's recursive definitions.

use rand::{rngs::StdRng, Rng, SeedableRng};

use super::*;
use crate::hash::Digest;

/// MTH(D[n]) exactly as RFC 6962 section 2.1 writes it.
fn naive_root(leaves: &[Vec<u8>]) -> Digest {
    match leaves.len() {
        0 => empty_root(),
        1 => leaf_hash(&leaves[0]),
        n => {
            let k = (0..).map(|e| 1usize << e).take_while(|&p| p < n).last().unwrap();
            node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
        }
    }
}

/// PATH(m, D[n]) from RFC 6962 section 2.1.1.
fn naive_path(index: usize, leaves: &[Vec<u8>]) -> Vec<Digest> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = (0..).map(|e| 1usize << e).take_while(|&p| p < n).last().unwrap();
    if index < k {
        let mut path = naive_path(index, &leaves[..k]);
        path.push(naive_root(&leaves[k..]));
        path
    } else {
        let mut path = naive_path(index - k, &leaves[k..]);
        path.push(naive_root(&leaves[..k]));
        path
    }
}

fn random_leaves(rng: &mut StdRng, n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|_| (0..rng.gen_range(0..48)).map(|_| rng.gen()).collect()).collect()
}

#[test]
fn small_trees_have_the_documented_shape() {
    let (a, b, c) = (b"a".to_vec(), b"b".to_vec(), b"c".to_vec());
    assert_eq!(root::<Vec<u8>>(&[]), crate::hash::hash_with(crate::hash::tags::MERKLE_EMPTY, &[]));
    assert_eq!(root(std::slice::from_ref(&a)), crate::hash::hash_with(crate::hash::tags::MERKLE_LEAF, &[b"a"]));
    let ab = crate::hash::hash_with(crate::hash::tags::MERKLE_NODE, &[&leaf_hash(b"a"), &leaf_hash(b"b")]);
    assert_eq!(root(&[a.clone(), b.clone()]), ab);
    assert_eq!(root(&[a, b, c]), node_hash(&ab, &leaf_hash(b"c")));
    // A leaf whose data is two node hashes is not a node.
    assert_ne!(leaf_hash(&[leaf_hash(b"a"), leaf_hash(b"b")].concat()), ab);
}

#[test]
fn root_and_proofs_match_the_naive_definition() {
    let mut rng = StdRng::seed_from_u64(6962);
    for n in (0..130).chain([255, 256, 257, 511, 1000]) {
        let leaves = random_leaves(&mut rng, n);
        let expected_root = naive_root(&leaves);
        assert_eq!(root(&leaves), expected_root, "n = {n}");
        let indices: Vec<usize> = if n <= 130 { (0..n).collect() } else { (0..20).map(|_| rng.gen_range(0..n)).collect() };
        for index in indices {
            let path = proof(&leaves, index).unwrap();
            assert_eq!(path, naive_path(index, &leaves), "n = {n}, index = {index}");
            assert_eq!(proof_len(index as u64, n as u64), Some(path.len()));
            verify(&expected_root, &leaves[index], index as u64, n as u64, &path).unwrap();
        }
    }
}

#[test]
fn threaded_root_equals_single_threaded_root() {
    let mut rng = StdRng::seed_from_u64(2);
    for n in [8191, 8192, 8193, 12_345, 40_000, 65_537] {
        let leaves: Vec<[u8; 32]> = (0..n).map(|_| rng.gen()).collect();
        let single = root_with_threads(&leaves, 1);
        for threads in [2, 3, 4, 7] {
            assert_eq!(root_with_threads(&leaves, threads), single, "n = {n}, threads = {threads}");
        }
    }
    let leaves: Vec<Vec<u8>> = random_leaves(&mut rng, 9000);
    assert_eq!(root_with_threads(&leaves, 4), naive_root(&leaves));
}

#[test]
fn hostile_proofs_are_rejected() {
    let mut rng = StdRng::seed_from_u64(9);
    for n in [1usize, 2, 3, 5, 8, 13, 100] {
        let leaves = random_leaves(&mut rng, n);
        let tree_root = root(&leaves);
        for index in 0..n {
            let path = proof(&leaves, index).unwrap();
            let (i, count) = (index as u64, n as u64);
            let rejects = |root: &Digest, leaf: &[u8], i: u64, count: u64, path: &[Digest]| {
                let err = verify(root, leaf, i, count, path).unwrap_err();
                assert_eq!(err.code(), "proof.invalid", "{err}");
            };
            rejects(&tree_root, b"not the leaf", i, count, &path);
            rejects(&[0u8; 32], &leaves[index], i, count, &path);
            rejects(&tree_root, &leaves[index], count, count, &path);
            rejects(&tree_root, &leaves[index], u64::MAX, count, &path);
            rejects(&tree_root, &leaves[index], i, 0, &path);
            rejects(&tree_root, &leaves[index], 0, 0, &[]);
            let mut longer = path.clone();
            longer.push([7u8; 32]);
            rejects(&tree_root, &leaves[index], i, count, &longer);
            if !path.is_empty() {
                rejects(&tree_root, &leaves[index], i, count, &path[1..]);
                for position in 0..path.len() {
                    let mut tampered = path.clone();
                    tampered[position][rng.gen_range(0..32)] ^= 1;
                    rejects(&tree_root, &leaves[index], i, count, &tampered);
                }
                let mut reversed = path.clone();
                reversed.reverse();
                if reversed != path {
                    rejects(&tree_root, &leaves[index], i, count, &reversed);
                }
            }
            // For the true count, the proof pins the position. (The count itself is not
            // bound by a proof, as in RFC 9162: callers take it from the signed header.)
            for other in 0..count {
                if other != i {
                    rejects(&tree_root, &leaves[index], other, count, &path);
                }
            }
        }
    }
    assert_eq!(proof::<Vec<u8>>(&[], 0).unwrap_err().code(), "core.invalid_input");
    assert_eq!(proof(&[b"x".to_vec()], 1).unwrap_err().code(), "core.invalid_input");
}

#[test]
fn huge_counts_do_not_overflow() {
    for (index, count) in [(0, u64::MAX), (u64::MAX - 1, u64::MAX), (1 << 62, (1 << 62) + 1)] {
        let len = proof_len(index, count).unwrap();
        assert!(len <= 64);
        let path = vec![[0u8; 32]; len];
        assert!(verify(&[0u8; 32], b"x", index, count, &path).is_err());
    }
}
