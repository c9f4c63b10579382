//! Store tests on real LMDB files in temporary directories.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::smt::{verify, MemoryTreeStore};

type Batch = Vec<(Vec<u8>, Option<Vec<u8>>)>;

fn options() -> StoreOptions {
    StoreOptions {
        map_size: 16 << 20,
        durable: false,
        ..StoreOptions::default()
    }
}

fn batch(rng: &mut StdRng, size: usize, key_space: u32) -> Batch {
    let mut keys = std::collections::BTreeSet::new();
    while keys.len() < size {
        keys.insert(rng.gen_range(0..key_space));
    }
    keys.into_iter()
        .map(|k| {
            let key = format!("key/{k}").into_bytes();
            let value = (rng.gen_range(0..4) != 0)
                .then(|| (0..rng.gen_range(0..50)).map(|_| rng.gen()).collect());
            (key, value)
        })
        .collect()
}

fn writes(batch: &Batch) -> Vec<StateWrite<'_>> {
    batch
        .iter()
        .map(|(k, v)| (k.as_slice(), v.as_deref()))
        .collect()
}

#[test]
fn commits_match_the_in_memory_tree_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(1);
    let mut reference = MemoryTreeStore::new();
    let mut batches = Vec::new();
    {
        let store = Store::open(dir.path(), options()).unwrap();
        assert_eq!(store.latest_version().unwrap(), None);
        assert_eq!(store.root(None).unwrap(), empty_root());
        for version in 1..=15u64 {
            let b = batch(&mut rng, 40, 200);
            let root = store
                .commit(
                    version * 2,
                    &writes(&b),
                    &[("blocks", &version.to_be_bytes(), Some(b"block"))],
                )
                .unwrap();
            assert_eq!(root, reference.commit(version * 2, &writes(&b)).unwrap());
            batches.push(b);
        }
        store.close();
        assert_eq!(store.root(None).unwrap_err().code(), "store.error");
    }
    let store = Store::open(dir.path(), options()).unwrap();
    assert_eq!(store.latest_version().unwrap(), Some(30));
    for version in (2..=30u64).step_by(2) {
        let root = store.root(Some(version)).unwrap();
        assert_eq!(root, reference.root(Some(version)).unwrap());
        for n in [0u32, 7, 99, 150, 199] {
            let key = format!("key/{n}").into_bytes();
            let expected = reference.get(&key, Some(version)).unwrap();
            assert_eq!(store.get(&key, Some(version)).unwrap(), expected);
            let (value, proof) = store.get_with_proof(&key, Some(version)).unwrap();
            assert_eq!(value, expected);
            verify(&root, &key, value.as_deref(), &proof).unwrap();
        }
    }
    // Latest reads (fast table) agree with the tree.
    for n in 0..200u32 {
        let key = format!("key/{n}").into_bytes();
        assert_eq!(
            store.get(&key, None).unwrap(),
            reference.get(&key, None).unwrap()
        );
    }
    assert_eq!(store.root(Some(3)).unwrap_err().code(), "store.not_found");
    assert_eq!(
        store.get(b"key/1", Some(31)).unwrap_err().code(),
        "store.not_found"
    );
    assert_eq!(
        store
            .aux_get("blocks", &15u64.to_be_bytes())
            .unwrap()
            .as_deref(),
        Some(b"block".as_slice())
    );
}

#[test]
fn rewrites_deletes_and_reinserts_keep_every_version_readable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), options()).unwrap();
    let mut reference = MemoryTreeStore::new();
    let steps: Vec<Vec<StateWrite>> = vec![
        vec![(b"a", Some(b"1")), (b"b", Some(b"x"))],
        vec![(b"a", Some(b"1")), (b"b", Some(b"y"))], // same value for a: no new leaf
        vec![(b"a", None), (b"c", None)],             // delete a, delete a missing key
        vec![(b"a", Some(b"1")), (b"b", Some(b"x"))], // back to the first values
        vec![(b"b", Some(b"x")), (b"a", Some(b"2"))],
    ];
    for (i, writes) in steps.iter().enumerate() {
        let version = i as u64 + 1;
        assert_eq!(
            store.commit(version, writes, &[]).unwrap(),
            reference.commit(version, writes).unwrap()
        );
    }
    for version in 1..=5u64 {
        let root = store.root(Some(version)).unwrap();
        for key in [b"a".as_slice(), b"b", b"c"] {
            let expected = reference.get(key, Some(version)).unwrap();
            assert_eq!(
                store.get(key, Some(version)).unwrap(),
                expected,
                "{key:?} at {version}"
            );
            let (value, proof) = store.get_with_proof(key, Some(version)).unwrap();
            assert_eq!(value, expected);
            verify(&root, key, value.as_deref(), &proof).unwrap();
        }
    }
    assert_eq!(
        store.get(b"a", None).unwrap().as_deref(),
        Some(b"2".as_slice())
    );
    // Pruning away the early versions keeps the later ones whole.
    store.prune(4).unwrap();
    for version in 4..=5u64 {
        for key in [b"a".as_slice(), b"b"] {
            assert_eq!(
                store.get(key, Some(version)).unwrap(),
                reference.get(key, Some(version)).unwrap()
            );
        }
    }
}

