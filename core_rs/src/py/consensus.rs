//! Bindings for `crate::consensus`: one engine a Python node drives. Messages go in
//! and out as bytes (wire votes, proposals, commits); outputs are small frozen
//! `ConsensusOutput` objects with a `kind` and the fields that kind uses.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::errors::MapPy;
use super::gil;
use crate::consensus::{
    Config, Engine, Evidence, FileStore, Input, MemoryStore, Output, Proposal, SafetyRules,
    SafetyStore, Step, Validator, ValidatorSet,
};
use crate::wire::{self, Limits};
use crate::{CoreError, CoreResult};

const LIMITS: &Limits = &Limits::PROTOCOL;

fn array<const N: usize>(what: &str, bytes: &[u8]) -> CoreResult<[u8; N]> {
    <[u8; N]>::try_from(bytes).map_err(|_| {
        CoreError::InvalidInput(format!(
            "{what} must be exactly {N} bytes, got {}",
            bytes.len()
        ))
    })
}

fn validator_set(validators: Vec<(Vec<u8>, u64)>) -> CoreResult<ValidatorSet> {
    let list = validators
        .into_iter()
        .enumerate()
        .map(|(i, (key, power))| {
            Ok(Validator {
                key: array(&format!("validators[{i}] key"), &key)?,
                power,
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    ValidatorSet::new(list)
}

/// One thing the engine asks the host to do. `kind` says which fields are set:
/// `"proposal"` / `"vote"` (`message`: bytes to broadcast), `"timeout"` (`height`,
/// `round`, `step`, `duration_ms`), `"get_value"` (`height`, `round`),
/// `"validate_value"` (`height`, `round`, `block_hash`, `value`), `"decide"` (`height`,
/// `round`, `block_hash`, `value`, `message` = the encoded commit), `"evidence"`
/// (`reason` = `"duplicate_vote"`/`"duplicate_proposal"`, `offender`, `evidence` = the
/// two encoded messages), `"rejected"` (`reason`).
#[pyclass(frozen, name = "ConsensusOutput", module = "tonomy._core")]
pub struct ConsensusOutput {
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    height: Option<u64>,
    #[pyo3(get)]
    round: Option<u32>,
    #[pyo3(get)]
    step: Option<&'static str>,
    #[pyo3(get)]
    duration_ms: Option<u64>,
    block_hash: Option<[u8; 32]>,
    value: Option<Vec<u8>>,
    message: Option<Vec<u8>>,
    offender: Option<[u8; 32]>,
    evidence: Option<(Vec<u8>, Vec<u8>)>,
    #[pyo3(get)]
    reason: Option<String>,
}

impl ConsensusOutput {
    fn of(kind: &'static str) -> Self {
        ConsensusOutput {
            kind,
            height: None,
            round: None,
            step: None,
            duration_ms: None,
            block_hash: None,
            value: None,
            message: None,
            offender: None,
            evidence: None,
            reason: None,
        }
    }

    fn from_core(output: Output) -> CoreResult<Self> {
        Ok(match output {
            Output::BroadcastProposal(p) => ConsensusOutput {
                height: Some(p.height),
                round: Some(p.round),
                block_hash: Some(p.block_hash),
                message: Some(p.encode()?),
                ..Self::of("proposal")
            },
            Output::BroadcastVote(v) => ConsensusOutput {
                height: Some(v.height),
                round: Some(v.round),
                block_hash: v.block_hash,
                message: Some(wire::encode_vote(&v)?),
                ..Self::of("vote")
            },
            Output::ScheduleTimeout {
                height,
                round,
                step,
                duration_ms,
            } => ConsensusOutput {
                height: Some(height),
                round: Some(round),
                step: Some(step.as_str()),
                duration_ms: Some(duration_ms),
                ..Self::of("timeout")
            },
            Output::GetValue { height, round } => ConsensusOutput {
                height: Some(height),
                round: Some(round),
                ..Self::of("get_value")
            },
            Output::ValidateValue {
                height,
                round,
                block_hash,
                value,
            } => ConsensusOutput {
                height: Some(height),
                round: Some(round),
                block_hash: Some(block_hash),
                value: Some(value),
                ..Self::of("validate_value")
            },
            Output::Decide {
                height,
                round,
                block_hash,
                value,
                commit,
            } => ConsensusOutput {
                height: Some(height),
                round: Some(round),
                block_hash: Some(block_hash),
                value: Some(value),
                message: Some(wire::encode_commit(&commit, LIMITS)?),
                ..Self::of("decide")
            },
            Output::Evidence(evidence) => {
                let offender = Some(evidence.offender());
                let (reason, pair) = match evidence {
                    Evidence::DuplicateVote { a, b } => (
                        "duplicate_vote",
                        (wire::encode_vote(&a)?, wire::encode_vote(&b)?),
                    ),
                    Evidence::DuplicateProposal { a, b } => {
                        ("duplicate_proposal", (a.encode()?, b.encode()?))
                    }
                };
                ConsensusOutput {
                    offender,
                    evidence: Some(pair),
                    reason: Some(reason.to_string()),
                    ..Self::of("evidence")
                }
            }
            Output::Rejected { reason } => ConsensusOutput {
                reason: Some(reason),
                ..Self::of("rejected")
            },
        })
    }
}

fn opt_bytes<'py>(py: Python<'py>, bytes: Option<&[u8]>) -> Option<Bound<'py, PyBytes>> {
    bytes.map(|b| PyBytes::new(py, b))
}

#[pymethods]
impl ConsensusOutput {
    #[getter]
    fn block_hash<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        opt_bytes(py, self.block_hash.as_ref().map(|h| &h[..]))
    }
    #[getter]
    fn value<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        opt_bytes(py, self.value.as_deref())
    }
    #[getter]
    fn message<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        opt_bytes(py, self.message.as_deref())
    }
    #[getter]
    fn offender<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        opt_bytes(py, self.offender.as_ref().map(|h| &h[..]))
    }
    #[getter]
    fn evidence<'py>(&self, py: Python<'py>) -> Option<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        self.evidence
            .as_ref()
            .map(|(a, b)| (PyBytes::new(py, a), PyBytes::new(py, b)))
    }
    fn __repr__(&self) -> String {
        let mut parts = vec![format!("kind={:?}", self.kind)];
        if let Some(h) = self.height {
            parts.push(format!("height={h}"));
        }
        if let Some(r) = self.round {
            parts.push(format!("round={r}"));
        }
        if let Some(s) = self.step {
            parts.push(format!("step={s:?}"));
        }
        if let Some(r) = &self.reason {
            parts.push(format!("reason={r:?}"));
        }
        format!("ConsensusOutput({})", parts.join(", "))
    }
}

