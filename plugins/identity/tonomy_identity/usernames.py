"""Private usernames: only a salted hash goes on chain; it is unique and maps to one account.

``username_hash = BLAKE3_tagged("tonomy/identity/username/v1", network_salt ‖ normalised)``
with ``network_salt = BLAKE3_tagged("tonomy/identity/username-salt/v1", chain_id)``.

The salt is per network, not per user, on purpose: uniqueness is checked by looking the
hash up, which only works if one username always gives the same hash on a network. A
random per-user salt would give every registration of "alice" a different hash, so the
chain could not see a duplicate (short of trying every stored salt, which is a linear
scan that also gives the privacy away). The price: anyone can hash a list of likely
usernames with this network's salt and test which are registered (a dictionary attack
on low-entropy names). The salt stops precomputed tables across networks, not that.
See the README for the trade-off in full.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from tonomy_identity import layout
from tonomy_identity.chainview import require_account
from tonomy_identity.crypto import tagged_hash
from tonomy_identity.errors import InvalidUsernameError
from tonomy_identity.schemas import Shape, account, raw

SALT_TAG = "tonomy/identity/username-salt/v1"
HASH_TAG = "tonomy/identity/username/v1"
USERNAME_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9]|[._-](?=[a-z0-9])){2,63}")


def normalise_username(username: str) -> str:
    """NFKC, case-folded, trimmed; 3 to 64 of ``a-z 0-9 . _ -``, no separators in a row.

    So ``"Alice.W"``, ``" alice.w "`` and full-width ``"ａｌｉｃｅ.w"`` are one username.
    """
    if type(username) is not str:
        raise InvalidUsernameError("a username is a str")
    normal = unicodedata.normalize("NFKC", username).casefold().strip()
    if not USERNAME_PATTERN.fullmatch(normal):
        raise InvalidUsernameError(
            "a username is 3 to 64 of a-z, 0-9, '.', '_', '-', starting and ending with a letter or digit, "
            "without two separators in a row"
        )
    return normal


def network_salt(chain_id: bytes) -> bytes:
    if type(chain_id) is not bytes or len(chain_id) != 32:
        raise InvalidUsernameError("the network salt needs the 32-byte chain id")
    return tagged_hash(SALT_TAG, chain_id)


def username_hash(username: str, chain_id: bytes) -> bytes:
    """The only form of a username the chain ever sees."""
    return tagged_hash(HASH_TAG, network_salt(chain_id) + normalise_username(username).encode("ascii"))


def username_state_key(username: str, chain_id: bytes) -> bytes:
    """The full state key a client proves to look a username up."""
    return layout.full_key(layout.username_key(username_hash(username, chain_id)))


def find_account(username: str, bundle: Any, trusted_header: Any) -> str | None:
    """The account of ``username`` from a proven bundle (None: proven free), trusting only the header."""
    from tonomy_identity.proofs import verify

    key = username_state_key(username, trusted_header.chain_id)
    record = verify(bundle, trusted_header, [key])[key]
    return None if record is None else str(record["account"])


# -- chain side ---------------------------------------------------------------------------

REGISTER_SCHEMA = Shape({"account": account(), "username_hash": raw(32)})
RELEASE_SCHEMA = Shape({"account": account()})
LOOKUP_SCHEMA = Shape({"username_hash": raw(32)})


def register_username(ctx: Any, data: Any) -> None:
    """Map a username hash to the account; refused if the hash or the account has one."""
    owner, digest = data["account"], data["username_hash"]
    ctx.require_auth(owner)
    require_account(ctx, owner)
    taken = ctx.state.get_record(layout.username_key(digest))
    if taken is not None:
        ctx.fail("username_taken", "this username is already registered")
    if ctx.state.get_record(layout.account_username_key(owner)) is not None:
        ctx.fail("username_exists", f"{owner!r} already has a username; release it first")
    ctx.state.put_record(layout.username_key(digest), {"account": owner})
    ctx.state.put_record(layout.account_username_key(owner), {"username_hash": digest})
    ctx.emit("username_registered", {"account": owner, "username_hash": digest})


def release_username(ctx: Any, data: Any) -> None:
    owner = data["account"]
    ctx.require_auth(owner)
    current = ctx.state.get_record(layout.account_username_key(owner))
    if current is None:
        ctx.fail("not_found", f"{owner!r} has no username")
    ctx.state.delete(layout.username_key(current["username_hash"]))
    ctx.state.delete(layout.account_username_key(owner))
    ctx.emit("username_released", {"account": owner})


def lookup_username(ctx: Any, params: Any) -> str | None:
    """Query: the account a username hash maps to, or None."""
    record = ctx.state.get_record(layout.username_key(params["username_hash"]))
    return None if record is None else str(record["account"])
