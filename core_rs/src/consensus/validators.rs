//! The validator set of one height: keys, voting power, quorum arithmetic and the
//! deterministic weighted proposer selection (docs/consensus.md).

use crate::{CoreError, CoreResult};

/// Largest total voting power; keeps every `3 * power` sum far from overflow.
pub const MAX_TOTAL_POWER: u64 = 1 << 60;

/// Most validators in one set (a commit holds at most `max_commit_votes` = 256 votes).
pub const MAX_VALIDATORS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validator {
    pub key: [u8; 32],
    pub power: u64,
}

/// Validators sorted by key (bytewise), keys distinct, every power at least 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorSet {
    validators: Vec<Validator>,
    total: u64,
    stride: u64,
}

impl ValidatorSet {
    /// Build a set; the order of `validators` does not matter (it is sorted by key).
    pub fn new(mut validators: Vec<Validator>) -> CoreResult<Self> {
        if validators.is_empty() || validators.len() > MAX_VALIDATORS {
            return Err(CoreError::InvalidInput(format!(
                "a validator set has 1 to {MAX_VALIDATORS} validators, got {}",
                validators.len()
            )));
        }
        validators.sort_by_key(|v| v.key);
        let mut total: u64 = 0;
        for (i, v) in validators.iter().enumerate() {
            if v.power == 0 {
                return Err(CoreError::InvalidInput(
                    "a validator's power must be at least 1".into(),
                ));
            }
            if i > 0 && validators[i - 1].key == v.key {
                return Err(CoreError::InvalidInput(
                    "a validator key appears twice".into(),
                ));
            }
            total = total
                .checked_add(v.power)
                .filter(|t| *t <= MAX_TOTAL_POWER)
                .ok_or_else(|| {
                    CoreError::InvalidInput(format!("total voting power exceeds {MAX_TOTAL_POWER}"))
                })?;
        }
        let stride = coprime_stride(total);
        Ok(Self {
            validators,
            total,
            stride,
        })
    }

    pub fn validators(&self) -> &[Validator] {
        &self.validators
    }

    pub fn len(&self) -> usize {
        self.validators.len()
    }

    pub fn is_empty(&self) -> bool {
        self.validators.is_empty()
    }

    pub fn total_power(&self) -> u64 {
        self.total
    }

    /// Index of `key` in the set, if it is a validator.
    pub fn index_of(&self, key: &[u8; 32]) -> Option<usize> {
        self.validators.binary_search_by(|v| v.key.cmp(key)).ok()
    }

    pub fn power_of(&self, key: &[u8; 32]) -> Option<u64> {
        self.index_of(key)
            .and_then(|i| self.validators.get(i))
            .map(|v| v.power)
    }

    /// More than two thirds of the total power (2f+1).
    pub fn is_quorum(&self, power: u64) -> bool {
        3 * power as u128 > 2 * self.total as u128
    }

    /// More than one third of the total power (f+1: at least one honest member).
    pub fn is_one_third_plus(&self, power: u64) -> bool {
        3 * power as u128 > self.total as u128
    }

    /// The proposer of `(height, round)`: position `x = ((height + round) * stride) mod T`
    /// in the cumulative power, validators in key order. Exactly weighted over every
    /// window of `T` consecutive positions, because the stride is coprime with `T`.
    pub fn proposer(&self, height: u64, round: u32) -> &Validator {
        let k = height as u128 + round as u128;
        let x = ((k % self.total as u128) * self.stride as u128 % self.total as u128) as u64;
        let Some((last, init)) = self.validators.split_last() else {
            unreachable!("ValidatorSet::new refuses an empty set")
        };
        let mut cumulative: u64 = 0;
        for v in init {
            cumulative += v.power;
            if x < cumulative {
                return v;
            }
        }
        // x < total: what is left of the interval belongs to the last validator.
        last
    }