#[test]
fn bad_commits_are_rejected_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), options()).unwrap();
    let root = store
        .commit(10, &[(b"a", Some(b"1"))], &[("meta", b"k", Some(b"v"))])
        .unwrap();
    let attempts: Vec<(u64, Vec<StateWrite>, Vec<AuxWrite>, &str)> = vec![
        (10, vec![(b"b", Some(b"2"))], vec![], "store.conflict"),
        (
            3,
            vec![(b"b", Some(b"2"))],
            vec![("meta", b"k", None)],
            "store.conflict",
        ),
        (
            11,
            vec![(b"b", Some(b"2")), (b"b", None)],
            vec![],
            "core.invalid_input",
        ),
        (11, vec![(b"", Some(b"2"))], vec![], "core.invalid_input"),
        (
            11,
            vec![(b"b", Some(b"2"))],
            vec![("nope", b"k", None)],
            "core.invalid_input",
        ),
        (
            11,
            vec![(b"b", Some(b"2"))],
            vec![("meta", b"", None)],
            "core.invalid_input",
        ),
    ];
    for (version, state, aux, code) in attempts {
        assert_eq!(
            store.commit(version, &state, &aux).unwrap_err().code(),
            code
        );
        assert_eq!(store.latest_version().unwrap(), Some(10));
        assert_eq!(store.root(None).unwrap(), root);
        assert_eq!(store.get(b"b", None).unwrap(), None);
        assert_eq!(
            store.aux_get("meta", b"k").unwrap().as_deref(),
            Some(b"v".as_slice())
        );
    }
    assert_eq!(
        store.aux_get("nope", b"k").unwrap_err().code(),
        "core.invalid_input"
    );
    assert_eq!(
        store.get(&[0u8; 300], None).unwrap_err().code(),
        "core.invalid_input"
    );
}

#[test]
fn aux_ranges_are_ordered_bounded_and_limited() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), options()).unwrap();
    let keys: Vec<[u8; 8]> = (0..100u64).rev().map(u64::to_be_bytes).collect();
    let aux: Vec<AuxWrite> = keys
        .iter()
        .map(|k| ("events", k.as_slice(), Some(k.as_slice())))
        .collect();
    store.commit(1, &[], &aux).unwrap();
    store
        .commit(2, &[], &[("events", &5u64.to_be_bytes(), None)])
        .unwrap();
    let got = store
        .aux_range(
            "events",
            &3u64.to_be_bytes(),
            Some(&9u64.to_be_bytes()),
            100,
        )
        .unwrap();
    let numbers: Vec<u64> = got
        .iter()
        .map(|(k, _)| u64::from_be_bytes(k.as_slice().try_into().unwrap()))
        .collect();
    assert_eq!(numbers, vec![3, 4, 6, 7, 8]);
    assert_eq!(store.aux_range("events", b"", None, 10).unwrap().len(), 10);
    assert_eq!(
        store.aux_range("events", b"", None, 1000).unwrap().len(),
        99
    );
    assert!(store
        .aux_range("events", b"\x09", Some(b"\x01"), 10)
        .unwrap()
        .is_empty());
    assert!(store
        .aux_range("receipts", b"", None, 10)
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .aux_range("events", b"", None, MAX_RANGE_LIMIT + 1)
            .unwrap_err()
            .code(),
        "core.invalid_input"
    );
}