/// One validator's (or an observer's) consensus state machine; see docs/consensus.md.
#[pyclass(name = "ConsensusEngine", module = "tonomy._core")]
pub struct ConsensusEngine {
    engine: Engine,
}

impl ConsensusEngine {
    fn run(&mut self, py: Python<'_>, input: Input) -> PyResult<Vec<ConsensusOutput>> {
        let engine = &mut self.engine;
        // Signature checks and safety-state fsyncs happen in here: no GIL.
        let outputs = gil::released(py, || Ok(engine.handle(input))).map_py()?;
        outputs
            .into_iter()
            .map(ConsensusOutput::from_core)
            .collect::<CoreResult<Vec<_>>>()
            .map_py()
    }
}

#[pymethods]
impl ConsensusEngine {
    /// `validators`: `(public key, power)` pairs. With `seed` the engine signs through
    /// safety rules whose state lives in `safety_path` (atomically replaced file);
    /// `safety_path=None` keeps it in memory, for tests only (a restart forgets it).
    #[new]
    #[pyo3(signature = (chain_id, validators, height, seed=None, safety_path=None, timeouts_ms=None))]
    fn new(
        py: Python<'_>,
        chain_id: &[u8],
        validators: Vec<(Vec<u8>, u64)>,
        height: u64,
        seed: Option<&[u8]>,
        safety_path: Option<std::path::PathBuf>,
        timeouts_ms: Option<(u64, u64, u64, u64, u64, u64)>,
    ) -> PyResult<Self> {
        let chain_id: [u8; 32] = array("chain_id", chain_id).map_py()?;
        let set = validator_set(validators).map_py()?;
        let mut config = Config::new(chain_id);
        if let Some((p, pd, v, vd, c, cd)) = timeouts_ms {
            config.timeout_propose_ms = p;
            config.timeout_propose_delta_ms = pd;
            config.timeout_prevote_ms = v;
            config.timeout_prevote_delta_ms = vd;
            config.timeout_precommit_ms = c;
            config.timeout_precommit_delta_ms = cd;
        }
        let seed: Option<[u8; 32]> = seed.map(|s| array("seed", s)).transpose().map_py()?;
        let engine = gil::released(py, move || {
            let signer = match seed {
                Some(seed) => {
                    let store: Box<dyn SafetyStore> = match safety_path {
                        Some(path) => Box::new(FileStore::new(path)),
                        None => Box::new(MemoryStore::new()),
                    };
                    Some(SafetyRules::new(seed, chain_id, store)?)
                }
                None => {
                    if safety_path.is_some() {
                        return Err(CoreError::InvalidInput("safety_path needs a seed".into()));
                    }
                    None
                }
            };
            Engine::new(config, set, height, signer)
        })
        .map_py()?;
        Ok(ConsensusEngine { engine })
    }

