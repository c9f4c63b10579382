"""A local one-validator network: a data directory with keys, a genesis and a chain.

``prepare_devnet`` makes (once) everything a developer needs in one folder::

    <dir>/genesis.json        the network (validator key, demo accounts, pinned plugins)
    <dir>/keys/validator.key  the validator's key (also the system account's authority)
    <dir>/keys/<name>.key     alice, bob, carol: demo accounts, each with its own key
    <dir>/chain/              the node's LMDB data

Running it again reuses the folder, so a restarted devnet continues its chain.
When the Pay plugin is installed, the devnet funds the demo accounts with the
native token through ordinary signed transactions (the system account issues
them, authorised by the validator key): nothing is written behind the chain's back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonomy.node.keys import KeyPair, read_key_file, write_key_file
from tonomy.node.schedule import wall_clock_ms

DEMO_ACCOUNTS = ("alice", "bob", "carol")
DEMO_ACCOUNT_TYPE = "person"
DEVNET_CHAIN_NAME = "devnet"
#: The native token's decimals, and what each demo account receives (1,000,000 whole TONO).
NATIVE_DECIMALS = 6
DEMO_FUNDING = 1_000_000 * 10**NATIVE_DECIMALS
NATIVE_MAX_SUPPLY = 10**9 * 10**NATIVE_DECIMALS
FUNDED_MARKER = "funded"
NATIVE_SYMBOL = "TONO"  # Pay's default native symbol; the system account is its default issuer
SYSTEM_ACCOUNT = "tonomy"


@dataclass(frozen=True, slots=True)
class Devnet:
    root: Path

    @property
    def genesis_file(self) -> Path:
        return self.root / "genesis.json"

    @property
    def keys_dir(self) -> Path:
        return self.root / "keys"

    @property
    def chain_dir(self) -> Path:
        return self.root / "chain"

    @property
    def validator_key_file(self) -> Path:
        return self.keys_dir / "validator.key"

    def key_file(self, account: str) -> Path:
        return self.keys_dir / f"{account}.key"

    def key(self, account: str) -> KeyPair:
        return read_key_file(self.key_file(account))

    def key_seed(self, account: str) -> bytes:
        return self.key(account).seed

    # -- several validators (``tonomy devnet --validators N``) ----------------------------

    def validator_count(self) -> int:
        """How many validators the genesis names (1 for the classic one-node devnet)."""
        from tonomy.chain.genesis import Genesis

        return len(Genesis.load(self.genesis_file).validators)

    def validator_key_file_of(self, index: int) -> Path:
        return self.keys_dir / f"validator-{index}.key"

    def node_dir(self, index: int) -> Path:
        return self.root / f"node{index}"

    def system_seeds(self) -> list[bytes]:
        """Seeds that satisfy the system account: a majority of the validator keys."""
        count = self.validator_count()
        if count == 1:
            return [self.key_seed("validator")]
        return [read_key_file(self.validator_key_file_of(i)).seed for i in range(count // 2 + 1)]

    @property
    def funded(self) -> bool:
        return (self.root / FUNDED_MARKER).exists()

    def mark_funded(self) -> None:
        (self.root / FUNDED_MARKER).write_text("demo accounts funded\n")


def installed_plugins() -> list[tuple[str, str]]:
    """``(name, version)`` of every plugin this host loads: the devnet pins exactly these."""
    from tonomy.plugin import build_plugin_manager

    manager = build_plugin_manager()
    return sorted((info.name, info.version) for info in manager.hook.tonomy_plugin_info())


def prepare_devnet(root: Path, validators: int = 1) -> Devnet:
    """Create the devnet folder (keys, genesis) unless it exists; returns its layout.

    With ``validators`` > 1 the genesis names that many validators, each with its key
    (``keys/validator-<i>.key``) and its own data directory (``node<i>/``).
    """
    from tonomy.chain.genesis import Genesis, GenesisAccount

    devnet = Devnet(root)
    if devnet.genesis_file.exists():
        return devnet
    if not 1 <= validators <= 64:
        raise ValueError("a devnet has 1 to 64 validators")
    root.mkdir(parents=True, exist_ok=True)
    devnet.keys_dir.mkdir(mode=0o700, exist_ok=True)
    if validators == 1:
        validator_keys = (_key(devnet.validator_key_file, None).public_key,)
    else:
        validator_keys = tuple(_key(devnet.validator_key_file_of(i), None).public_key for i in range(validators))
    accounts = [
        GenesisAccount(name=name, type=DEMO_ACCOUNT_TYPE, keys=(_key(devnet.key_file(name), name).public_key,))
        for name in DEMO_ACCOUNTS
    ]
    genesis = Genesis(
        chain_name=DEVNET_CHAIN_NAME,
        initial_time_ms=wall_clock_ms(),
        validators=validator_keys,
        accounts=tuple(accounts),
        plugins=tuple(installed_plugins()),
    )
    tmp = devnet.genesis_file.with_suffix(".tmp")
    genesis.save(tmp)
    tmp.replace(devnet.genesis_file)  # the genesis appears whole or not at all
    return devnet


def _key(path: Path, account: str | None) -> KeyPair:
    if path.exists():  # left by an interrupted earlier run: keep it
        return read_key_file(path)
    key = KeyPair.generate(account)
    write_key_file(path, key)
    return key


def fund_demo_accounts(devnet: Devnet, client: Any) -> str:
    """Create the native token and issue each demo account its share; returns what happened."""
    if "pay" not in dict(installed_plugins()):
        return "the Pay plugin is not installed: demo accounts have no tokens"
    tx = funding_transaction(devnet, client.head())
    status = client.submit_and_wait(tx, timeout=30.0)
    receipt = status.receipt
    if receipt is None or not receipt.ok:
        problem = "not committed" if receipt is None else f"[{receipt.error_code}] {receipt.error_message}"
        return f"funding did not execute: {problem}"
    devnet.mark_funded()
    whole = DEMO_FUNDING // 10**NATIVE_DECIMALS
    return f"funded {', '.join(DEMO_ACCOUNTS)} with {whole:,} {NATIVE_SYMBOL} each (block {status.height})"


def funding_transaction(devnet: Devnet, head: Any) -> bytes:
    """One signed transaction: the system account creates the native token and issues it."""
    from tonomy.chain.txbuilder import action, build_transaction

    authority = [f"{SYSTEM_ACCOUNT}@active"]
    token = {
        "issuer": SYSTEM_ACCOUNT,
        "symbol": NATIVE_SYMBOL,
        "decimals": NATIVE_DECIMALS,
        "max_supply": NATIVE_MAX_SUPPLY,
    }
    actions = [action("pay", "create_token", token, authority)]
    for name in DEMO_ACCOUNTS:
        grant = {"symbol": NATIVE_SYMBOL, "to": name, "amount": DEMO_FUNDING, "memo": "devnet"}
        actions.append(action("pay", "issue", grant, authority))
    return build_transaction(head.chain_id, head, actions, devnet.system_seeds())


__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_FUNDING",
    "Devnet",
    "fund_demo_accounts",
    "funding_transaction",
    "installed_plugins",
    "prepare_devnet",
]
