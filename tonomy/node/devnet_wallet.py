"""A node-local wallet for the devnet's demo accounts. DEVNET ONLY.

It signs on the node with the key files of a devnet folder (``alice.key``, ...), so
the web UI can demonstrate payments before browser-side signing exists. Anyone who
can reach it can spend those accounts' funds: the node enables it only when started
with ``--devnet-wallet DIR`` (``tonomy devnet`` does), and answers only clients on the
loopback interface. Keys never leave the node; the browser never sees a seed.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from pathlib import Path
from typing import Any

from tonomy.node.errors import DevnetWalletError
from tonomy.node.keys import read_key_file

_ACCOUNT = re.compile(r"[a-z][a-z0-9._-]{0,63}")
#: Key files in a devnet folder that are not demo accounts (the validators' keys are the
#: system account's authority: never usable through the wallet).
EXCLUDED = frozenset({"validator", "tonomy"})
VALIDATOR_KEY_PREFIX = "validator-"  # validator-<i>.key of a multi-validator devnet


def _is_demo_account(name: str) -> bool:
    return bool(_ACCOUNT.fullmatch(name)) and name not in EXCLUDED and not name.startswith(VALIDATOR_KEY_PREFIX)


class DevnetWallet:
    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = keys_dir

    def accounts(self) -> list[str]:
        names = (path.stem for path in self.keys_dir.glob("*.key"))
        return sorted(name for name in names if _is_demo_account(name))

    def seed(self, account: str) -> bytes:
        if not _is_demo_account(account) or account not in self.accounts():
            raise DevnetWalletError(f"the devnet wallet holds no key for {account!r}")
        return read_key_file(self.keys_dir / f"{account}.key").seed

    def sign(self, head: Any, account: str, plugin: str, name: str, data: Any) -> bytes:
        """A signed one-action transaction authorised by ``account@active``."""
        from tonomy.chain.txbuilder import action, build_transaction

        seed = self.seed(account)
        act = action(plugin, name, data, [f"{account}@active"])
        # A fresh nonce: two identical payments in a row are two transactions, not a duplicate.
        return build_transaction(head.chain_id, head, [act], [seed], nonce=secrets.randbits(64))


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["DevnetWallet", "is_loopback"]
