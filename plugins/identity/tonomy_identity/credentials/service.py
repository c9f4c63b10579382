"""From a provider's approved decision to a credential in the subject's wallet.

The issuer is the verification service's own account (its key signs; governance must
list it in ``trusted_issuers`` for verifiers to accept what it signs). Every verified
attribute becomes a selectively disclosable claim, so the holder later reveals, say,
``age_over_18`` without the birth date.
"""

from __future__ import annotations

from typing import Any

from nacl.public import SealedBox

from tonomy.plugin.verifiers import VerificationDecision
from tonomy.wallet import jcs
from tonomy.wallet.credentials import CredentialStore
from tonomy.wallet.vc import IssuedCredential, Signer, fail, issue

CREDENTIAL_TYPE = "VerifiedAttributesCredential"


def status_entry(issuer_did: str, list_id: str, index: int) -> dict[str, Any]:
    list_ref = f"{issuer_did}/status/{list_id}"
    return {"id": f"{list_ref}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": str(index), "statusListCredential": list_ref}


def issue_from_decision(
    decision: VerificationDecision, signer: Signer, issuer_did: str, *, valid_from: str,
    valid_until: str | None = None, status: dict[str, Any] | None = None,
) -> IssuedCredential:
    if decision.state != "approved" or not decision.attributes:
        raise fail("malformed", f"session {decision.session_id} is {decision.state}, with nothing to issue")
    return issue(signer, issuer=issuer_did, subject=decision.subject, types=[CREDENTIAL_TYPE],
                 claims=dict(decision.attributes), valid_from=valid_from, valid_until=valid_until, status=status,
                 credential_id=f"urn:tonomy:verification:{decision.session_id}")


def accept_sealed(store: CredentialStore, sealed: bytes, private_key: Any) -> str:
    """Open a credential sealed to the wallet's X25519 key and keep it in the wallet."""
    try:
        plaintext = SealedBox(private_key).decrypt(sealed)
    except Exception:  # nacl raises CryptoError/ValueError/TypeError on any bad input
        raise fail("malformed", "the sealed credential does not open with this wallet's key") from None
    return store.add(IssuedCredential.from_dict(jcs.parse(plaintext)))
