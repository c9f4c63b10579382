"""Chain side of verifiable credentials: revocation status lists and trusted issuers.

* :mod:`.status` — bitstring status lists kept as plugin state, updated by their issuer;
* :mod:`.issuers` — the governance-set parameter ``trusted_issuers``;
* :mod:`.trust` — a verifier's view of both (and of DID keys) from Merkle-proven state.

docs/credentials.md is the specification.
"""
