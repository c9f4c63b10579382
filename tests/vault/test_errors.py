"""The vault's error classes: stable vault.* codes, registered, with the right stdlib bases."""

from __future__ import annotations

import pytest

from tonomy import errors

VAULT_CODES = {
    "vault.error": (errors.VaultError, Exception),
    "vault.malformed": (errors.VaultMalformedError, ValueError),
    "vault.downgrade": (errors.VaultDowngradeError, ValueError),
    "vault.weak_kdf": (errors.VaultWeakKdfError, errors.VaultDowngradeError),
    "vault.unsupported_version": (errors.VaultUnsupportedVersionError, ValueError),
    "vault.tampered": (errors.VaultTamperedError, ValueError),
    "vault.rollback": (errors.VaultRollbackError, ValueError),
    "vault.key_mismatch": (errors.VaultKeyMismatchError, ValueError),
    "vault.no_access": (errors.VaultNoAccessError, PermissionError),
    "vault.not_found": (errors.VaultNotFoundError, LookupError),
    "vault.recovery_failed": (errors.VaultRecoveryError, ValueError),
    "vault.hash_mismatch": (errors.VaultHashMismatchError, ValueError),
}


@pytest.mark.parametrize("code", sorted(VAULT_CODES))
def test_every_vault_code_is_registered(code: str) -> None:
    cls, base = VAULT_CODES[code]
    assert errors.ERRORS_BY_CODE[code] is cls
    assert cls.code == code
    assert issubclass(cls, errors.VaultError) and issubclass(cls, base)
    assert cls.__name__ in errors.__all__
    assert errors.from_core(code, "m").code == code


def test_no_other_vault_class_codes_exist() -> None:
    assert {c for c in errors.ERRORS_BY_CODE if c.startswith("vault.")} == set(VAULT_CODES)


def test_not_found_prints_like_the_others() -> None:
    assert str(errors.VaultNotFoundError("no blob")) == "[vault.not_found] no blob"
