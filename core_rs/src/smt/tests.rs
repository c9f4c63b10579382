//! Property tests of the tree against a from-scratch model (seeded, so reproducible).

use std::collections::{BTreeMap, BTreeSet};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::hashing::{bit, leaf_hash, node_hash};
use super::*;
use crate::hash::Digest;

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// The root by definition: recursive split of the sorted leaf set, no stored nodes.
fn reference_root(model: &Model) -> Digest {
    fn subtree(leaves: &[(Digest, Digest)], depth: usize) -> Digest {
        match leaves {
            [] => empty_hash(),
            [(path, vh)] => leaf_hash(path, vh),
            _ => {
                let split = leaves.partition_point(|(path, _)| !bit(path, depth));
                let (left, right) = leaves.split_at(split);
                node_hash(&subtree(left, depth + 1), &subtree(right, depth + 1))
            }
        }
    }
    let mut leaves: Vec<(Digest, Digest)> = model
        .iter()
        .map(|(k, v)| (key_path(k), value_hash(v)))
        .collect();
    leaves.sort();
    subtree(&leaves, 0)
}

fn random_key(rng: &mut StdRng) -> Vec<u8> {
    let len = rng.gen_range(1..=40);
    (0..len).map(|_| rng.gen()).collect()
}

fn random_value(rng: &mut StdRng) -> Vec<u8> {
    let len = rng.gen_range(0..=80);
    (0..len).map(|_| rng.gen()).collect()
}

/// A batch of sets, overwrites (some with the same value), deletes of present keys and
/// deletes of absent keys, with no key twice.
fn random_batch(rng: &mut StdRng, model: &Model, size: usize) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let present: Vec<&Vec<u8>> = model.keys().collect();
    let mut seen = BTreeSet::new();
    let mut batch = Vec::new();
    while batch.len() < size {
        let roll = rng.gen_range(0..10);
        let (key, value) = if roll < 5 || present.is_empty() {
            (random_key(rng), Some(random_value(rng)))
        } else {
            let key = (*present.choose(rng).unwrap_or(&&Vec::new())).clone();
            match roll {
                5 | 6 => (key, Some(random_value(rng))),
                7 => {
                    let same = model.get(&key).cloned();
                    (key, same)
                }
                8 => (key, None),
                _ => (random_key(rng), None),
            }
        };
        if !key.is_empty() && seen.insert(key.clone()) {
            batch.push((key, value));
        }
    }
    batch
}

fn as_writes(batch: &[(Vec<u8>, Option<Vec<u8>>)]) -> Vec<StateWrite<'_>> {
    batch
        .iter()
        .map(|(k, v)| (k.as_slice(), v.as_deref()))
        .collect()
}

fn apply_to_model(model: &mut Model, batch: &[(Vec<u8>, Option<Vec<u8>>)]) {
    for (key, value) in batch {
        match value {
            Some(v) => model.insert(key.clone(), v.clone()),
            None => model.remove(key),
        };
    }
}