    /// `hash_with("tonomy/validators/v1", count ‖ (key ‖ power LE)…)`, for headers.
    pub fn hash(&self) -> crate::hash::Digest {
        let mut hasher = crate::hash::tagged_hasher_static(crate::hash::tags::VALIDATOR_SET);
        hasher.update(&(self.validators.len() as u32).to_le_bytes());
        for v in &self.validators {
            hasher.update(&v.key);
            hasher.update(&v.power.to_le_bytes());
        }
        *hasher.finalize().as_bytes()
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

/// The first integer at or above `T · 0.618…` that is coprime with `T`.
fn coprime_stride(total: u64) -> u64 {
    let mut stride = ((total as u128 * 2_654_435_769u128) >> 32) as u64;
    stride = stride.max(1);
    while gcd(stride, total) != 1 {
        stride += 1;
    }
    stride
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(powers: &[u64]) -> ValidatorSet {
        ValidatorSet::new(
            powers
                .iter()
                .enumerate()
                .map(|(i, p)| Validator {
                    key: [i as u8 + 1; 32],
                    power: *p,
                })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn quorum_thresholds_are_strict() {
        let s = set(&[1, 1, 1, 1]);
        assert!(!s.is_quorum(2));
        assert!(s.is_quorum(3));
        assert!(!s.is_one_third_plus(1));
        assert!(s.is_one_third_plus(2));
        let s = set(&[1, 1, 1]);
        assert!(!s.is_quorum(2));
        assert!(s.is_quorum(3));
        assert!(s.is_one_third_plus(2));
    }

    #[test]
    fn proposer_turns_are_exactly_weighted_per_period() {
        for powers in [&[1u64, 1, 1, 1][..], &[5, 1, 3], &[10, 7, 2, 2, 1, 9, 4]] {
            let s = set(powers);
            let total = s.total_power();
            for start in [0u64, 17, 1_000_003] {
                let mut counts = vec![0u64; s.len()];
                for k in 0..total {
                    let p = s.proposer(start + k, 0);
                    counts[s.index_of(&p.key).unwrap()] += 1;
                }
                let expected: Vec<u64> = s.validators().iter().map(|v| v.power).collect();
                assert_eq!(counts, expected, "powers {powers:?} start {start}");
            }
        }
    }

    #[test]
    fn equal_powers_rotate_through_everyone() {
        let s = set(&[1, 1, 1, 1]);
        let seen: std::collections::BTreeSet<_> = (0..4).map(|r| s.proposer(9, r).key).collect();
        assert_eq!(seen.len(), 4);
    }

    #[test]
    fn proposer_does_not_depend_on_input_order() {
        let a = set(&[3, 1, 2]);
        let mut vs = a.validators().to_vec();
        vs.reverse();
        let b = ValidatorSet::new(vs).unwrap();
        for k in 0..50 {
            assert_eq!(a.proposer(k, 1).key, b.proposer(k, 1).key);
        }
        assert_eq!(a.hash(), b.hash());
    }

    #[test]
    fn hostile_sets_are_refused() {
        assert!(ValidatorSet::new(vec![]).is_err());
        assert!(ValidatorSet::new(vec![Validator {
            key: [1; 32],
            power: 0
        }])
        .is_err());
        let dup = vec![
            Validator {
                key: [1; 32],
                power: 1,
            },
            Validator {
                key: [1; 32],
                power: 2,
            },
        ];
        assert!(ValidatorSet::new(dup).is_err());
        let huge = vec![
            Validator {
                key: [1; 32],
                power: u64::MAX,
            },
            Validator {
                key: [2; 32],
                power: u64::MAX,
            },
        ];
        assert_eq!(
            ValidatorSet::new(huge).unwrap_err().code(),
            "core.invalid_input"
        );
        let big = ValidatorSet::new(vec![Validator {
            key: [1; 32],
            power: MAX_TOTAL_POWER,
        }])
        .unwrap();
        assert_eq!(big.proposer(u64::MAX, u32::MAX).key, [1; 32]);
    }
}
