"""A chain with identity + the real governance plugin, for the credential tests."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tonomy.chain import codec
from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis, seed
from tonomy.wallet.vc import SeedSigner

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "governance" / "tests"))

import tonomy_governance  # noqa: E402
import tonomy_identity  # noqa: E402
from gtoken import GToken  # noqa: E402

ACCOUNTS = ("alice", "bob", "issuer", "rogue", "voter")
FAST = {"voting_delay": 1, "voting_period": 3, "timelock": 1, "grace": 3, "deposit": 0,
        "voting_token_plugin": "gtoken", "voting_symbol": "GOV", "deposit_token_plugin": "gtoken", "deposit_symbol": "GOV"}
_nonces = itertools.count(1)


class CredNet:
    def __init__(self, path: Path, keys: Mapping[str, bytes] | None = None) -> None:
        """``keys`` replaces an account's key (e.g. alice's by her wallet's active key)."""
        manager = build_manager([tonomy_identity, tonomy_governance, GToken()])
        values = {"tonomy": {"governance_plugin": "governance"}, "governance": FAST}
        genesis = make_genesis(manager, ACCOUNTS, parameters=values)
        keys = dict(keys or {})
        accounts = tuple(replace(a, keys=(keys[a.name],)) if a.name in keys else a for a in genesis.accounts)
        self.ledger = LedgerNet.create(path, manager=manager, genesis=replace(genesis, accounts=accounts))
        self.chain = self.ledger.chain
        self.networks = {"testnet": self.chain.chain_id}
        self.ok("gtoken", "mint", {"to": "voter", "amount": 1000}, "validator")

    def close(self) -> None:
        self.ledger.close()

    def act(self, plugin: str, name: str, data: Mapping[str, Any], signer: str) -> Any:
        actor = "tonomy" if signer == "validator" else signer
        tx = self.ledger.submit(self.ledger.action(plugin, name, dict(data), f"{actor}@active"), [signer], nonce=next(_nonces))
        self.ledger.produce()
        return self.chain.get_receipt(tx)

    def ok(self, plugin: str, name: str, data: Mapping[str, Any], signer: str) -> Any:
        receipt = self.act(plugin, name, data, signer)
        assert receipt.status == "executed", (receipt.error_code, receipt.error_message)
        return receipt

    def enact(self, actions: Sequence[Mapping[str, Any]]) -> None:
        """Pass ``actions`` through a real governance vote (propose, vote, timelock, execute)."""
        options = codec.encode([{"label": "yes", "actions": [dict(a) for a in actions]}])
        receipt = self.ok("governance", "propose", {"proposer": "voter", "track": "root", "title": "t", "options": options}, "voter")
        pid = int(codec.decode([e for e in receipt.events if e.name == "proposed"][0].data)["id"])
        proposal = self.chain.query("governance", "proposal", {"id": pid})
        while self.chain.height < proposal["vote_start"] - 1:
            self.ledger.produce()
        self.ok("governance", "vote", {"id": pid, "voter": "voter", "choice": 0}, "voter")
        while self.chain.height < proposal["eta"] - 1:
            self.ledger.produce()
        self.ok("governance", "execute", {"id": pid}, "voter")

    def set_trusted(self, *accounts: str) -> None:
        from tonomy_identity.credentials.issuers import render

        self.enact([{"plugin": "governance", "name": "set_parameter",
                     "data": {"plugin": "identity", "name": "trusted_issuers", "value": render(set(accounts))}}])

    def did(self, account: str) -> str:
        return f"did:tonomy:testnet:{account}"

    def signer(self, account: str) -> SeedSigner:
        return SeedSigner(f"{self.did(account)}#active-0", seed(account))

    def trust(self) -> Any:
        from tonomy_identity.credentials.trust import ChainTrust

        return ChainTrust(self.chain, self.chain.head, self.networks)


def trusted_chain(path: Path) -> Iterator[CredNet]:
    """A CredNet whose ``issuer`` is accredited and has the status list ``main`` (1024 entries)."""
    net = CredNet(path)
    try:
        net.ok("identity", "create_status_list", {"issuer": "issuer", "list_id": "main", "size": 1024}, "issuer")
        net.set_trusted("issuer")
        yield net
    finally:
        net.close()
