"""Client-side private data: records encrypted on the device, stored by nodes that cannot read them.

See docs/vault.md. Public API:

* :class:`Vault` — create/open a vault, ``create_record``, ``write``, ``read``, ``delete``,
  ``share``, ``revoke``; :meth:`Vault.reader` for an identity that only reads shared records;
* :func:`release_share` (guardian side) and :func:`recover` (owner side, re-keys everything);
* :class:`KeyDirectory` / :class:`StaticDirectory` — the trusted identity keys;
* :class:`VaultServer` — what a node must offer the client;
* parsers of every format: :func:`parse_envelope`, :func:`parse_wrapped`,
  :func:`parse_keyring`, :func:`parse_released_share`, ``parse_entry``/``parse_grant``.
"""

from tonomy.vault.client import Vault
from tonomy.vault.directory import KeyDirectory, StaticDirectory, verified_key
from tonomy.vault.envelope import FieldAddress, open_field, parse_envelope, seal_field
from tonomy.vault.formats import FORMAT_CURRENT, FORMAT_FLOOR, content_hash
from tonomy.vault.keyring import Keyring, check_offer, parse_keyring
from tonomy.vault.recovery import parse_released_share, recover, release_share
from tonomy.vault.server import VaultServer, parse_entry, parse_grant, parse_keyring_pointer
from tonomy.vault.shamir import Share, combine, split
from tonomy.vault.wrapping import parse_wrapped

__all__ = [
    "FORMAT_CURRENT",
    "FORMAT_FLOOR",
    "FieldAddress",
    "KeyDirectory",
    "Keyring",
    "Share",
    "StaticDirectory",
    "Vault",
    "VaultServer",
    "check_offer",
    "combine",
    "content_hash",
    "open_field",
    "parse_entry",
    "parse_envelope",
    "parse_grant",
    "parse_keyring",
    "parse_keyring_pointer",
    "parse_released_share",
    "parse_wrapped",
    "recover",
    "release_share",
    "seal_field",
    "split",
    "verified_key",
]
