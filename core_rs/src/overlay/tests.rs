use std::collections::BTreeMap;
use std::ops::Bound;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::store::StoreOptions;

/// A committed state in memory, paging like the store.
#[derive(Default)]
struct Memory(BTreeMap<Vec<u8>, Vec<u8>>);

impl Committed for Memory {
    fn get(&self, key: &[u8]) -> CoreResult<Option<Vec<u8>>> {
        Ok(self.0.get(key).cloned())
    }

    fn range(
        &self,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> CoreResult<Vec<(Vec<u8>, Vec<u8>)>> {
        let upper = end.map_or(Bound::Unbounded, Bound::Excluded);
        Ok(self
            .0
            .range::<[u8], _>((Bound::Included(start), upper))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

fn base(count: u32) -> Memory {
    Memory(
        (0..count)
            .map(|i| {
                (
                    format!("k{:04}", i * 2).into_bytes(),
                    format!("base{i}").into_bytes(),
                )
            })
            .collect(),
    )
}

fn pairs(list: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    list.iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

#[test]
fn reads_see_pending_writes_over_committed() {
    let committed = base(5); // k0000 k0002 k0004 k0006 k0008
    let mut overlay = Overlay::new();
    overlay.put(b"k0002", b"mine").unwrap();
    overlay.delete(b"k0004").unwrap();
    overlay.put(b"k0003", b"new").unwrap();
    assert_eq!(
        overlay.get(&committed, b"k0002").unwrap().as_deref(),
        Some(b"mine".as_slice())
    );
    assert_eq!(overlay.get(&committed, b"k0004").unwrap(), None);
    assert_eq!(
        overlay.get(&committed, b"k0006").unwrap().as_deref(),
        Some(b"base3".as_slice())
    );
    let got = overlay
        .range(&committed, b"k0001", Some(b"k0007"), 100)
        .unwrap();
    assert_eq!(
        got,
        pairs(&[("k0002", "mine"), ("k0003", "new"), ("k0006", "base3")])
    );
    assert_eq!(
        overlay.range(&committed, b"", None, 2).unwrap(),
        pairs(&[("k0000", "base0"), ("k0002", "mine")])
    );
    assert!(overlay
        .range(&committed, b"k9", Some(b"k1"), 10)
        .unwrap()
        .is_empty());
}

#[test]
fn ranges_merge_across_many_pages() {
    let committed = base(2000);
    let mut overlay = Overlay::new();
    let mut model = committed.0.clone();
    for i in (1..4000).step_by(7) {
        let key = format!("k{i:04}").into_bytes();
        overlay.put(&key, b"p").unwrap();
        model.insert(key, b"p".to_vec());
    }
    for i in (0..4000).step_by(10) {
        let key = format!("k{i:04}").into_bytes();
        overlay.delete(&key).unwrap();
        model.remove(&key);
    }
    let all: Vec<_> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(
        overlay
            .range(&committed, b"", None, MAX_RANGE_LIMIT)
            .unwrap(),
        all
    );
    assert_eq!(
        overlay.range(&committed, b"", None, 777).unwrap(),
        all[..777].to_vec()
    );
}

#[test]
fn nested_checkpoints_roll_back_exactly() {
    let committed = Memory::default();
    let mut overlay = Overlay::new();
    overlay.put(b"a", b"1").unwrap();
    assert_eq!(overlay.checkpoint(), 1);
    overlay.put(b"a", b"2").unwrap();
    overlay.put(b"b", b"1").unwrap();
    assert_eq!(overlay.checkpoint(), 2);
    overlay.delete(b"a").unwrap();
    overlay.put(b"c", b"1").unwrap();
    overlay.rollback().unwrap();
    let get = |o: &Overlay, k: &[u8]| o.get(&committed, k).unwrap();
    assert_eq!(
        (
            get(&overlay, b"a"),
            get(&overlay, b"b"),
            get(&overlay, b"c")
        ),
        (Some(b"2".to_vec()), Some(b"1".to_vec()), None)
    );
    overlay.checkpoint();
    overlay.put(b"d", b"1").unwrap();
    overlay.release().unwrap();
    assert!(overlay.write_set().is_err());
    overlay.rollback().unwrap();
    assert_eq!(
        overlay.write_set().unwrap(),
        vec![(b"a".to_vec(), Some(b"1".to_vec()))]
    );
    assert_eq!(overlay.rollback().unwrap_err().code(), "core.invalid_input");
    assert_eq!(overlay.release().unwrap_err().code(), "core.invalid_input");
}

#[test]
fn random_operations_match_a_model() {
    let committed = base(60);
    let mut rng = StdRng::seed_from_u64(7);
    let mut overlay = Overlay::new();
    let mut models: Vec<BTreeMap<Vec<u8>, Vec<u8>>> = vec![committed.0.clone()];
    for _ in 0..5000 {
        let key = format!("k{:04}", rng.gen_range(0..130)).into_bytes();
        let op: f64 = rng.gen();
        let top = models.len() - 1;
        if op < 0.35 {
            let value = format!("v{}", rng.gen_range(0..1000)).into_bytes();
            overlay.put(&key, &value).unwrap();
            models[top].insert(key.clone(), value);
        } else if op < 0.5 {
            overlay.delete(&key).unwrap();
            models[top].remove(&key);
        } else if op < 0.58 {
            overlay.checkpoint();
            models.push(models[top].clone());
        } else if op < 0.66 && top > 0 {
            overlay.rollback().unwrap();
            models.pop();
        } else if op < 0.74 && top > 0 {
            overlay.release().unwrap();
            let kept = models.pop().unwrap();
            *models.last_mut().unwrap() = kept;
        } else {
            let start = format!("k{:04}", rng.gen_range(0..130)).into_bytes();
            let model = &models[models.len() - 1];
            let expected: Vec<_> = model
                .range(start.clone()..)
                .take(50)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            assert_eq!(
                overlay.range(&committed, &start, None, 50).unwrap(),
                expected
            );
            assert_eq!(
                overlay.get(&committed, &key).unwrap(),
                model.get(&key).cloned()
            );
        }
    }
    while models.len() > 1 {
        overlay.release().unwrap();
        let kept = models.pop().unwrap();
        *models.last_mut().unwrap() = kept;
    }
    // Applying the write set to the committed state gives the model.
    let mut applied = committed.0.clone();
    for (key, value) in overlay.write_set().unwrap() {
        match value {
            Some(value) => applied.insert(key, value),
            None => applied.remove(&key),
        };
    }
    assert_eq!(applied, models[0]);
}

#[test]
fn hostile_keys_and_values_are_refused_and_change_nothing() {
    let committed = Memory::default();
    let mut overlay = Overlay::new();
    assert_eq!(
        overlay.put(b"", b"x").unwrap_err().code(),
        "core.invalid_input"
    );
    assert_eq!(
        overlay
            .put(&[1u8; MAX_KEY_LEN + 1], b"x")
            .unwrap_err()
            .code(),
        "core.invalid_input"
    );
    assert_eq!(
        overlay
            .put(b"k", &vec![0u8; MAX_VALUE_LEN + 1])
            .unwrap_err()
            .code(),
        "core.invalid_input"
    );
    assert_eq!(
        overlay.delete(b"").unwrap_err().code(),
        "core.invalid_input"
    );
    assert_eq!(
        overlay.get(&committed, b"").unwrap_err().code(),
        "core.invalid_input"
    );
    assert_eq!(
        overlay
            .range(&committed, &[0u8; 300], None, 1)
            .unwrap_err()
            .code(),
        "core.invalid_input"
    );
    assert_eq!(
        overlay
            .range(&committed, b"", None, MAX_RANGE_LIMIT + 1)
            .unwrap_err()
            .code(),
        "core.invalid_input"
    );
    assert!(overlay.is_empty());
}

#[test]
fn next_key_handles_maximum_length_keys() {
    assert_eq!(next_key(b"ab"), Some(b"ab\x00".to_vec()));
    let mut long = vec![7u8; MAX_KEY_LEN];
    assert_eq!(
        next_key(&long).unwrap(),
        [vec![7u8; MAX_KEY_LEN - 1], vec![8u8]].concat()
    );
    long[MAX_KEY_LEN - 1] = 0xff;
    assert_eq!(
        next_key(&long).unwrap(),
        [vec![7u8; MAX_KEY_LEN - 2], vec![8u8]].concat()
    );
    assert_eq!(next_key(&[0xffu8; MAX_KEY_LEN]), None);
}

#[test]
fn ranges_page_past_maximum_length_keys_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path(),
        StoreOptions {
            durable: false,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let keys: Vec<Vec<u8>> = (0..(PAGE as u32 + 10))
        .map(|i| [i.to_be_bytes().to_vec(), vec![0xffu8; MAX_KEY_LEN - 4]].concat())
        .collect();
    let writes: Vec<(&[u8], Option<&[u8]>)> = keys
        .iter()
        .map(|k| (k.as_slice(), Some(b"v".as_slice())))
        .collect();
    store.commit(1, &writes, &[]).unwrap();
    let mut overlay = Overlay::new();
    overlay.delete(&keys[3]).unwrap();
    let got = overlay.range(&store, b"", None, MAX_RANGE_LIMIT).unwrap();
    assert_eq!(got.len(), keys.len() - 1);
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0));
}

/// What the binding does on a read: answer locally, else read the store and remember.
fn read_remembering(overlay: &mut Overlay, committed: &Memory, key: &[u8]) -> Option<Vec<u8>> {
    if let Some(found) = overlay.local(key).unwrap() {
        return found.map(<[u8]>::to_vec);
    }
    let value = overlay.get(committed, key).unwrap();
    overlay.remember(key, value.as_deref());
    value
}

#[test]
fn remembered_reads_answer_like_the_store_and_yield_to_pending_writes() {
    let committed = base(5);
    let mut overlay = Overlay::remembering_reads();
    assert!(overlay.remembers_reads());
    assert_eq!(overlay.local(b"k0002").unwrap(), None); // not read yet: only the store knows
    assert_eq!(
        read_remembering(&mut overlay, &committed, b"k0002").as_deref(),
        Some(b"base1".as_slice())
    );
    assert_eq!(read_remembering(&mut overlay, &committed, b"k0003"), None);
    // Remembered, absent ones too, without the store.
    assert_eq!(
        overlay.local(b"k0002").unwrap(),
        Some(Some(b"base1".as_slice()))
    );
    assert_eq!(overlay.local(b"k0003").unwrap(), Some(None));
    // A pending write or deletion wins over a remembered value, and a rollback brings it back.
    overlay.checkpoint();
    overlay.put(b"k0003", b"new").unwrap();
    overlay.delete(b"k0002").unwrap();
    assert_eq!(
        overlay.local(b"k0003").unwrap(),
        Some(Some(b"new".as_slice()))
    );
    assert_eq!(overlay.local(b"k0002").unwrap(), Some(None));
    overlay.rollback().unwrap();
    assert_eq!(
        overlay.get(&committed, b"k0002").unwrap().as_deref(),
        Some(b"base1".as_slice())
    );
    assert_eq!(overlay.get(&committed, b"k0003").unwrap(), None);
    // Remembered reads are no writes: the write set stays empty.
    assert!(overlay.write_set().unwrap().is_empty());
    // An overlay that does not remember ignores it.
    let mut plain = Overlay::new();
    plain.remember(b"k0002", Some(b"stale"));
    assert_eq!(plain.local(b"k0002").unwrap(), None);
    assert!(plain.local(b"").is_err() && plain.local(&[0u8; 257]).is_err());
}

#[test]
fn remembered_reads_are_bounded_in_bytes() {
    let mut overlay = Overlay::remembering_reads();
    let big = vec![7u8; 60 * 1024];
    let count = MAX_REMEMBERED_BYTES / big.len() + 10;
    for i in 0..count {
        overlay.remember(format!("key{i:06}").as_bytes(), Some(&big));
        let memo = overlay.remembered.as_ref().unwrap();
        assert!(memo.bytes <= MAX_REMEMBERED_BYTES);
        assert_eq!(
            memo.bytes,
            memo.values
                .iter()
                .map(|(k, v)| k.len() + v.as_ref().map_or(0, Vec::len))
                .sum::<usize>()
        );
    }
    // The last one is still known; the first was forgotten when the memo emptied.
    let last = format!("key{:06}", count - 1);
    assert_eq!(
        overlay.local(last.as_bytes()).unwrap(),
        Some(Some(big.as_slice()))
    );
    assert_eq!(overlay.local(b"key000000").unwrap(), None);
}

#[test]
fn watched_changes_count_writes_deletions_and_undoing_under_the_prefix() {
    let mut overlay = Overlay::remembering_reads().watch(b"sys/");
    assert_eq!(overlay.watched(), Some(b"sys/".as_slice()));
    assert_eq!(overlay.watched_changes(), 0);
    overlay.put(b"p/pay/x", b"1").unwrap();
    overlay.delete(b"sysx").unwrap(); // not under "sys/"
    assert_eq!(overlay.watched_changes(), 0);
    overlay.put(b"sys/a", b"1").unwrap();
    overlay.delete(b"sys/b").unwrap();
    assert_eq!(overlay.watched_changes(), 2);
    // Released writes change nothing more; rolled-back ones change the values back.
    overlay.checkpoint();
    overlay.put(b"p/pay/y", b"2").unwrap();
    overlay.release().unwrap();
    assert_eq!(overlay.watched_changes(), 2);
    overlay.checkpoint();
    overlay.put(b"p/pay/z", b"3").unwrap();
    overlay.rollback().unwrap(); // undid no watched key
    assert_eq!(overlay.watched_changes(), 2);
    overlay.checkpoint();
    overlay.put(b"sys/a", b"2").unwrap();
    assert_eq!(overlay.watched_changes(), 3);
    overlay.rollback().unwrap();
    assert_eq!(overlay.watched_changes(), 4);
    // A refused write changes nothing and counts nothing.
    assert!(overlay
        .put(b"sys/c", &vec![0u8; MAX_VALUE_LEN + 1])
        .is_err());
    assert_eq!(overlay.watched_changes(), 4);
    // Nothing watched: nothing counted.
    let mut plain = Overlay::new();
    plain.put(b"sys/a", b"1").unwrap();
    assert_eq!((plain.watched(), plain.watched_changes()), (None, 0));
}