/// Every node key reachable from the retained roots.
fn reachable(tree: &MemoryTreeStore, versions: &[u64]) -> BTreeSet<Vec<u8>> {
    fn visit(
        tree: &MemoryTreeStore,
        child: &Child,
        depth: usize,
        path: Digest,
        out: &mut BTreeSet<Vec<u8>>,
    ) {
        match child {
            Child::Empty => {}
            Child::Leaf { version, path, .. } => {
                out.insert(NodeKey::leaf(*version, *path).encode());
            }
            Child::Internal { version, .. } => {
                let key = NodeKey::internal(*version, depth, &path).unwrap();
                out.insert(key.encode());
                let Some(Node::Internal { left, right }) = tree.node(&key).unwrap() else {
                    panic!("missing internal node");
                };
                let mut right_path = path;
                right_path[depth / 8] |= 0x80 >> (depth % 8);
                visit(tree, &left, depth + 1, path, out);
                visit(tree, &right, depth + 1, right_path, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    for v in versions {
        visit(
            tree,
            &tree.root_child(Some(*v)).unwrap(),
            0,
            [0u8; 32],
            &mut out,
        );
    }
    out
}

#[test]
fn empty_tree_has_the_fixed_root_and_proves_absence() {
    let tree = MemoryTreeStore::new();
    assert_eq!(tree.root(None).unwrap(), empty_root());
    assert_eq!(empty_root(), reference_root(&Model::new()));
    let (value, proof) = tree.prove(b"anything", None).unwrap();
    assert_eq!(value, None);
    assert!(proof.siblings.is_empty());
    verify(&empty_root(), b"anything", None, &proof).unwrap();
    assert!(verify(&empty_root(), b"anything", Some(b""), &proof).is_err());
    assert_eq!(tree.root(Some(0)).unwrap_err().code(), "store.not_found");
}

#[test]
fn roots_match_a_recomputation_from_scratch() {
    for seed in 0..6u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut tree = MemoryTreeStore::new();
        let mut model = Model::new();
        let mut snapshots = Vec::new();
        for version in 1..=30u64 {
            let size = rng.gen_range(1..=60);
            let batch = random_batch(&mut rng, &model, size);
            let root = tree.commit(version, &as_writes(&batch)).unwrap();
            apply_to_model(&mut model, &batch);
            assert_eq!(
                root,
                reference_root(&model),
                "seed {seed} version {version}"
            );
            snapshots.push((version, root, model.clone()));
        }
        // Every earlier version is still intact and readable.
        for (version, root, snapshot) in &snapshots {
            assert_eq!(tree.root(Some(*version)).unwrap(), *root);
            for (key, value) in snapshot.iter().take(10) {
                assert_eq!(tree.get(key, Some(*version)).unwrap().as_ref(), Some(value));
            }
        }
    }
}

#[test]
fn proofs_verify_for_present_and_absent_keys_and_nothing_else() {
    let mut rng = StdRng::seed_from_u64(42);
    let mut tree = MemoryTreeStore::new();
    let mut model = Model::new();
    let mut snapshots = Vec::new();
    for version in 1..=12u64 {
        let batch = random_batch(&mut rng, &model, 80);
        tree.commit(version, &as_writes(&batch)).unwrap();
        apply_to_model(&mut model, &batch);
        snapshots.push((version, model.clone()));
    }
    let mut exclusion_kinds = BTreeSet::new();
    for (version, snapshot) in &snapshots {
        let root = tree.root(Some(*version)).unwrap();
        let other_root = tree.root(Some(version % 12 + 1)).unwrap();
        for (key, value) in snapshot.iter().take(25) {
            let (got, proof) = tree.prove(key, Some(*version)).unwrap();
            assert_eq!(got.as_ref(), Some(value));
            verify(&root, key, Some(value), &proof).unwrap();
            let decoded = StateProof::decode(&proof.encode()).unwrap();
            assert_eq!(decoded, proof);
            verify_encoded(&root, key, Some(value), &proof.encode()).unwrap();
            // Never another value, never absence, never another root, never another key.
            let mut other = value.clone();
            other.push(1);
            assert_eq!(
                verify(&root, key, Some(&other), &proof).unwrap_err().code(),
                "proof.invalid"
            );
            assert!(verify(&root, key, None, &proof).is_err());
            assert!(verify(&other_root, key, Some(value), &proof).is_err() || other_root == root);
            let mut other_key = key.clone();
            other_key.push(0);
            assert!(verify(&root, &other_key, Some(value), &proof).is_err());
        }
        for _ in 0..25 {
            let key = random_key(&mut rng);
            if snapshot.contains_key(&key) {
                continue;
            }
            let (got, proof) = tree.prove(&key, Some(*version)).unwrap();
            assert_eq!(got, None);
            exclusion_kinds.insert(matches!(proof.terminal, Terminal::Empty));
            verify(&root, &key, None, &proof).unwrap();
            verify_encoded(&root, &key, None, &proof.encode()).unwrap();
            assert!(verify(&root, &key, Some(b"x"), &proof).is_err());
            // An exclusion proof for one key does not cover a present key.
            if let Some((present, _)) = snapshot.iter().next() {
                assert!(verify(&root, present, None, &proof).is_err());
            }
        }
    }
    assert_eq!(
        exclusion_kinds.len(),
        2,
        "both empty-subtree and other-leaf exclusions were tested"
    );
}

#[test]
fn replaced_lists_exactly_the_overwritten_and_deleted_values_with_their_leaf_versions() {
    let mut rng = StdRng::seed_from_u64(17);
    let mut tree = MemoryTreeStore::new();
    let mut model = Model::new();
    let mut written_at: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    for version in 1..=20u64 {
        let batch = random_batch(&mut rng, &model, 60);
        let update = tree.plan(version, &as_writes(&batch)).unwrap();
        let mut expected = BTreeSet::new();
        let mut expected_unchanged = BTreeSet::new();
        for (index, (key, value)) in batch.iter().enumerate() {
            let old = model.get(key);
            if old.is_some() && old != value.as_ref() {
                expected.insert((index, written_at[key]));
            }
            if old.is_some() && old == value.as_ref() {
                expected_unchanged.insert(index);
            }
        }
        let got: BTreeSet<(usize, u64)> = update.replaced.iter().copied().collect();
        assert_eq!(got, expected, "version {version}");
        assert_eq!(
            update.unchanged.iter().copied().collect::<BTreeSet<_>>(),
            expected_unchanged
        );
        tree.apply(update);
        for (key, value) in &batch {
            if value.is_some() && model.get(key) != value.as_ref() {
                written_at.insert(key.clone(), version);
            }
        }
        apply_to_model(&mut model, &batch);
    }
}

#[test]
fn batch_order_does_not_change_the_result() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut base = MemoryTreeStore::new();
    let mut model = Model::new();
    for version in 1..=5u64 {
        let batch = random_batch(&mut rng, &model, 50);
        base.commit(version, &as_writes(&batch)).unwrap();
        apply_to_model(&mut model, &batch);
    }
    let batch = random_batch(&mut rng, &model, 120);
    let expected = base.plan(6, &as_writes(&batch)).unwrap();
    for _ in 0..10 {
        let mut shuffled = batch.clone();
        shuffled.shuffle(&mut rng);
        let update = base.plan(6, &as_writes(&shuffled)).unwrap();
        assert_eq!(update.root, expected.root);
        assert_eq!(
            update.new_nodes.to_records(),
            expected.new_nodes.to_records()
        );
        assert_eq!(update.stale_nodes, expected.stale_nodes);
        let mut replaced: Vec<_> = update
            .replaced
            .iter()
            .map(|(i, v)| (shuffled[*i].0.clone(), *v))
            .collect();
        let mut expected_replaced: Vec<_> = expected
            .replaced
            .iter()
            .map(|(i, v)| (batch[*i].0.clone(), *v))
            .collect();
        replaced.sort();
        expected_replaced.sort();
        assert_eq!(replaced, expected_replaced);
    }
}

#[test]
fn new_nodes_come_in_strictly_ascending_key_order() {
    let mut rng = StdRng::seed_from_u64(21);
    let mut tree = MemoryTreeStore::new();
    let mut model = Model::new();
    for version in 1..=15u64 {
        let size = if version == 1 {
            2000
        } else {
            rng.gen_range(1..300)
        };
        let batch = random_batch(&mut rng, &model, size);
        let update = tree.plan(version, &as_writes(&batch)).unwrap();
        let records = update.new_nodes.to_records();
        let keys: Vec<&[u8]> = records.iter().map(|(k, _)| k.as_slice()).collect();
        assert_eq!(keys.len(), update.new_nodes.len());
        assert!(
            keys.windows(2).all(|pair| pair[0] < pair[1]),
            "version {version}"
        );
        assert!(keys.iter().all(|k| k.starts_with(&version.to_be_bytes())));
        assert!(update.stale_nodes.windows(2).all(|pair| pair[0] < pair[1]));
        tree.apply(update);
        apply_to_model(&mut model, &batch);
    }
}

#[test]
fn duplicate_keys_and_old_versions_are_rejected_and_change_nothing() {
    let mut tree = MemoryTreeStore::new();
    tree.commit(5, &[(b"a", Some(b"1"))]).unwrap();
    let before = tree.clone();
    let dup = tree
        .commit(6, &[(b"k", Some(b"1")), (b"k", None)])
        .unwrap_err();
    assert_eq!(dup.code(), "core.invalid_input");
    for version in [0, 4, 5] {
        assert_eq!(
            tree.commit(version, &[(b"b", Some(b"2"))])
                .unwrap_err()
                .code(),
            "store.conflict"
        );
    }
    assert_eq!(
        tree.commit(6, &[(b"", Some(b"2"))]).unwrap_err().code(),
        "core.invalid_input"
    );
    let long_key = vec![1u8; MAX_KEY_LEN + 1];
    assert_eq!(
        tree.commit(6, &[(&long_key, Some(b"2"))])
            .unwrap_err()
            .code(),
        "core.invalid_input"
    );
    let big = vec![0u8; MAX_VALUE_LEN + 1];
    assert_eq!(
        tree.commit(6, &[(b"b", Some(&big))]).unwrap_err().code(),
        "core.invalid_input"
    );
    assert_eq!(tree.root(None).unwrap(), before.root(None).unwrap());
    assert_eq!(tree.node_count(), before.node_count());
}

#[test]
fn unchanged_writes_create_no_nodes_and_moved_leaves_are_not_copied() {
    let mut tree = MemoryTreeStore::new();
    tree.commit(1, &[(b"a", Some(b"1")), (b"b", Some(b"2"))])
        .unwrap();
    let same = tree
        .plan(2, &[(b"a", Some(b"1")), (b"absent", None)])
        .unwrap();
    assert!(same.new_nodes.is_empty() && same.stale_nodes.is_empty());
    assert_eq!(same.root.hash(), tree.root(None).unwrap());

    // Inserting a third key moves a leaf at most; no old leaf is rewritten.
    let update = tree.plan(2, &[(b"c", Some(b"3"))]).unwrap();
    let records = update.new_nodes.to_records();
    let leaf_writes: Vec<_> = records.iter().filter(|(k, _)| k.len() == 41).collect();
    assert_eq!(leaf_writes.len(), 1);
}

#[test]
fn deleting_everything_returns_to_the_empty_root() {
    let mut tree = MemoryTreeStore::new();
    let keys: Vec<Vec<u8>> = (0..50u32).map(|i| i.to_be_bytes().to_vec()).collect();
    let sets: Vec<StateWrite> = keys
        .iter()
        .map(|k| (k.as_slice(), Some(k.as_slice())))
        .collect();
    tree.commit(1, &sets).unwrap();
    let deletes: Vec<StateWrite> = keys.iter().map(|k| (k.as_slice(), None)).collect();
    assert_eq!(tree.commit(2, &deletes).unwrap(), empty_root());
    assert_eq!(tree.root_child(Some(2)).unwrap(), Child::Empty);
}

#[test]
fn pruning_keeps_exactly_the_nodes_of_retained_versions() {
    let mut rng = StdRng::seed_from_u64(99);
    let mut tree = MemoryTreeStore::new();
    let mut model = Model::new();
    let mut snapshots = BTreeMap::new();
    for version in 1..=20u64 {
        let batch = random_batch(&mut rng, &model, 40);
        tree.commit(version, &as_writes(&batch)).unwrap();
        apply_to_model(&mut model, &batch);
        snapshots.insert(version, model.clone());
    }
    for keep_from in [5u64, 12, 20] {
        tree.prune(keep_from).unwrap();
        let retained: Vec<u64> = (keep_from..=20).collect();
        let live = reachable(&tree, &retained);
        assert_eq!(
            tree.node_count(),
            live.len(),
            "prune to {keep_from} left unreachable nodes"
        );
        assert_eq!(
            tree.root(Some(keep_from - 1)).unwrap_err().code(),
            "store.not_found"
        );
        for version in retained {
            let snapshot = &snapshots[&version];
            assert_eq!(tree.root(Some(version)).unwrap(), reference_root(snapshot));
            for (key, value) in snapshot.iter().take(5) {
                let (got, proof) = tree.prove(key, Some(version)).unwrap();
                assert_eq!(got.as_ref(), Some(value));
                verify(&tree.root(Some(version)).unwrap(), key, Some(value), &proof).unwrap();
            }
        }
    }
    assert_eq!(tree.prune(21).unwrap_err().code(), "core.invalid_input");
}

#[test]
fn hostile_proof_bytes_are_rejected_without_panicking() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut tree = MemoryTreeStore::new();
    let mut model = Model::new();
    let batch = random_batch(&mut rng, &model, 300);
    let root = tree.commit(1, &as_writes(&batch)).unwrap();
    apply_to_model(&mut model, &batch);
    let (key, value) = model.iter().next().unwrap();
    let (_, proof) = tree.prove(key, None).unwrap();
    let good = proof.encode();
    assert!(good.len() > 8);
    for cut in 0..good.len() {
        assert_eq!(
            StateProof::decode(&good[..cut]).unwrap_err().code(),
            "proof.invalid"
        );
    }
    let mut longer = good.clone();
    longer.push(0);
    assert!(StateProof::decode(&longer).is_err());
    assert!(StateProof::decode(&vec![1u8; MAX_PROOF_LEN + 1]).is_err());
    // Every single-bit flip either fails to decode or fails to verify.
    for i in 0..good.len() {
        for b in 0..8 {
            let mut bad = good.clone();
            bad[i] ^= 1 << b;
            assert!(
                verify_encoded(&root, key, Some(value), &bad).is_err(),
                "flip {i}:{b} verified"
            );
        }
    }
    // Depth beyond 256, unknown format and terminal, padding bits, spelled-out empties.
    assert!(StateProof::decode(&[1, 0, 0x01, 0x01]).is_err());
    assert!(StateProof::decode(&[2, 0, 0, 0]).is_err());
    assert!(StateProof::decode(&[1, 2, 0, 0]).is_err());
    assert!(StateProof::decode(&[1, 0, 0, 1, 0b0100_0000]).is_err());
    let mut spelled = vec![1, 0, 0, 1, 0x80];
    spelled.extend_from_slice(&empty_root());
    assert!(StateProof::decode(&spelled).is_err());
    assert!(StateProof::decode(&[1, 0, 0, 0]).is_ok());
    // Random garbage never panics.
    for _ in 0..2000 {
        let len = rng.gen_range(0..300);
        let mut junk: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        if let Some(first) = junk.first_mut() {
            *first = 1;
        }
        let _ = verify_encoded(&root, key, Some(value), &junk);
    }
}

#[test]
fn deep_shared_prefixes_prove_correctly() {
    // Find keys whose paths share at least 18 leading bits (birthday search, seeded).
    let mut by_prefix: BTreeMap<[u8; 3], Vec<u8>> = BTreeMap::new();
    let mut pair = None;
    for i in 0u32..200_000 {
        let key = i.to_be_bytes().to_vec();
        let path = key_path(&key);
        let top = [path[0], path[1], path[2] & 0xc0];
        if let Some(other) = by_prefix.insert(top, key.clone()) {
            pair = Some((other, key));
            break;
        }
    }
    let (a, b) = pair.expect("a shared 18-bit prefix among 200k keys");
    let mut tree = MemoryTreeStore::new();
    let root = tree
        .commit(1, &[(&a, Some(b"A")), (&b, Some(b"B"))])
        .unwrap();
    let (value, proof) = tree.prove(&a, None).unwrap();
    assert_eq!(value.as_deref(), Some(b"A".as_slice()));
    assert!(proof.siblings.len() >= 19);
    verify(&root, &a, Some(b"A"), &proof).unwrap();
    verify_encoded(&root, &a, Some(b"A"), &proof.encode()).unwrap();
    assert_eq!(
        root,
        reference_root(&Model::from([(a, b"A".to_vec()), (b, b"B".to_vec())]))
    );
}
