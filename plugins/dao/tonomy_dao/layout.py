"""Where the DAO plugin keeps its records (inside its namespace ``p/dao/``).

* ``dao/<name>``                  DAO record (config, member count)
* ``mem/<dao>/<account>``         membership ``{role, joined_height}``
* ``inv/<dao>/<account>``         invitation ``{role, by, height}``
* ``own/<dao>/<account>``         an account the DAO created and owns (height)
* ``count/<dao>/<inverted height:020>``  member count at the end of that height (newest first)
* ``ran/<id:020>``                height at which the DAO ran a governance proposal's actions

Proposals, ballots and tallies live in the governance plugin (DAO-scoped tracks).

Account names never hold ``/``, so no two records share a key.
"""

from __future__ import annotations


def dao_key(name: str) -> bytes:
    return b"dao/" + name.encode("ascii")


def member_prefix(dao: str) -> bytes:
    return b"mem/" + dao.encode("ascii") + b"/"


def member_key(dao: str, account: str) -> bytes:
    return member_prefix(dao) + account.encode("ascii")


def invite_key(dao: str, account: str) -> bytes:
    return b"inv/" + dao.encode("ascii") + b"/" + account.encode("ascii")


def owned_prefix(dao: str) -> bytes:
    return b"own/" + dao.encode("ascii") + b"/"


def owned_key(dao: str, account: str) -> bytes:
    return owned_prefix(dao) + account.encode("ascii")


MAX_HEIGHT = 2**63 - 1


def count_prefix(dao: str) -> bytes:
    return b"count/" + dao.encode("ascii") + b"/"


def count_key(dao: str, height: int) -> bytes:
    return count_prefix(dao) + b"%020d" % (MAX_HEIGHT - height)


def ran_key(pid: int) -> bytes:
    return b"ran/" + b"%020d" % pid


def prefix_end(prefix: bytes) -> bytes:
    """Just past every key under ``prefix`` (prefixes end with ``/``)."""
    return prefix[:-1] + b"0"