#[test]
fn state_ranges_read_latest_values_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), options()).unwrap();
    let keys: Vec<[u8; 8]> = (0..50u64).rev().map(u64::to_be_bytes).collect();
    let writes: Vec<StateWrite> = keys.iter().map(|k| (k.as_slice(), Some(k.as_slice()))).collect();
    store.commit(1, &writes, &[]).unwrap();
    let five = 5u64.to_be_bytes();
    let seven = 7u64.to_be_bytes();
    store.commit(2, &[(five.as_slice(), None), (seven.as_slice(), Some(b"new".as_slice()))], &[]).unwrap();
    let got = store.range(&3u64.to_be_bytes(), Some(&9u64.to_be_bytes()), 100).unwrap();
    let numbers: Vec<u64> = got.iter().map(|(k, _)| u64::from_be_bytes(k.as_slice().try_into().unwrap())).collect();
    assert_eq!(numbers, vec![3, 4, 6, 7, 8]);
    assert_eq!(got[3].1, b"new".to_vec());
    assert_eq!(store.range(b"", None, 10).unwrap().len(), 10);
    assert_eq!(store.range(b"", None, 1000).unwrap().len(), 49);
    assert!(store.range(b"\x09", Some(b"\x01"), 10).unwrap().is_empty());
    assert_eq!(store.range(b"", None, MAX_RANGE_LIMIT + 1).unwrap_err().code(), "core.invalid_input");
    assert_eq!(store.range(&[0u8; 300], None, 1).unwrap_err().code(), "core.invalid_input");
}

#[test]
fn preview_root_equals_the_committed_root_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), options()).unwrap();
    let writes: Vec<StateWrite> = vec![(b"a".as_slice(), Some(b"1".as_slice())), (b"b".as_slice(), Some(b"2".as_slice()))];
    let preview = store.preview_root(3, &writes).unwrap();
    assert_eq!(store.latest_version().unwrap(), None);
    assert_eq!(store.get(b"a", None).unwrap(), None);
    assert_eq!(store.commit(3, &writes, &[]).unwrap(), preview);
    let next: Vec<StateWrite> = vec![(b"a".as_slice(), None), (b"c".as_slice(), Some(b"3".as_slice()))];
    let preview = store.preview_root(4, &next).unwrap();
    assert_eq!(store.root(None).unwrap(), store.root(Some(3)).unwrap());
    assert_eq!(store.commit(4, &next, &[]).unwrap(), preview);
    assert_eq!(store.preview_root(4, &next).unwrap_err().code(), "store.conflict");
}

#[test]
fn a_full_map_without_room_to_grow_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = StoreOptions {
        map_size: MIN_MAP_SIZE,
        max_map_size: MIN_MAP_SIZE,
        ..options()
    };
    let store = Store::open(dir.path(), tiny).unwrap();
    let root = store.commit(1, &[(b"small", Some(b"1"))], &[]).unwrap();
    let value = vec![7u8; 1000];
    let keys: Vec<Vec<u8>> = (0..2000u32).map(|i| i.to_be_bytes().to_vec()).collect();
    let big: Vec<StateWrite> = keys
        .iter()
        .map(|k| (k.as_slice(), Some(value.as_slice())))
        .collect();
    let err = store
        .commit(2, &big, &[("blocks", b"2", Some(b"x"))])
        .unwrap_err();
    assert_eq!(err.code(), "store.full");
    assert!(err.to_string().contains("max_map_size"), "{err}");
    assert_eq!(store.latest_version().unwrap(), Some(1));
    assert_eq!(store.root(None).unwrap(), root);
    assert_eq!(store.get(&keys[0], None).unwrap(), None);
    assert_eq!(store.aux_get("blocks", b"2").unwrap(), None);
    // Still usable for commits that fit.
    store.commit(2, &[(b"small", Some(b"2"))], &[]).unwrap();
    assert_eq!(
        store.get(b"small", None).unwrap().as_deref(),
        Some(b"2".as_slice())
    );
}

#[test]
fn a_full_map_grows_and_the_commit_goes_through() {
    let dir = tempfile::tempdir().unwrap();
    let growing = StoreOptions {
        map_size: MIN_MAP_SIZE,
        max_map_size: 64 << 20,
        ..options()
    };
    let store = Store::open(dir.path(), growing).unwrap();
    let value = vec![7u8; 1000];
    let keys: Vec<Vec<u8>> = (0..2000u32).map(|i| i.to_be_bytes().to_vec()).collect();
    let big: Vec<StateWrite> = keys
        .iter()
        .map(|k| (k.as_slice(), Some(value.as_slice())))
        .collect();
    let root = store.commit(1, &big, &[]).unwrap();
    assert!(store.map_size().unwrap() > MIN_MAP_SIZE);
    let mut reference = MemoryTreeStore::new();
    assert_eq!(root, reference.commit(1, &big).unwrap());
    assert_eq!(store.get(&keys[1999], None).unwrap(), Some(value));
}