    /// Begin the height (round 0, or the round the safety state says after a restart).
    fn start(&mut self, py: Python<'_>) -> PyResult<Vec<ConsensusOutput>> {
        let engine = &mut self.engine;
        let outputs = gil::released(py, || Ok(engine.start())).map_py()?;
        outputs
            .into_iter()
            .map(ConsensusOutput::from_core)
            .collect::<CoreResult<Vec<_>>>()
            .map_py()
    }

    /// A proposal received from the network (its bytes).
    fn on_proposal(&mut self, py: Python<'_>, proposal: &[u8]) -> PyResult<Vec<ConsensusOutput>> {
        let proposal = Proposal::decode(proposal).map_py()?;
        self.run(py, Input::Proposal(proposal))
    }

    /// A vote received from the network (canonical wire `Vote` bytes).
    fn on_vote(&mut self, py: Python<'_>, vote: &[u8]) -> PyResult<Vec<ConsensusOutput>> {
        let vote = wire::decode_vote(vote, LIMITS).map_py()?;
        self.run(py, Input::Vote(vote))
    }

    /// A timeout the engine scheduled has expired.
    fn on_timeout(
        &mut self,
        py: Python<'_>,
        height: u64,
        round: u32,
        step: &str,
    ) -> PyResult<Vec<ConsensusOutput>> {
        let step = Step::parse(step).map_py()?;
        self.run(
            py,
            Input::Timeout {
                height,
                round,
                step,
            },
        )
    }

    /// The answer to `get_value`: the value to propose and its block hash.
    fn on_value(
        &mut self,
        py: Python<'_>,
        height: u64,
        round: u32,
        block_hash: &[u8],
        value: &[u8],
    ) -> PyResult<Vec<ConsensusOutput>> {
        let block_hash = array("block_hash", block_hash).map_py()?;
        if value.len() > crate::consensus::MAX_VALUE_BYTES {
            return Err(CoreError::InvalidInput(format!(
                "a value is at most {} bytes, got {}",
                crate::consensus::MAX_VALUE_BYTES,
                value.len()
            )))
            .map_py();
        }
        self.run(
            py,
            Input::ProposalValue {
                height,
                round,
                block_hash,
                value: value.to_vec(),
            },
        )
    }

    /// The answer to `validate_value`.
    fn on_validity(
        &mut self,
        py: Python<'_>,
        height: u64,
        block_hash: &[u8],
        valid: bool,
    ) -> PyResult<Vec<ConsensusOutput>> {
        let block_hash = array("block_hash", block_hash).map_py()?;
        self.run(
            py,
            Input::ValueValidity {
                height,
                block_hash,
                valid,
            },
        )
    }

    /// Start `height` with its validator set (after committing the decided block).
    fn new_height(
        &mut self,
        py: Python<'_>,
        height: u64,
        validators: Vec<(Vec<u8>, u64)>,
    ) -> PyResult<Vec<ConsensusOutput>> {
        let validators = validator_set(validators).map_py()?;
        self.run(py, Input::NewHeight { height, validators })
    }

    #[getter]
    fn height(&self) -> u64 {
        self.engine.height()
    }
    #[getter]
    fn round(&self) -> u32 {
        self.engine.round()
    }
    #[getter]
    fn step(&self) -> &'static str {
        self.engine.step().as_str()
    }
    #[getter]
    fn decided(&self) -> bool {
        self.engine.has_decided()
    }
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.engine.my_key().map(|k| PyBytes::new(py, &k))
    }
    /// The proposer of `(height, round)` under this engine's validator set.
    fn proposer<'py>(&self, py: Python<'py>, height: u64, round: u32) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.engine.validators().proposer(height, round).key)
    }
    fn __repr__(&self) -> String {
        format!("{:?}", self.engine)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ConsensusEngine>()?;
    m.add_class::<ConsensusOutput>()?;
    Ok(())
}
