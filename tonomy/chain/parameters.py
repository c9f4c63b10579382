"""Chain parameters: the system's own (plugin ``tonomy``) and every plugin's, kept in state.

Genesis writes every parameter (its default, or the genesis override) under
``sys/param/<plugin>/<name>``; the engine reads the system ones at the start of each
block, so governance can change them later by writing the same keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tonomy.chain import codec
from tonomy.chain.context import ResourceLimits
from tonomy.chain.state import StateView
from tonomy.errors import InternalError, InvalidInputError
from tonomy.plugin.types import ParameterSpec

SYSTEM_PLUGIN = "tonomy"
PARAM_PREFIX = b"sys/param/"

@dataclass(frozen=True, slots=True)
class ChoiceParameterSpec(ParameterSpec):
    """A ``str`` parameter that takes one of a fixed list of values."""

    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        ParameterSpec.__post_init__(self)
        if self.type is not str or self.default not in self.choices:
            raise TypeError(f"parameter {self.name!r}: a choice is a str whose default is one of {self.choices}")

    def validate(self, value: object) -> None:
        ParameterSpec.validate(self, value)
        if value not in self.choices:
            raise InvalidInputError(f"parameter {self.name!r} is one of {', '.join(self.choices)}, got {value!r}")


#: What follows committed evidence of equivocation (docs/consensus.md, "Evidence").
PENALTY_NONE = "none"
PENALTY_EJECT = "eject"

#: The system's parameters, governable like any plugin's.
SYSTEM_PARAMETERS: tuple[ParameterSpec, ...] = (
    ParameterSpec("max_tx_lifetime_s", int, 3600, "Longest a transaction may stay valid after the head block (seconds).", 1, 86_400 * 7),
    ParameterSpec("max_block_transactions", int, 1000, "Most transactions in one block.", 1, 4096),
    ParameterSpec("max_account_txs_per_block", int, 100, "Most transactions one account may have in one block (anti-spam).", 1, 4096),
    ParameterSpec("mempool_max", int, 10_000, "Most transactions waiting in a node's mempool.", 1, 1_000_000),
    ParameterSpec("mempool_max_per_account", int, 200, "Most waiting transactions per account in the mempool (anti-spam).", 1, 1_000_000),
    ParameterSpec("max_state_ops", int, 10_000, "Most metered state operations per transaction.", 1, 10_000_000),
    ParameterSpec("max_bytes_written", int, 1 << 20, "Most bytes of state one transaction may write.", 1, 1 << 30),
    ParameterSpec("max_events", int, 256, "Most events one transaction may emit.", 0, 65_536),
    ParameterSpec("max_call_depth", int, 4, "Deepest nesting of cross-plugin calls.", 0, 16),
    ParameterSpec("max_auth_depth", int, 6, "Delegation levels the authority checker follows.", 0, 16),
    ParameterSpec("max_auth_evaluations", int, 1024, "Most permission evaluations per transaction.", 1, 65_536),
    ParameterSpec(
        "governance_plugin",
        str,
        "",
        "The plugin allowed to change parameters and to act as the system account (empty: none; parameters stay at genesis values).",
        0,
        64,
    ),
    ParameterSpec(
        "app_registry_plugin",
        str,
        "marketplace",
        "The plugin whose approved app manifests bound what each app may reach (empty: apps are not constrained).",
        0,
        64,
    ),
    ParameterSpec(
        "consensus_delay",
        int,
        2,
        "Heights after the block that changes the validator set until the change takes effect (at least 2).",
        2,
        100_000,
    ),
    ChoiceParameterSpec(
        "equivocation_penalty",
        str,
        PENALTY_NONE,
        "What committed evidence of a validator signing two votes for one step does: none (recorded only) "
        "or eject (the validator is removed from the set, consensus_delay heights later).",
        1,
        16,
        (PENALTY_NONE, PENALTY_EJECT),
    ),
    ParameterSpec(
        "plugin_change_min_delay",
        int,
        10,
        "Fewest blocks between scheduling a plugin activation, upgrade or disable and its height (time for operators to install).",
        1,
        100_000_000,
    ),
    ParameterSpec("max_migration_ops", int, 1_000_000, "Most metered state operations one plugin migration may use.", 1, 100_000_000),
)

#: Where the engine looks up the governance plugin (read at each privileged call).
GOVERNANCE_PLUGIN = "governance_plugin"


def parameter_key(plugin: str, name: str) -> bytes:
    return PARAM_PREFIX + f"{plugin}/{name}".encode("ascii")


def write_parameters(state: StateView, values: Mapping[tuple[str, str], Any]) -> None:
    """Store parameter values (already validated), in key order."""
    for (plugin, name) in sorted(values):
        state.put(parameter_key(plugin, name), codec.encode(values[(plugin, name)]))


def read_parameter(state: StateView, plugin: str, name: str) -> Any:
    raw = state.get(parameter_key(plugin, name))
    if raw is None:
        raise InternalError(f"the parameter {plugin}.{name} is missing from state (was genesis applied?)")
    return codec.decode(raw)


@dataclass(frozen=True, slots=True)
class ChainParameters:
    """The system parameters in effect for one block."""

    max_tx_lifetime_s: int
    max_block_transactions: int
    max_account_txs_per_block: int
    mempool_max: int
    mempool_max_per_account: int
    max_state_ops: int
    max_bytes_written: int
    max_events: int
    max_call_depth: int
    max_auth_depth: int
    max_auth_evaluations: int
    governance_plugin: str
    app_registry_plugin: str
    consensus_delay: int
    equivocation_penalty: str
    plugin_change_min_delay: int
    max_migration_ops: int

    @classmethod
    def read(cls, state: StateView) -> ChainParameters:
        return cls(**{spec.name: read_parameter(state, SYSTEM_PLUGIN, spec.name) for spec in SYSTEM_PARAMETERS})

    @classmethod
    def defaults(cls) -> ChainParameters:
        return cls(**{spec.name: spec.default for spec in SYSTEM_PARAMETERS})  # type: ignore[arg-type]

    def resource_limits(self, max_ops: int = 0) -> ResourceLimits:
        """Per-transaction limits; a transaction's ``maxOps`` can only lower the op limit."""
        ops = self.max_state_ops if max_ops == 0 else min(max_ops, self.max_state_ops)
        return ResourceLimits(
            max_state_ops=ops,
            max_bytes_written=self.max_bytes_written,
            max_events=self.max_events,
            max_call_depth=self.max_call_depth,
        )
