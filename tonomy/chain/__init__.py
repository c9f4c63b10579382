"""The chain core: state access, the canonical codec, accounts and authorities,
and the ledger built on them (admission, execution, blocks).

Everything here is consensus-critical: it reads and writes state only through a
:class:`~tonomy.chain.state.StateView`, iterates in byte order, and uses no
clock, randomness or floats, so every node reaches the same result.

Specs: docs/accounts.md (accounts, permissions, the checker) and docs/ledger.md
(``admission``, ``mempool``, ``execution``, ``system``, ``overlay``, ``genesis``,
``blocks``, ``chain``, ``txbuilder``).
"""
