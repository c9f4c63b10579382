"""Each account's permission tree, action links, and the operations that change them.

Tree rules: ``owner`` is the root and has no parent; ``active``'s parent is
``owner``; every other permission has an existing parent on the same account.
A permission's parent never changes (delete it and create it again instead), and
a new permission can only hang below an existing one, so the tree can never hold
a cycle. ``owner`` and ``active`` cannot be deleted; any other permission can be
deleted only once it has no children and no action linked to it.

Links map ``(account, plugin, action)`` or ``(account, plugin, *)`` to one of the
account's permissions; an action that is not linked requires ``active``.

The permission these operations themselves need (Antelope semantics) is given by
the ``*_requirement`` functions; when it executes one, the engine checks the
declared authorization against it with :func:`check_permission_requirement`
(the signatures behind that authorization were checked before the transaction ran).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from tonomy.chain import codec, layout
from tonomy.chain.authority import ACTIVE, OWNER, Authority, PermissionLevel, is_plugin_authority_level
from tonomy.chain.memo import BoundedMemo
from tonomy.chain.names import validate_account_name, validate_link_name, validate_permission_name
from tonomy.chain.state import StateView, scan_prefix
from tonomy.errors import (
    CodecError,
    InsufficientAuthorityError,
    InternalError,
    InvalidAuthorityError,
    InvalidLinkError,
    InvalidPermissionUpdateError,
    PermissionInUseError,
    UnknownAccountError,
    UnknownLinkError,
    UnknownPermissionError,
)

#: Plugin name under which the chain core's own actions are dispatched.
SYSTEM_PLUGIN = "tonomy"
#: Core actions whose required permission is fixed by the rules below, never by a link.
AUTH_ACTIONS = frozenset({"updateauth", "deleteauth", "linkauth", "unlinkauth"})
#: Most permissions (owner and active included) one account may hold; a later governable parameter.
DEFAULT_MAX_PERMISSIONS = 64
# No valid tree is this deep; reaching it means corrupt state, reported instead of looping.
_TREE_WALK_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Permission:
    account: str
    name: str
    parent: str | None
    authority: Authority

    @property
    def level(self) -> PermissionLevel:
        return PermissionLevel(self.account, self.name)


@dataclass(frozen=True, slots=True)
class Link:
    account: str
    plugin: str
    action: str | None  # None: every action of the plugin
    permission: str


# -- reading ------------------------------------------------------------------------------


def account_exists(state: StateView, account: str) -> bool:
    return state.get(layout.account_key(validate_account_name(account))) is not None


def require_account(state: StateView, account: str) -> None:
    if not account_exists(state, account):
        raise UnknownAccountError(f"there is no account named {account!r}")


def _decode_stored(data: bytes, what: str) -> object:
    """Decode a record the chain core wrote itself; failure means corrupt state, not bad input."""
    try:
        return codec.decode(data)
    except CodecError as exc:
        raise InternalError(f"the stored record of {what} does not decode: {exc.message}") from None


#: Decoded permissions by (account, name, stored bytes); see _decode_permission.
_DECODED: BoundedMemo[tuple[str, str, bytes], Permission] = BoundedMemo(4096)


def _decode_permission(account: str, name: str, data: bytes) -> Permission:
    """The permission stored as ``data``, decoded once per distinct record.

    Every transaction's authority check reads its signers' permissions, and decoding
    the record (canonical codec, then authority validation) is most of that check's
    cost. The result is a pure function of the three arguments and immutable, so it is
    remembered: a changed permission has other bytes.
    """
    if type(data) is not bytes:
        return _decode_permission_record(account, name, data)
    return _DECODED.cached((account, name, data), lambda: _decode_permission_record(account, name, data))


def _decode_permission_record(account: str, name: str, data: bytes) -> Permission:
    record = _decode_stored(data, f"{account}@{name}")
    if type(record) is not dict or set(record) != {"parent", "authority"}:
        raise InternalError(f"the stored record of {account}@{name} has the wrong shape")
    parent = record["parent"]
    if parent is not None and type(parent) is not str:
        raise InternalError(f"the stored parent of {account}@{name} is not a name")
    try:
        authority = Authority.from_record(record["authority"])
    except InvalidAuthorityError as exc:
        raise InternalError(f"the stored authority of {account}@{name} is invalid: {exc.message}") from None
    return Permission(account, name, parent, authority)


def _encode_permission(permission: Permission) -> bytes:
    return codec.encode({"parent": permission.parent, "authority": permission.authority.to_record()})


def find_permission(state: StateView, level: PermissionLevel) -> Permission | None:
    """The permission named by ``level``, or None (also when the account does not exist)."""
    data = state.get(layout.permission_key(level.actor, level.permission))
    if data is None:
        return None
    return _decode_permission(level.actor, level.permission, data)


def get_permission(state: StateView, level: PermissionLevel) -> Permission:
    """The permission named by ``level``; raises if the account or the permission is unknown."""
    found = find_permission(state, level)
    if found is None:
        require_account(state, level.actor)
        raise UnknownPermissionError(f"account {level.actor!r} has no permission named {level.permission!r}")
    return found


def list_permissions(state: StateView, account: str) -> list[Permission]:
    """Every permission of ``account``, ordered by name."""
    prefix = layout.permissions_prefix(validate_account_name(account))
    return [_decode_permission(account, key[len(prefix) :].decode("ascii"), value) for key, value in scan_prefix(state, prefix)]


def child_permissions(state: StateView, account: str, name: str) -> list[str]:
    """Names of the permissions whose parent is ``account@name``, ordered by name."""
    return [p.name for p in list_permissions(state, account) if p.parent == name]


def is_same_or_ancestor(
    state: StateView,
    account: str,
    declared: str,
    required: str,
    *,
    lookup: Callable[[PermissionLevel], Permission] | None = None,
) -> bool:
    """True if ``account@declared`` is ``account@required`` or one of its ancestors.

    A permission satisfies the requirement of any permission below it: owner can do
    everything active can, active everything its custom children can, never the reverse.
    ``lookup`` (default :func:`get_permission` on ``state``) lets a caller reuse its reads.
    """
    get = lookup if lookup is not None else (lambda level: get_permission(state, level))
    current: str | None = required
    for _ in range(_TREE_WALK_LIMIT):  # bounded even if stored state were corrupt
        if current is None:
            return False
        if current == declared:
            return True
        current = get(PermissionLevel(account, current)).parent
    raise InternalError(f"the permission tree of {account!r} is deeper than any valid tree can be")


# -- links --------------------------------------------------------------------------------


def _validate_target(plugin: str, action: str | None) -> None:
    validate_link_name("plugin", plugin)
    if action is not None:
        validate_link_name("action", action)


def find_link(state: StateView, account: str, plugin: str, action: str | None) -> str | None:
    """The permission linked to exactly this target (``action=None``: the plugin-wide link)."""
    _validate_target(plugin, action)
    data = state.get(layout.link_key(validate_account_name(account), plugin, action))
    if data is None:
        return None
    record = _decode_stored(data, f"the link of {account} for {plugin}.{action or '*'}")
    if type(record) is not dict or set(record) != {"permission"} or type(record["permission"]) is not str:
        raise InternalError(f"the stored link of {account} for {plugin}.{action or '*'} has the wrong shape")
    return validate_permission_name(record["permission"])


def list_links(state: StateView, account: str) -> list[Link]:
    """Every link of ``account``, ordered by plugin then action (plugin-wide first)."""
    prefix = layout.links_prefix(validate_account_name(account))
    links = []
    for key, _ in scan_prefix(state, prefix):
        plugin, _, action = key[len(prefix) :].decode("ascii").partition("/")
        target = None if action == layout.PLUGIN_WIDE else action
        permission = find_link(state, account, plugin, target)
        assert permission is not None
        links.append(Link(account, plugin, target, permission))
    return links


def required_permission(state: StateView, account: str, plugin: str, action: str) -> str:
    """The permission of ``account`` an action needs: its link, else the plugin-wide link, else active."""
    return find_link(state, account, plugin, action) or find_link(state, account, plugin, None) or ACTIVE


# -- writing ------------------------------------------------------------------------------


def _check_references(state: StateView, authority: Authority) -> None:
    """Every delegated permission must exist when the authority is set (it may be deleted later).

    Plugin authority levels (``tonomy.code@<plugin>``) are not stored permissions: they
    always exist, and only the engine satisfies them (see the checker).
    """
    for entry in authority.accounts:
        if not is_plugin_authority_level(entry.level):
            get_permission(state, entry.level)


def _put(state: StateView, permission: Permission) -> None:
    state.put(layout.permission_key(permission.account, permission.name), _encode_permission(permission))


def put_root_permissions(state: StateView, account: str, owner: Authority, active: Authority) -> None:
    """Write ``owner`` and ``active`` of a new account (called by account creation)."""
    _check_references(state, owner)
    _check_references(state, active)
    _put(state, Permission(account, OWNER, None, owner))
    _put(state, Permission(account, ACTIVE, OWNER, active))


def _validate_update(account: str, permission: str, parent: str | None) -> None:
    validate_account_name(account)
    validate_permission_name(permission)
    if parent is not None:
        validate_permission_name(parent)
    if permission == OWNER and parent is not None:
        raise InvalidPermissionUpdateError(f"{account}@owner is the root of the tree and cannot have a parent")
    if permission != OWNER and parent is None:
        raise InvalidPermissionUpdateError(f"{account}@{permission} needs a parent permission")
    if permission == ACTIVE and parent != OWNER:
        raise InvalidPermissionUpdateError(f"the parent of {account}@active must be owner, not {parent!r}")
    if parent == permission:
        raise InvalidPermissionUpdateError(f"{account}@{permission} cannot be its own parent")


def update_auth(
    state: StateView,
    account: str,
    permission: str,
    parent: str | None,
    authority: Authority,
    *,
    max_permissions: int = DEFAULT_MAX_PERMISSIONS,
) -> Permission:
    """Create ``account@permission`` below ``parent``, or replace its authority.

    An existing permission keeps its parent: passing another one is refused.
    """
    _validate_update(account, permission, parent)
    if not isinstance(authority, Authority):
        raise InvalidAuthorityError(f"updateauth needs an Authority, got {type(authority).__name__}")
    require_account(state, account)
    existing = find_permission(state, PermissionLevel(account, permission))
    if existing is not None:
        if existing.parent != parent:
            raise InvalidPermissionUpdateError(
                f"the parent of {account}@{permission} is {existing.parent!r} and cannot be changed to {parent!r}; "
                "delete the permission and create it again instead"
            )
    else:
        if permission == OWNER:
            raise InternalError(f"account {account!r} has no owner permission")
        assert parent is not None
        if find_permission(state, PermissionLevel(account, parent)) is None:
            raise UnknownPermissionError(
                f"cannot create {account}@{permission}: its parent {account}@{parent} does not exist"
            )
        count = sum(1 for _ in scan_prefix(state, layout.permissions_prefix(account)))
        if count >= max_permissions:
            raise InvalidPermissionUpdateError(
                f"account {account!r} already has {count} permissions, the most allowed"
            )
    _check_references(state, authority)
    updated = Permission(account, permission, parent, authority)
    _put(state, updated)
    return updated


def delete_auth(state: StateView, account: str, permission: str) -> None:
    """Delete a custom permission that has no children and no linked actions."""
    validate_account_name(account)
    validate_permission_name(permission)
    if permission in (OWNER, ACTIVE):
        raise InvalidPermissionUpdateError(f"{account}@{permission} cannot be deleted")
    get_permission(state, PermissionLevel(account, permission))
    children = child_permissions(state, account, permission)
    if children:
        raise PermissionInUseError(
            f"{account}@{permission} still has child permissions ({', '.join(children)}); delete them first"
        )
    linked_prefix = layout.linked_by_prefix(account, permission)
    for key, _ in scan_prefix(state, linked_prefix):
        plugin, _, action = key[len(linked_prefix) :].decode("ascii").partition("/")
        raise PermissionInUseError(
            f"{account}@{permission} is still linked to {plugin}.{action}; unlink its actions first"
        )
    state.delete(layout.permission_key(account, permission))


def link_auth(state: StateView, account: str, plugin: str, action: str | None, permission: str) -> None:
    """Make ``account@permission`` the permission required for ``plugin.action`` (or the whole plugin)."""
    validate_account_name(account)
    _validate_target(plugin, action)
    validate_permission_name(permission)
    if plugin == SYSTEM_PLUGIN and action in AUTH_ACTIONS:
        raise InvalidLinkError(f"{SYSTEM_PLUGIN}.{action} has fixed permission rules and cannot be linked")
    get_permission(state, PermissionLevel(account, permission))
    previous = find_link(state, account, plugin, action)
    if previous == permission:
        return
    if previous is not None:
        state.delete(layout.linked_by_key(account, previous, plugin, action))
    state.put(layout.link_key(account, plugin, action), codec.encode({"permission": permission}))
    state.put(layout.linked_by_key(account, permission, plugin, action), codec.encode(None))


def unlink_auth(state: StateView, account: str, plugin: str, action: str | None) -> None:
    """Remove a link; the target falls back to the plugin-wide link or to active."""
    previous = find_link(state, account, plugin, action)
    if previous is None:
        require_account(state, account)
        raise UnknownLinkError(f"account {account!r} has no link for {plugin}.{action or '*'}")
    state.delete(layout.link_key(account, plugin, action))
    state.delete(layout.linked_by_key(account, previous, plugin, action))


# -- who may run each operation (Antelope rules) --------------------------------------------


def check_permission_requirement(state: StateView, declared: PermissionLevel, required: PermissionLevel) -> None:
    """Raise ``auth.insufficient`` unless ``declared`` is ``required`` or one of its ancestors.

    The engine calls this when it executes a core operation, with the operation's
    ``*_requirement`` computed on the state of that moment; the signatures behind
    ``declared`` were checked before the transaction ran.
    """
    if declared.actor != required.actor or not is_same_or_ancestor(
        state, required.actor, declared.permission, required.permission
    ):
        raise InsufficientAuthorityError(
            f"{declared} cannot authorize this change: it needs {required} or a permission above it"
        )


def updateauth_requirement(state: StateView, account: str, permission: str, parent: str | None) -> PermissionLevel:
    """Changing a permission needs it (or an ancestor); creating one needs its parent (or an ancestor)."""
    _validate_update(account, permission, parent)
    require_account(state, account)
    if find_permission(state, PermissionLevel(account, permission)) is not None:
        return PermissionLevel(account, permission)
    assert parent is not None  # _validate_update: only owner may lack a parent, and owner exists
    return PermissionLevel(account, parent)


def deleteauth_requirement(state: StateView, account: str, permission: str) -> PermissionLevel:
    """Deleting a permission needs it (or an ancestor)."""
    level = PermissionLevel(account, permission)
    get_permission(state, level)
    return level


def linkauth_requirement(state: StateView, account: str, plugin: str, action: str | None) -> PermissionLevel:
    """Relinking a target needs the permission the target requires now (or an ancestor)."""
    require_account(state, account)
    if action is None:
        current = find_link(state, account, plugin, None) or ACTIVE
    else:
        current = required_permission(state, account, plugin, action)
    return PermissionLevel(account, current)


def unlinkauth_requirement(state: StateView, account: str, plugin: str, action: str | None) -> PermissionLevel:
    """Removing a link needs the permission it links to (or an ancestor)."""
    current = find_link(state, account, plugin, action)
    if current is None:
        require_account(state, account)
        raise UnknownLinkError(f"account {account!r} has no link for {plugin}.{action or '*'}")
    return PermissionLevel(account, current)