#[test]
fn pruning_drops_old_versions_and_keeps_the_rest_provable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), options()).unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let mut reference = MemoryTreeStore::new();
    for version in 1..=20u64 {
        let b = batch(&mut rng, 30, 100);
        store.commit(version, &writes(&b), &[]).unwrap();
        reference.commit(version, &writes(&b)).unwrap();
    }
    assert_eq!(store.prune(21).unwrap_err().code(), "core.invalid_input");
    let deleted = store.prune(10).unwrap();
    let expected = reference.node_count();
    reference.prune(10).unwrap();
    assert_eq!(deleted as usize, expected - reference.node_count());
    assert_eq!(
        store.prune(5).unwrap(),
        0,
        "pruning behind the oldest version is a no-op"
    );
    assert_eq!(store.root(Some(9)).unwrap_err().code(), "store.not_found");
    for version in 10..=20u64 {
        let root = store.root(Some(version)).unwrap();
        assert_eq!(root, reference.root(Some(version)).unwrap());
        for n in 0..100u32 {
            let key = format!("key/{n}").into_bytes();
            let (value, proof) = store.get_with_proof(&key, Some(version)).unwrap();
            assert_eq!(value, reference.get(&key, Some(version)).unwrap());
            verify(&root, &key, value.as_deref(), &proof).unwrap();
        }
    }
}

#[test]
fn keep_versions_prunes_inside_each_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path(),
        StoreOptions {
            keep_versions: Some(3),
            ..options()
        },
    )
    .unwrap();
    for version in 1..=6u64 {
        store
            .commit(version, &[(b"k", Some(&version.to_be_bytes()))], &[])
            .unwrap();
    }
    assert_eq!(store.root(Some(3)).unwrap_err().code(), "store.not_found");
    for version in 4..=6u64 {
        assert_eq!(
            store.get(b"k", Some(version)).unwrap(),
            Some(version.to_be_bytes().to_vec())
        );
    }
}

#[test]
fn readers_run_while_a_writer_commits() {
    let dir = tempfile::tempdir().unwrap();
    // A small map so the writer also has to grow it while readers are active.
    let store = Arc::new(
        Store::open(
            dir.path(),
            StoreOptions {
                map_size: MIN_MAP_SIZE,
                ..options()
            },
        )
        .unwrap(),
    );
    let mut reference = MemoryTreeStore::new();
    let mut rng = StdRng::seed_from_u64(11);
    let batches: Vec<Batch> = (0..40).map(|_| batch(&mut rng, 50, 5000)).collect();
    let roots: Vec<Digest> = batches
        .iter()
        .enumerate()
        .map(|(i, b)| reference.commit(i as u64 + 1, &writes(b)).unwrap())
        .collect();
    let roots = Arc::new(roots);
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (store, roots, done) = (store.clone(), roots.clone(), done.clone());
            std::thread::spawn(move || {
                let mut checks = 0u32;
                while !done.load(Ordering::Relaxed) || checks == 0 {
                    if let Some(latest) = store.latest_version().unwrap() {
                        for version in [1, latest] {
                            let root = store.root(Some(version)).unwrap();
                            assert_eq!(root, roots[version as usize - 1]);
                            let (value, proof) =
                                store.get_with_proof(b"key/42", Some(version)).unwrap();
                            verify(&root, b"key/42", value.as_deref(), &proof).unwrap();
                            checks += 1;
                        }
                    }
                }
                checks
            })
        })
        .collect();
    for (i, b) in batches.iter().enumerate() {
        assert_eq!(
            store.commit(i as u64 + 1, &writes(b), &[]).unwrap(),
            roots[i]
        );
    }
    done.store(true, Ordering::Relaxed);
    for reader in readers {
        assert!(reader.join().unwrap() > 0);
    }
    assert!(
        store.map_size().unwrap() > MIN_MAP_SIZE,
        "the map grew under concurrent readers"
    );
}

#[test]
fn a_directory_opens_once_per_process_and_again_after_close() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), options()).unwrap();
    let err = Store::open(dir.path(), options()).err().unwrap();
    assert_eq!(err.code(), "store.error");
    store.close();
    store.close();
    assert!(store.is_closed());
    let again = Store::open(dir.path(), options()).unwrap();
    again.commit(1, &[(b"a", Some(b"b"))], &[]).unwrap();
}

#[test]
fn bad_options_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        StoreOptions {
            map_size: 4096,
            ..options()
        },
        StoreOptions {
            max_map_size: MIN_MAP_SIZE,
            ..options()
        },
        StoreOptions {
            max_readers: 0,
            ..options()
        },
        StoreOptions {
            keep_versions: Some(0),
            ..options()
        },
    ] {
        assert_eq!(
            Store::open(dir.path(), bad).err().unwrap().code(),
            "core.invalid_input"
        );
    }
}

