"""The client-side wallet core: passphrases, key derivation, the encrypted keystore, PIN unlock.

Everything here runs on the user's device and never needs a node. See
``docs/wallet.md`` for the file formats, KDF parameters and floors, the derivation
tree, the PIN policy and the threat model.
"""

from __future__ import annotations

from tonomy.wallet.derivation import (
    PublicKeys,
    derive_root_seed,
    identity_id,
    identity_salt,
    normalise_username,
    public_keys,
)
from tonomy.wallet.identity_file import ActiveKey
from tonomy.wallet.kdf import FLOOR, PASSPHRASE_DEFAULT, PIN_DEFAULT, KdfParams
from tonomy.wallet.keystore import IdentitySummary, Keystore
from tonomy.wallet.passphrase import (
    PASSPHRASE_ENTROPY_BITS,
    PASSPHRASE_WORDS,
    check_passphrase,
    generate_passphrase,
    normalise_passphrase,
)
from tonomy.wallet.pin_policy import check_pin
from tonomy.wallet.records import DeviceRecord, SessionRecord
from tonomy.wallet.unlocked import UnlockedIdentity, verify_with_history

__all__ = [
    "FLOOR",
    "PASSPHRASE_DEFAULT",
    "PASSPHRASE_ENTROPY_BITS",
    "PASSPHRASE_WORDS",
    "PIN_DEFAULT",
    "ActiveKey",
    "DeviceRecord",
    "IdentitySummary",
    "KdfParams",
    "Keystore",
    "PublicKeys",
    "SessionRecord",
    "UnlockedIdentity",
    "check_passphrase",
    "check_pin",
    "derive_root_seed",
    "generate_passphrase",
    "identity_id",
    "identity_salt",
    "normalise_passphrase",
    "normalise_username",
    "public_keys",
    "verify_with_history",
]
