"""The wallet's error classes: stable wallet.* codes, registered, with the right stdlib bases."""

from __future__ import annotations

import pytest

from tonomy import errors

WALLET_CODES = {
    "wallet.error": (errors.WalletError, Exception),
    "wallet.invalid_passphrase": (errors.InvalidPassphraseError, ValueError),
    "wallet.wrong_passphrase": (errors.WrongPassphraseError, PermissionError),
    "wallet.weak_kdf": (errors.WeakKdfError, ValueError),
    "wallet.invalid_kdf": (errors.InvalidKdfError, ValueError),
    "wallet.weak_pin": (errors.WeakPinError, ValueError),
    "wallet.wrong_pin": (errors.WrongPinError, PermissionError),
    "wallet.locked": (errors.WalletLockedError, PermissionError),
    "wallet.keystore_corrupt": (errors.KeystoreCorruptError, ValueError),
    "wallet.keystore_tampered": (errors.KeystoreTamperedError, ValueError),
    "wallet.unsupported_version": (errors.UnsupportedKeystoreVersionError, ValueError),
    "wallet.unknown_identity": (errors.UnknownIdentityError, LookupError),
    "wallet.identity_exists": (errors.IdentityExistsError, ValueError),
    "wallet.unknown_record": (errors.UnknownRecordError, LookupError),
    "wallet.closed": (errors.IdentityClosedError, RuntimeError),
}


@pytest.mark.parametrize("code", sorted(WALLET_CODES))
def test_every_wallet_code_is_registered(code: str) -> None:
    cls, base = WALLET_CODES[code]
    assert errors.ERRORS_BY_CODE[code] is cls
    assert issubclass(cls, errors.WalletError) and issubclass(cls, base)
    assert cls.__name__ in errors.__all__


def test_no_other_wallet_codes_exist() -> None:
    assert {c for c in errors.ERRORS_BY_CODE if c.startswith("wallet.")} == set(WALLET_CODES)


def test_wrong_pin_carries_the_attempts_left() -> None:
    err = errors.WrongPinError("wrong PIN", attempts_left=3)
    assert err.attempts_left == 3 and str(err) == "[wallet.wrong_pin] wrong PIN"
