"""Accounts: a name, a type, who created it, and its owner/active permissions.

The name rule is in :mod:`tonomy.chain.names` (3 to 32 characters of ``a-z 0-9 . -``,
starting with a letter, ending with a letter or digit, no two separators in a row).
Names ``tonomy`` and ``tonomy.*`` belong to system accounts, and only system
accounts hold them: a system account is created at genesis (no creator) or by
another system account. Creating an account costs the creator nothing for now;
per-creator limits will be a governable parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tonomy.chain import codec, layout
from tonomy.chain.authority import ACTIVE, Authority, PermissionLevel
from tonomy.chain.memo import BoundedMemo
from tonomy.chain.names import is_reserved_account_name, validate_account_name
from tonomy.chain.permissions import put_root_permissions
from tonomy.chain.state import StateView
from tonomy.errors import (
    AccountExistsError,
    CodecError,
    InternalError,
    InvalidAccountTypeError,
    InvalidAuthorityError,
    InvalidInputError,
    ReservedAccountNameError,
    UnknownAccountError,
)

# Re-exported: the account name rule lives with the other naming rules.
__all__ = [
    "Account",
    "AccountType",
    "create_account",
    "find_account",
    "get_account",
    "is_reserved_account_name",
    "newaccount_requirement",
    "validate_account_name",
]


class AccountType(StrEnum):
    PERSON = "person"
    DAO = "dao"
    APP = "app"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    type: AccountType
    creator: str | None  # None: created at genesis
    created_at: int  # block height (0 at genesis), given by the execution engine


def _account_type(value: object) -> AccountType:
    if isinstance(value, AccountType):
        return value
    if type(value) is str:
        try:
            return AccountType(value)
        except ValueError:
            pass
    allowed = ", ".join(t.value for t in AccountType)
    raise InvalidAccountTypeError(f"account type must be one of {allowed}, got {value!r}")


#: Decoded accounts by (name, stored bytes); see _decode.
_DECODED: BoundedMemo[tuple[str, bytes], Account] = BoundedMemo(4096)


def _decode(name: str, data: bytes) -> Account:
    """The account stored as ``data``, decoded once per distinct record.

    Execution asks whether the receiver of every transfer exists, and the record is
    a pure function of the name and its bytes, immutable once decoded; a changed
    account has other bytes.
    """
    if type(data) is not bytes:
        return _decode_record(name, data)
    return _DECODED.cached((name, data), lambda: _decode_record(name, data))


def _decode_record(name: str, data: bytes) -> Account:
    try:
        record = codec.decode(data)
    except CodecError as exc:
        raise InternalError(f"the stored record of account {name!r} does not decode: {exc.message}") from None
    if (
        type(record) is not dict
        or set(record) != {"name", "type", "creator", "created_at"}
        or record["name"] != name
        or record["type"] not in {t.value for t in AccountType}
        or type(record["created_at"]) is not int
    ):
        raise InternalError(f"the stored record of account {name!r} has the wrong shape")
    return Account(name, AccountType(record["type"]), record["creator"], record["created_at"])


def find_account(state: StateView, name: str) -> Account | None:
    data = state.get(layout.account_key(validate_account_name(name)))
    return None if data is None else _decode(name, data)


def get_account(state: StateView, name: str) -> Account:
    found = find_account(state, name)
    if found is None:
        raise UnknownAccountError(f"there is no account named {name!r}")
    return found


def newaccount_requirement(creator: str | None) -> PermissionLevel | None:
    """The permission that must authorize creating an account: the creator's active (none at genesis)."""
    return None if creator is None else PermissionLevel(creator, ACTIVE)


def create_account(
    state: StateView,
    name: str,
    account_type: AccountType | str,
    *,
    creator: str | None,
    owner: Authority,
    active: Authority,
    created_at: int = 0,
) -> Account:
    """Create an account with its owner and active permissions; on any error nothing is written."""
    validate_account_name(name)
    kind = _account_type(account_type)
    if type(created_at) is not int or created_at < 0:
        raise InvalidInputError(f"created_at must be a block height (a non-negative integer), got {created_at!r}")
    for label, authority in (("owner", owner), ("active", active)):
        if not isinstance(authority, Authority):
            raise InvalidAuthorityError(f"the {label} authority of a new account must be an Authority")
    creator_account = None
    if creator is not None:
        validate_account_name(creator)
        creator_account = find_account(state, creator)
        if creator_account is None:
            raise UnknownAccountError(f"the creator {creator!r} of account {name!r} does not exist")
    if is_reserved_account_name(name) != (kind is AccountType.SYSTEM):
        raise ReservedAccountNameError(
            f"account {name!r}: names 'tonomy' and 'tonomy.*' are for system accounts, and system accounts only"
        )
    if kind is AccountType.SYSTEM and creator_account is not None and creator_account.type is not AccountType.SYSTEM:
        raise ReservedAccountNameError(f"only a system account can create the system account {name!r}")
    if find_account(state, name) is not None:
        raise AccountExistsError(f"an account named {name!r} already exists")
    record = {"name": name, "type": kind.value, "creator": creator, "created_at": created_at}
    put_root_permissions(state, name, owner, active)  # checks references before writing anything
    state.put(layout.account_key(name), codec.encode(record))
    return Account(name, kind, creator, created_at)


