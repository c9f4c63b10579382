"""Key files: one Ed25519 key per JSON file, readable by its owner only.

A key file holds the 32-byte secret seed and the public key (hex), and optionally
the account the key belongs to. Files are created with mode 0600 in one step (no
window where another user could read them), never overwritten, and refused on
load when group or others can read them, the way ssh treats private keys.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from nacl.signing import SigningKey

from tonomy.node.errors import InsecureKeyFileError, KeyFileError

KEY_FILE_KIND = "tonomy/ed25519-key/v1"
SEED_SIZE = 32
MAX_KEY_FILE_BYTES = 4096


@dataclass(frozen=True, slots=True)
class KeyPair:
    """An Ed25519 seed and its public key; ``account`` is a label for people and CLIs."""

    seed: bytes
    account: str | None = None

    def __post_init__(self) -> None:
        if type(self.seed) is not bytes or len(self.seed) != SEED_SIZE:
            raise KeyFileError(f"an Ed25519 seed is {SEED_SIZE} bytes")

    @classmethod
    def generate(cls, account: str | None = None) -> KeyPair:
        return cls(os.urandom(SEED_SIZE), account)

    @property
    def signing_key(self) -> SigningKey:
        return SigningKey(self.seed)

    @property
    def public_key(self) -> bytes:
        return bytes(self.signing_key.verify_key)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self.signing_key.sign(message).signature

    def to_json(self) -> dict[str, str]:
        doc = {"kind": KEY_FILE_KIND, "public_key": self.public_key.hex(), "seed": self.seed.hex()}
        if self.account is not None:
            doc["account"] = self.account
        return doc


def write_key_file(path: str | os.PathLike[str], key: KeyPair) -> Path:
    """Create ``path`` holding ``key``, mode 0600; an existing file is never replaced."""
    target = Path(path)
    data = (json.dumps(key.to_json(), indent=2) + "\n").encode()
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{target} already exists; a key file is never overwritten") from None
    except OSError as exc:
        raise KeyFileError(f"cannot create {target}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)  # the umask could only have removed bits; make the mode exact
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return target


def read_key_file(path: str | os.PathLike[str]) -> KeyPair:
    """Load a key file; refuses files others can read and anything malformed."""
    source = Path(path)
    try:
        fd = os.open(source, os.O_RDONLY)
    except OSError as exc:
        raise KeyFileError(f"cannot open key file {source}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"{source} is not a regular file")
        if info.st_mode & 0o077:
            raise InsecureKeyFileError(
                f"{source} has mode {stat.S_IMODE(info.st_mode):04o}; other users may read it. "
                f"Run `chmod 600 {source}` if the key was never exposed, else make a new key."
            )
        raw = os.read(fd, MAX_KEY_FILE_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(f"{source} is larger than a key file can be")
    return parse_key_document(raw, str(source))


def parse_key_document(raw: bytes, where: str = "key file") -> KeyPair:
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise KeyFileError(f"{where} is not JSON") from None
    if not isinstance(doc, dict) or doc.get("kind") != KEY_FILE_KIND:
        raise KeyFileError(f"{where} is not a Tonomy key file (kind {KEY_FILE_KIND!r})")
    seed = _hex_field(doc, "seed", where)
    public = _hex_field(doc, "public_key", where)
    account = doc.get("account")
    if account is not None and not isinstance(account, str):
        raise KeyFileError(f"{where}: account must be a string")
    key = KeyPair(seed, account)
    if key.public_key != public:
        raise KeyFileError(f"{where}: the public key does not belong to the seed")
    return key


def _hex_field(doc: dict[str, object], name: str, where: str) -> bytes:
    value = doc.get(name)
    if not isinstance(value, str) or len(value) != 2 * SEED_SIZE:
        raise KeyFileError(f"{where}: {name} must be {2 * SEED_SIZE} hex digits")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise KeyFileError(f"{where}: {name} is not hex") from None


__all__ = ["KEY_FILE_KIND", "KeyPair", "parse_key_document", "read_key_file", "write_key_file"]
