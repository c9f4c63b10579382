"""A verifier's trust in the chain for credentials, from Merkle-proven state only.

:class:`ChainTrust` implements :class:`tonomy.wallet.presentation.Trust`: every answer
(an issuer's or holder's keys, the trusted-issuer parameter, a status bit) is read from
an untrusted node together with its proof and checked against a header the verifier
trusts. A node that lies, omits a value or answers for another height is refused
(``identity.invalid_proof``), never believed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tonomy.wallet.vc import base58btc_decode
from tonomy_identity import layout
from tonomy_identity.credentials import issuers, status
from tonomy_identity.crypto import ED25519_MULTICODEC
from tonomy_identity.did import fetch_proofs, parse_did, resolve
from tonomy_identity.errors import InvalidDidError
from tonomy_identity.proofs import fetch, verify

PARAMETER_KEY = b"sys/param/" + layout.PLUGIN.encode() + b"/" + issuers.PARAMETER.encode()


class ChainTrust:
    def __init__(self, chain: Any, trusted_header: Any, networks: Mapping[str, bytes]) -> None:
        self.chain = chain
        self.header = trusted_header
        self.networks = dict(networks)

    def _account(self, did: str) -> str:
        parsed = parse_did(did)
        if self.networks.get(parsed.network) != self.header.chain_id:
            raise InvalidDidError(f"{did} is not of the trusted header's network")
        return parsed.account

    def _proven(self, key: bytes) -> Any:
        bundle, _ = fetch(self.chain, [key], self.header.height)
        return verify(bundle, self.header, [key])[key]

    def keys_of(self, did: str, relationship: str) -> Sequence[bytes]:
        self._account(did)
        document = resolve(did, fetch_proofs(self.chain, did, self.header.height), self.header, self.networks)
        wanted = set(document.get(relationship, []))
        keys = []
        for method in document["verificationMethod"]:
            if method["id"] in wanted:
                raw = base58btc_decode(method["publicKeyMultibase"][1:])
                if raw.startswith(ED25519_MULTICODEC):
                    keys.append(raw[len(ED25519_MULTICODEC):])
        return keys

    def trusted_accounts(self) -> frozenset[str]:
        return issuers.parse(self._proven(PARAMETER_KEY))

    def is_trusted_issuer(self, did: str) -> bool:
        return self._account(did) in self.trusted_accounts()

    def is_revoked(self, issuer: str, list_id: str, index: int) -> bool:
        record = self._proven(layout.full_key(status.status_key(self._account(issuer), list_id)))
        return status.revoked(record, issuer, list_id, index)
