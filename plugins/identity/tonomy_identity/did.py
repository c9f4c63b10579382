"""``did:tonomy:<network>:<account>``: DID documents built from proven chain state.

:func:`resolve` takes the DID, a :class:`~tonomy_identity.proofs.ProofBundle` (from any
node, untrusted) and a header the caller trusts, and builds the DID document only from
values whose Merkle proofs verify against that header's state root. The node needs no
trust: a tampered value or proof, an omitted key or another height is refused.

Proven keys (full state keys): ``sys/acct/<a>``, ``sys/perm/<a>/owner``,
``sys/perm/<a>/active``, ``p/identity/record/<a>``. See docs/did-method.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tonomy_identity import layout
from tonomy_identity.crypto import ED25519_MULTICODEC, X25519_MULTICODEC, multibase_key
from tonomy_identity.errors import InvalidDidError, NotFoundError
from tonomy_identity.proofs import ProofBundle, fetch, verify

METHOD = "tonomy"
NETWORK_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,31}")
ACCOUNT_PATTERN = re.compile(r"[a-z](?:[a-z0-9]|[.-](?=[a-z0-9])){1,30}[a-z0-9]")
DID_TYPES = frozenset({"person", "dao", "app"})
CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
#: ``key_format="2020"``: the older suite types some verifiers still expect.
CONTEXT_2020 = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://w3id.org/security/suites/x25519-2020/v1",
]
KEY_FORMATS = {
    "multikey": ("Multikey", "Multikey"),
    "2020": ("Ed25519VerificationKey2020", "X25519KeyAgreementKey2020"),
}


@dataclass(frozen=True, slots=True)
class Did:
    network: str
    account: str

    def __str__(self) -> str:
        return f"did:{METHOD}:{self.network}:{self.account}"


def parse_did(did: str) -> Did:
    """Read ``did:tonomy:<network>:<account>`` (no path, query or fragment)."""
    if type(did) is not str or len(did) > 128:
        raise InvalidDidError("a DID is a str of at most 128 characters")
    parts = did.split(":")
    if len(parts) != 4 or parts[0] != "did" or parts[1] != METHOD:
        raise InvalidDidError(f"{did!r} is not a did:{METHOD}:<network>:<account> DID")
    network, account = parts[2], parts[3]
    if not NETWORK_PATTERN.fullmatch(network):
        raise InvalidDidError(f"{network!r} is not a network name")
    if not ACCOUNT_PATTERN.fullmatch(account) or ".." in account:
        raise InvalidDidError(f"{account!r} is not an account name")
    return Did(network, account)


def did_for(network: str, account: str) -> str:
    return str(parse_did(f"did:{METHOD}:{network}:{account}"))


def needed_keys(account: str) -> tuple[bytes, ...]:
    return (
        layout.system_account_key(account),
        layout.system_permission_key(account, "owner"),
        layout.system_permission_key(account, "active"),
        layout.full_key(layout.record_key(account)),
    )


def fetch_proofs(chain: Any, did: str, height: int | None = None) -> ProofBundle:
    """What a node answers for a DID: the needed values with proofs, at one height."""
    bundle, _ = fetch(chain, needed_keys(parse_did(did).account), height)
    return bundle


def resolve(
    did: str, bundle: ProofBundle, trusted_header: Any, networks: Mapping[str, bytes], *, key_format: str = "multikey"
) -> dict[str, Any]:
    """The DID document of ``did``, from proven state only.

    ``networks`` maps network names to chain ids; the trusted header must belong to the
    DID's network. Raises ``identity.invalid_did``, ``identity.invalid_proof``, or
    ``identity.not_found`` (no such account, or a type without a DID: system accounts).
    ``key_format`` is ``"multikey"`` (default) or ``"2020"`` (Ed25519VerificationKey2020 /
    X25519KeyAgreementKey2020; the same ``publicKeyMultibase`` values).
    """
    if key_format not in KEY_FORMATS:
        raise InvalidDidError(f"key_format is one of {', '.join(sorted(KEY_FORMATS))}")
    parsed = parse_did(did)
    chain_id = networks.get(parsed.network)
    if chain_id is None:
        raise InvalidDidError(f"unknown network {parsed.network!r}")
    if trusted_header.chain_id != chain_id:
        raise InvalidDidError(f"the trusted header is not of the network {parsed.network!r}")
    keys = needed_keys(parsed.account)
    values = verify(bundle, trusted_header, keys)
    account_record, owner, active, record = (values[key] for key in keys)
    if account_record is None:
        raise NotFoundError(f"{did} does not exist at height {trusted_header.height}")
    if account_record.get("type") not in DID_TYPES:
        raise NotFoundError(f"{did} names a {account_record.get('type')} account, which has no DID")
    return build_document(str(parsed), owner, active, record, key_format=key_format)


def _key_methods(did: str, name: str, permission: Any, method_type: str) -> list[dict[str, Any]]:
    if permission is None:
        return []
    methods = []
    for index, entry in enumerate(permission["authority"]["keys"]):
        methods.append(
            {
                "id": f"{did}#{name}-{index}",
                "type": method_type,
                "controller": did,
                "publicKeyMultibase": multibase_key(ED25519_MULTICODEC, entry["key"]),
            }
        )
    return methods


def build_document(did: str, owner: Any, active: Any, record: Any, *, key_format: str = "multikey") -> dict[str, Any]:
    """Owner keys invoke and delegate capabilities; active keys authenticate and assert."""
    ed_type, x_type = KEY_FORMATS[key_format]
    owner_methods = _key_methods(did, "owner", owner, ed_type)
    active_methods = _key_methods(did, "active", active, ed_type)
    record = record or {"key_agreement": [], "services": []}
    agreement = [
        {
            "id": f"{did}#{entry['id']}",
            "type": x_type,
            "controller": did,
            "publicKeyMultibase": multibase_key(X25519_MULTICODEC, entry["key"]),
        }
        for entry in record["key_agreement"]
    ]
    services = [
        {"id": f"{did}#{entry['id']}", "type": entry["type"], "serviceEndpoint": entry["endpoint"]}
        for entry in record["services"]
    ]
    document: dict[str, Any] = {
        "@context": list(CONTEXT if key_format == "multikey" else CONTEXT_2020),
        "id": did,
        "verificationMethod": owner_methods + active_methods + agreement,
        "authentication": [m["id"] for m in active_methods],
        "assertionMethod": [m["id"] for m in active_methods],
        "capabilityInvocation": [m["id"] for m in owner_methods],
        "capabilityDelegation": [m["id"] for m in owner_methods],
        "keyAgreement": [m["id"] for m in agreement],
    }
    if services:
        document["service"] = services
    return document
