"""Where the DAO plugin keeps its records (inside its namespace ``p/dao/``).

* ``dao/<name>``                  DAO record (config, member count)
* ``mem/<dao>/<account>``         membership ``{role, joined_height}``
* ``inv/<dao>/<account>``         invitation ``{role, by, height}``
* ``own/<dao>/<account>``         an account the DAO created and owns (height)
* ``seq/proposal``                last proposal id
* ``prop/<id:020>``               proposal record
* ``ballot/<id:020>/<account>``   ``{choice, weight}``

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


SEQ_PROPOSAL = b"seq/proposal"


def proposal_key(pid: int) -> bytes:
    return b"prop/" + b"%020d" % pid


def ballot_key(pid: int, account: str) -> bytes:
    return b"ballot/" + b"%020d" % pid + b"/" + account.encode("ascii")


def prefix_end(prefix: bytes) -> bytes:
    """Just past every key under ``prefix`` (prefixes end with ``/``)."""
    return prefix[:-1] + b"0"
