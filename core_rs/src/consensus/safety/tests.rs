use super::*;
use crate::crypto;
use crate::wire::VoteKind::{Precommit, Prevote};

const CHAIN: [u8; 32] = [3; 32];

fn rules(store: impl SafetyStore + 'static) -> SafetyRules {
    SafetyRules::new([11; 32], CHAIN, Box::new(store)).unwrap()
}

#[test]
fn signatures_verify_and_repeat_is_idempotent() {
    let mut r = rules(MemoryStore::new());
    let vote = r.sign_vote(Prevote, 5, 0, Some([1; 32]), None).unwrap();
    crypto::verify(&vote.validator, &vote.signing_digest(), &vote.signature).unwrap();
    let again = r.sign_vote(Prevote, 5, 0, Some([1; 32]), None).unwrap();
    assert_eq!(vote, again);
}

#[test]
fn refuses_conflicting_or_earlier_messages() {
    let mut r = rules(MemoryStore::new());
    r.sign_vote(Prevote, 5, 1, Some([1; 32]), None).unwrap();
    for attempt in [
        r.sign_vote(Prevote, 5, 1, Some([2; 32]), None).map(|_| ()),
        r.sign_vote(Prevote, 5, 1, None, None).map(|_| ()),
        r.sign_vote(Prevote, 5, 0, Some([1; 32]), None).map(|_| ()),
        r.sign_proposal(5, 1, None, [1; 32]).map(|_| ()),
        r.sign_vote(Precommit, 4, 9, None, None).map(|_| ()),
    ] {
        assert_eq!(attempt.unwrap_err().code(), "store.conflict");
    }
    r.sign_vote(Precommit, 5, 1, None, None).unwrap();
    r.sign_proposal(5, 2, None, [7; 32]).unwrap();
    assert_eq!(
        r.sign_proposal(5, 2, None, [8; 32]).unwrap_err().code(),
        "store.conflict"
    );
}

#[test]
fn lock_blocks_prevotes_without_a_later_polka() {
    let mut r = rules(MemoryStore::new());
    r.sign_vote(Precommit, 5, 2, Some([1; 32]), None).unwrap();
    assert_eq!(r.lock_at(5).unwrap().round, 2);
    // Another value without justification, or with a POL older than the lock: refused.
    assert!(r.sign_vote(Prevote, 5, 3, Some([2; 32]), None).is_err());
    assert!(r.sign_vote(Prevote, 5, 3, Some([2; 32]), Some(1)).is_err());
    // The POL round must be before the vote's round.
    assert!(r.sign_vote(Prevote, 5, 3, Some([2; 32]), Some(3)).is_err());
    // Nil and the locked value are always fine; a POL at/after the lock unlocks.
    r.sign_vote(Prevote, 5, 3, None, None).unwrap();
    r.sign_vote(Prevote, 5, 4, Some([1; 32]), None).unwrap();
    r.sign_vote(Prevote, 5, 5, Some([2; 32]), Some(2)).unwrap();
    // A new height forgets the lock.
    r.sign_vote(Prevote, 6, 0, Some([2; 32]), None).unwrap();
    assert!(r.lock_at(6).is_none());
}

#[test]
fn state_encoding_round_trips_and_detects_damage() {
    let mut r = rules(MemoryStore::new());
    r.sign_vote(Precommit, 9, 4, Some([5; 32]), None).unwrap();
    let bytes = r.state().encode();
    assert_eq!(bytes.len(), ENCODED_LEN);
    assert_eq!(SafetyState::decode(&bytes).unwrap(), *r.state());
    assert_eq!(
        SafetyState::decode(&SafetyState::default().encode()).unwrap(),
        SafetyState::default()
    );
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x40;
        assert_eq!(
            SafetyState::decode(&bad).unwrap_err().code(),
            "core.internal"
        );
    }
    assert!(SafetyState::decode(&bytes[..bytes.len() - 1]).is_err());
    assert!(SafetyState::decode(&[]).is_err());
}

/// A store that fails every save: no signature may come out.
struct FailingStore;
impl SafetyStore for FailingStore {
    fn load(&self) -> CoreResult<Option<SafetyState>> {
        Ok(None)
    }
    fn save(&mut self, _: &SafetyState) -> CoreResult<()> {
        Err(CoreError::Storage("disk full".into()))
    }
}

#[test]
fn no_signature_without_persisting() {
    let mut r = rules(FailingStore);
    assert_eq!(
        r.sign_vote(Prevote, 1, 0, Some([1; 32]), None)
            .unwrap_err()
            .code(),
        "store.error"
    );
    assert!(r.state().last.is_none());
}

#[test]
fn crash_between_persist_and_send_never_signs_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("safety.state");
    // Sign, then "crash" before the vote leaves the process: drop everything.
    let first = {
        let mut r = rules(FileStore::new(&path));
        r.sign_vote(Prevote, 7, 2, Some([1; 32]), None).unwrap()
    };
    // The restarted signer remembers: a conflicting vote at the same step is refused...
    let mut r = rules(FileStore::new(&path));
    assert_eq!(
        r.sign_vote(Prevote, 7, 2, Some([2; 32]), None)
            .unwrap_err()
            .code(),
        "store.conflict"
    );
    assert_eq!(
        r.sign_vote(Prevote, 7, 2, None, None).unwrap_err().code(),
        "store.conflict"
    );
    assert!(r.sign_vote(Prevote, 7, 1, None, None).is_err());
    // ...the lost vote can be rebuilt from the state and re-sent...
    assert_eq!(r.votes_to_resend(7), vec![first.clone()]);
    assert!(r.votes_to_resend(8).is_empty());
    // ...and re-signing it gives the very same bytes.
    assert_eq!(
        r.sign_vote(Prevote, 7, 2, Some([1; 32]), None).unwrap(),
        first
    );
    // Lock survives a crash too, and both the prevote and the precommit can be re-sent.
    let precommit = r.sign_vote(Precommit, 7, 2, Some([1; 32]), None).unwrap();
    drop(r);
    let mut r = rules(FileStore::new(&path));
    assert_eq!(r.votes_to_resend(7), vec![first.clone(), precommit]);
    assert_eq!(r.lock_at(7).unwrap().block_hash, [1; 32]);
    assert!(r.sign_vote(Prevote, 7, 3, Some([2; 32]), None).is_err());
}

#[test]
fn file_store_survives_leftover_temp_and_refuses_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    // A crash during the very first save leaves only a temp file: nothing was signed.
    std::fs::write(dir.path().join("s.tmp"), b"half written").unwrap();
    assert_eq!(FileStore::new(&path).load().unwrap(), None);
    let mut r = rules(FileStore::new(&path));
    r.sign_vote(Prevote, 1, 0, None, None).unwrap();
    assert!(!dir.path().join("s.tmp").exists());
    // A crash during a later save leaves the old file whole: it still loads.
    std::fs::write(dir.path().join("s.tmp"), b"half written").unwrap();
    assert_eq!(FileStore::new(&path).load().unwrap().unwrap(), *r.state());
    // A damaged state file is an error, never a fresh start.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[20] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(
        FileStore::new(&path).load().unwrap_err().code(),
        "core.internal"
    );
    assert!(SafetyRules::new([11; 32], CHAIN, Box::new(FileStore::new(&path))).is_err());
    // A store in a directory that does not exist fails to save: no signature.
    let mut r = rules(FileStore::new(dir.path().join("missing/dir/s")));
    assert_eq!(
        r.sign_vote(Prevote, 1, 0, None, None).unwrap_err().code(),
        "store.error"
    );
}
