"""Where the plugin keeps its records (keys inside its namespace ``p/identity/``).

Names never hold ``/``, so each key reads one way. Clients that verify proofs need
the full key: :func:`full_key` (``p/identity/`` + key) and :func:`system_key`
(``sys/`` + key, the chain core's accounts and permissions).
"""

from __future__ import annotations

PLUGIN = "identity"
PLUGIN_PREFIX = b"p/identity/"
SYSTEM_PREFIX = b"sys/"


def username_key(username_hash: bytes) -> bytes:
    """username hash → ``{"account"}``: the uniqueness index."""
    return b"user/" + username_hash.hex().encode()


def account_username_key(account: str) -> bytes:
    """account → ``{"username_hash"}``: at most one username per account."""
    return b"acct-user/" + account.encode()


def record_key(account: str) -> bytes:
    """account → identity record (key agreement keys, services)."""
    return b"record/" + account.encode()


def guardians_key(account: str) -> bytes:
    return b"guardians/" + account.encode()


def recovery_key(account: str) -> bytes:
    return b"recovery/" + account.encode()


def app_key(app: str) -> bytes:
    return b"app/" + app.encode()


#: Every app record key is in ``[start, end)`` ("0" is the byte after "/").
APPS_RANGE = (b"app/", b"app0")


def origin_key(origin: str) -> bytes:
    """origin → the app that registered it (a string record): an origin belongs to one app."""
    return b"origin/" + origin.encode()


def owner_apps_prefix(owner: str) -> bytes:
    return b"owner-app/" + owner.encode() + b"/"


def owner_app_key(owner: str, app: str) -> bytes:
    """owner → app index (empty value): the apps an account owns, for the Developer Console."""
    return owner_apps_prefix(owner) + app.encode()


def usage_totals_key(app: str) -> bytes:
    """app → ``{"logins","transactions","users"}`` since registration."""
    return b"usage/" + app.encode()


def usage_day_key(app: str, day: int) -> bytes:
    """app, UTC day number (block time) → ``{"logins","transactions","active_users"}``."""
    return b"usage-day/" + app.encode() + b"/" + f"{day:08x}".encode()


def usage_seen_key(app: str, account: str) -> bytes:
    """app, user → ``{"day"}``: the last day the user was counted active (one record per user)."""
    return b"usage-seen/" + app.encode() + b"/" + account.encode()


def request_nonces_prefix(app: str) -> bytes:
    return b"nonce/" + app.encode() + b"/"


def request_nonce_key(app: str, expires_ms: int, nonce: bytes) -> bytes:
    """A used login request nonce, ordered by the request's expiry so expired ones prune in order.

    The expiry is part of the signed request, so the key is known before the lookup; a
    request past its expiry is refused before its nonce matters, so pruning is safe.
    """
    return request_nonces_prefix(app) + f"{expires_ms:016x}".encode() + b"/" + nonce.hex().encode()


def session_key(account: str, app: str) -> bytes:
    return b"session/" + account.encode() + b"/" + app.encode()


def full_key(key: bytes) -> bytes:
    return PLUGIN_PREFIX + key


def system_key(key: bytes) -> bytes:
    return SYSTEM_PREFIX + key


def system_account_key(account: str) -> bytes:
    return system_key(b"acct/" + account.encode())


def system_permission_key(account: str, permission: str) -> bytes:
    return system_key(b"perm/" + account.encode() + b"/" + permission.encode())