/// Set by the parent test when it runs the child below in a separate process.
const STALE_READER_DIR: &str = "TONOMY_TEST_STALE_READER_DIR";
/// `hold` keeps the store open; `slots` also takes both reader slots.
const STALE_READER_MODE: &str = "TONOMY_TEST_STALE_READER_MODE";
const CHILD_READY: &str = "stale-reader-child-ready";

/// Child process of `stale_reader_slots_of_a_killed_process_are_cleared_on_open`.
#[test]
#[ignore = "run only as a child process by the test below"]
fn stale_reader_child() {
    let dir = std::env::var(STALE_READER_DIR).expect("run by the parent test");
    let take_slots = std::env::var(STALE_READER_MODE).is_ok_and(|mode| mode == "slots");
    let options = StoreOptions {
        max_readers: 2,
        ..options()
    };
    let store = Store::open(Path::new(&dir), options).unwrap();
    let guard = store.opened.read().unwrap();
    let env = &guard.as_ref().unwrap().env;
    let held = take_slots.then(|| (env.read_txn().unwrap(), env.read_txn().unwrap()));
    println!("{CHILD_READY}");
    std::thread::sleep(std::time::Duration::from_secs(60));
    drop(held);
}

fn spawn_stale_reader_child(dir: &Path, mode: &str) -> std::process::Child {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::tests::stale_reader_child",
            "--ignored",
            "--nocapture",
        ])
        .env(STALE_READER_DIR, dir)
        .env(STALE_READER_MODE, mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let ready = stdout
        .lines()
        .map_while(Result::ok)
        .any(|line| line.trim() == CHILD_READY);
    assert!(ready, "the {mode} child did not get ready");
    child
}

#[test]
fn stale_reader_slots_of_a_killed_process_are_cleared_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(
            dir.path(),
            StoreOptions {
                max_readers: 2,
                ..options()
            },
        )
        .unwrap();
        store.commit(1, &[(b"k", Some(b"v"))], &[]).unwrap();
    }
    // A live process keeps the environment open, so LMDB does not reset the reader
    // table; a second one takes both slots of the two-slot table and is SIGKILLed.
    let mut holder = spawn_stale_reader_child(dir.path(), "hold");
    let mut victim = spawn_stale_reader_child(dir.path(), "slots");
    victim.kill().unwrap();
    victim.wait().unwrap();

    // Without clearing the dead process's slots on open, every read would fail.
    let result = Store::open(
        dir.path(),
        StoreOptions {
            max_readers: 2,
            ..options()
        },
    )
    .and_then(|store| store.get(b"k", None));
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert_eq!(result.unwrap().as_deref(), Some(b"v".as_slice()));
}

#[test]
fn aux_writes_in_any_order_keep_the_last_write_of_each_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), options()).unwrap();
    let keys: Vec<[u8; 8]> = (0..50u64).map(|n| (n * 7919 % 97).to_be_bytes()).collect();
    let first: Vec<AuxWrite> = keys
        .iter()
        .map(|k| ("receipts", k.as_slice(), Some(b"one".as_slice())))
        .collect();
    store.commit(1, &[], &first).unwrap();
    let (low, high, past) = (3u64.to_be_bytes(), 90u64.to_be_bytes(), 500u64.to_be_bytes());
    let second: Vec<AuxWrite> = vec![
        ("receipts", &past, Some(b"a")), // past the last key: appended
        ("events", &high, Some(b"e")),
        ("receipts", &low, None), // a delete, then the key again
        ("receipts", &past, Some(b"b")), // the same key twice: the later write wins
        ("receipts", &low, Some(b"back")),
        ("receipts", &high, None),
        ("events", &low, Some(b"f")), // below a key appended just before
    ];
    store.commit(2, &[], &second).unwrap();
    let get = |table: &str, key: &[u8]| store.aux_get(table, key).unwrap().map(|v| v.to_vec());
    assert_eq!(get("receipts", &past), Some(b"b".to_vec()));
    assert_eq!(get("receipts", &low), Some(b"back".to_vec()));
    assert_eq!(get("receipts", &high), None);
    assert_eq!(get("events", &high), Some(b"e".to_vec()));
    assert_eq!(get("events", &low), Some(b"f".to_vec()));
    let rows = store.aux_range("receipts", b"", None, 1000).unwrap();
    assert_eq!(rows.len(), 50); // 50 first keys, one deleted (high), one new (past)
    assert!(rows.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(get("receipts", &keys[1]), Some(b"one".to_vec()));
}
