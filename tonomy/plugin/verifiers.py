"""Identity verification providers: the shape the ``tonomy_identity_verifiers`` hook registers.

A provider (an online service such as a document-and-selfie check, or the built-in
offline reviewer) runs one *session* per subject:

1. ``start(subject)``: open a session for a DID; the answer may carry instructions or a
   URL the subject follows to hand over evidence (``instructions``);
2. ``submit(session_id, evidence)``: evidence reaches the provider (an upload, a webhook
   of the service, a CLI submission);
3. ``decision(session_id)``: ``pending``, ``approved`` with the verified attributes, or
   ``rejected`` with a reason. The provider decides (a person, a service);
4. on approval the *issuer* (the identity plugin's verification service, with a key
   governance accredits) signs the attributes as selectively disclosable credentials for
   the subject's wallet (:func:`tonomy.wallet.vc.issue`). Attributes never go on chain.

Providers are node-local (evidence is personal data, kept off chain): the hook is not
consensus-critical and a provider may do I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

from tonomy.errors import InvalidInputError

DecisionState: TypeAlias = Literal["pending", "approved", "rejected"]


@dataclass(frozen=True, slots=True)
class VerificationSession:
    """A session as the provider reports it."""

    session_id: str
    subject: str
    state: DecisionState
    instructions: str = ""


@dataclass(frozen=True, slots=True)
class VerificationDecision:
    """The provider's answer; ``attributes`` only when approved (claim name → JSON value)."""

    session_id: str
    subject: str
    state: DecisionState
    attributes: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""

    def __post_init__(self) -> None:
        if self.state not in ("pending", "approved", "rejected"):
            raise InvalidInputError(f"decision state {self.state!r} is not pending/approved/rejected")
        if self.attributes and self.state != "approved":
            raise InvalidInputError("only an approved decision carries attributes")


@runtime_checkable
class IdentityVerifier(Protocol):
    """What a verification provider implements (see the module docstring)."""

    @property
    def name(self) -> str: ...

    @property
    def attributes(self) -> tuple[str, ...]:
        """The attribute names this provider can attest (e.g. ``given_name``, ``age_over_18``)."""

    def start(self, subject: str) -> VerificationSession: ...

    def submit(self, session_id: str, evidence: Mapping[str, str]) -> VerificationSession: ...

    def decision(self, session_id: str) -> VerificationDecision: ...


VerifierRegistrar: TypeAlias = Callable[[IdentityVerifier], None]


def collect_verifiers(manager: Any) -> dict[str, IdentityVerifier]:
    """Every registered verifier by name, through ``manager.hook.tonomy_identity_verifiers``.

    Refuses (``plugin.conflict``) an object that is not an ``IdentityVerifier`` and a name
    registered twice, so a plugin cannot silently replace another's provider.
    """
    from tonomy.errors import PluginConflictError

    found: dict[str, IdentityVerifier] = {}

    def register(verifier: IdentityVerifier) -> None:
        if not isinstance(verifier, IdentityVerifier):
            raise PluginConflictError(f"{verifier!r} does not implement IdentityVerifier")
        name = verifier.name
        if type(name) is not str or not name or name in found:
            raise PluginConflictError(f"identity verifier name {name!r} is empty or registered twice")
        found[name] = verifier

    manager.hook.tonomy_identity_verifiers(register=register)
    return found
