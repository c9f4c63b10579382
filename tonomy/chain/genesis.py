"""The genesis of a network: what every node starts from, and the chain id that names it.

A genesis file is JSON::

    {
      "chain_name": "devnet",
      "initial_time_ms": 1767225600000,
      "validators": ["<64 hex digits: Ed25519 public key>"],
      "accounts": [{"name": "alice", "type": "person", "keys": ["<hex key>"], "threshold": 1}],
      "plugins": [{"name": "pay", "version": "0.1.0"}],
      "parameters": {"tonomy": {"max_tx_lifetime_s": 600}, "pay": {"fee": 0}}
    }

``threshold`` is optional (default 1; every key has weight 1). ``bytes`` parameters
are given as hex strings. The chain id is the BLAKE3 hash of the canonical-codec
encoding of this record (normalised: plugins sorted by name), so two files that
mean the same network give the same id, and any change gives another.

Applying genesis creates the system account ``tonomy`` (unless listed; its authority
defaults to a majority of the validator keys), every listed account with its keys as
both ``owner`` and ``active``, every parameter (defaults, then overrides), the
validator set in effect from height 1 (power 1 each; ``tonomy.chain.validator_set``) and the
enabled plugin set: every pinned plugin at its version (governance changes it later,
docs/upgrades.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tonomy import _core
from tonomy.chain import codec, lifecycle, validator_set
from tonomy.chain.accounts import AccountType, create_account
from tonomy.chain.authority import Authority
from tonomy.chain.parameters import SYSTEM_PARAMETERS, SYSTEM_PLUGIN, write_parameters
from tonomy.chain.state import StateView
from tonomy.errors import GenesisError, TonomyError
from tonomy.plugin.registry import Registry
from tonomy.plugin.types import ParameterSpec


@dataclass(frozen=True, slots=True)
class GenesisAccount:
    name: str
    type: str
    keys: tuple[bytes, ...]
    threshold: int = 1

    def authority(self) -> Authority:
        return Authority(self.threshold, [(key, 1) for key in self.keys], [], [])

    def to_record(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "keys": [key.hex() for key in self.keys], "threshold": self.threshold}


@dataclass(frozen=True, slots=True)
class Genesis:
    chain_name: str
    initial_time_ms: int
    validators: tuple[bytes, ...]
    accounts: tuple[GenesisAccount, ...] = ()
    plugins: tuple[tuple[str, str], ...] = ()  # (name, version), sorted by name
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.chain_name, str) or not 0 < len(self.chain_name) <= 64:
            raise GenesisError("chain_name must be a string of 1 to 64 characters")
        if type(self.initial_time_ms) is not int or self.initial_time_ms < 0:
            raise GenesisError("initial_time_ms must be a non-negative integer (milliseconds since the epoch)")
        if not self.validators:
            raise GenesisError("a genesis needs at least one validator key")
        for key in self.validators:
            if type(key) is not bytes or len(key) != 32:
                raise GenesisError("validator keys are 32-byte Ed25519 public keys")
        if len(set(self.validators)) != len(self.validators):
            raise GenesisError("a validator key is listed twice")
        names = [account.name for account in self.accounts]
        if len(set(names)) != len(names):
            raise GenesisError("an account is listed twice")
        plugin_names = [name for name, _ in self.plugins]
        if len(set(plugin_names)) != len(plugin_names):
            raise GenesisError("a plugin is pinned twice")
        object.__setattr__(self, "plugins", tuple(sorted(self.plugins)))

    # -- files -----------------------------------------------------------------------

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Genesis:
        try:
            known = {"chain_name", "initial_time_ms", "validators", "accounts", "plugins", "parameters"}
            unknown = sorted(set(record) - known)
            if unknown:
                raise GenesisError(f"unknown genesis field(s): {', '.join(unknown)}")
            accounts = tuple(
                GenesisAccount(
                    name=item["name"],
                    type=item["type"],
                    keys=tuple(_hex_key(key) for key in item["keys"]),
                    threshold=item.get("threshold", 1),
                )
                for item in record.get("accounts", [])
            )
            return cls(
                chain_name=record["chain_name"],
                initial_time_ms=record["initial_time_ms"],
                validators=tuple(_hex_key(key) for key in record["validators"]),
                accounts=accounts,
                plugins=tuple((item["name"], item["version"]) for item in record.get("plugins", [])),
                parameters={plugin: dict(values) for plugin, values in record.get("parameters", {}).items()},
            )
        except GenesisError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise GenesisError(f"the genesis is malformed: {type(exc).__name__}: {exc}") from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Genesis:
        try:
            record = json.loads(text)
        except ValueError as exc:
            raise GenesisError(f"the genesis is not valid JSON: {exc}") from None
        if not isinstance(record, dict):
            raise GenesisError("the genesis must be a JSON object")
        return cls.from_record(record)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Genesis:
        return cls.from_json(Path(path).read_bytes())

    def to_record(self) -> dict[str, Any]:
        return {
            "chain_name": self.chain_name,
            "initial_time_ms": self.initial_time_ms,
            "validators": [key.hex() for key in self.validators],
            "accounts": [account.to_record() for account in self.accounts],
            "plugins": [{"name": name, "version": version} for name, version in self.plugins],
            "parameters": {plugin: dict(values) for plugin, values in sorted(self.parameters.items())},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_record(), indent=2, sort_keys=True) + "\n"

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json())

    @property
    def chain_id(self) -> bytes:
        try:
            encoded = codec.encode(self.to_record())
        except TonomyError as exc:
            raise GenesisError(f"the genesis cannot be encoded canonically: {exc.message}") from None
        return _core.hash_plain(encoded)

    # -- checks and state -------------------------------------------------------------

    def consensus_registry(self, registry: Registry) -> Registry:
        """The registry the chain executes with: exactly the pinned plugins.

        Every pinned plugin must be loaded at its pinned version. Loaded plugins the
        genesis does not pin (node-local tools, a plugin installed for another network)
        are left out: no transaction can reach them and their parameters are not in
        state, so they cannot make this node diverge.
        """
        problems = []
        for name, version in self.plugins:
            if registry.record_at(name, version) is None:
                loaded = ", ".join(registry.versions(name))
                problems.append(
                    f"{name} is pinned at version {version} but version {loaded} is loaded" if loaded else f"{name} {version} is pinned but not loaded (install it)"
                )
        if problems:
            raise GenesisError("the plugins do not match the genesis: " + "; ".join(problems))
        return registry.select(dict(self.plugins))

    def parameter_values(self, registry: Registry) -> dict[tuple[str, str], Any]:
        """Every parameter's genesis value: defaults, then the genesis overrides (validated)."""
        specs: dict[tuple[str, str], ParameterSpec] = {(SYSTEM_PLUGIN, spec.name): spec for spec in SYSTEM_PARAMETERS}
        for plugin, registered in registry.parameters():
            specs[(plugin, registered.name)] = registered
        values: dict[tuple[str, str], Any] = {key: spec.default for key, spec in specs.items()}
        for plugin, overrides in sorted(self.parameters.items()):
            for name, value in sorted(overrides.items()):
                found = specs.get((plugin, name))
                if found is None:
                    raise GenesisError(f"the genesis sets {plugin}.{name}, which no plugin defines")
                spec = found
                if spec.type is bytes and isinstance(value, str):
                    try:
                        value = bytes.fromhex(value)
                    except ValueError:
                        raise GenesisError(f"{plugin}.{name} is bytes: give it as hex") from None
                try:
                    spec.validate(value)
                except TonomyError as exc:
                    raise GenesisError(f"the genesis value of {plugin}.{name} is refused: {exc.message}") from None
                values[(plugin, name)] = value
        governor = values.get((SYSTEM_PLUGIN, "governance_plugin"))
        if governor and governor not in registry:
            raise GenesisError(f"tonomy.governance_plugin names {governor!r}, which the genesis does not pin")
        return values

    def apply(self, state: StateView, registry: Registry) -> None:
        """Write the genesis state: system account, accounts, parameters."""
        listed = {account.name for account in self.accounts}
        try:
            if SYSTEM_PLUGIN not in listed:
                majority = len(self.validators) // 2 + 1
                authority = Authority(majority, [(key, 1) for key in self.validators], [], [])
                create_account(state, SYSTEM_PLUGIN, AccountType.SYSTEM, creator=None, owner=authority, active=authority)
            for account in self.accounts:
                authority = account.authority()
                create_account(state, account.name, account.type, creator=None, owner=authority, active=authority)
        except TonomyError as exc:
            raise GenesisError(f"a genesis account is refused: {exc}") from None
        write_parameters(state, self.parameter_values(registry))
        validator_set.write_genesis(state, self.chain_id, self.validators)
        lifecycle.seed_genesis(state, dict(self.plugins))


def _hex_key(text: object) -> bytes:
    if not isinstance(text, str):
        raise GenesisError("keys are hex strings")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise GenesisError(f"{text!r} is not a hex key") from None
    if len(key) != 32:
        raise GenesisError(f"a key is 32 bytes (64 hex digits), got {len(key)} bytes")
    return key


def single_validator_genesis(
    validator_key: bytes,
    *,
    chain_name: str = "devnet",
    initial_time_ms: int = 1_767_225_600_000,
    accounts: Sequence[GenesisAccount] = (),
    plugins: Sequence[tuple[str, str]] = (),
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
) -> Genesis:
    """A convenience for tests and devnets."""
    return Genesis(chain_name, initial_time_ms, (validator_key,), tuple(accounts), tuple(plugins), dict(parameters or {}))
