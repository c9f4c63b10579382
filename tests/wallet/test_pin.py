"""PIN policy, the attempt limit, the wipe, and recovery with the passphrase."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tonomy.errors import InvalidInputError, WalletLockedError, WeakPinError, WrongPinError
from tonomy.wallet import FLOOR, KdfParams, Keystore, check_pin

from .conftest import PIN, Template, identity_dir

Device = tuple[Keystore, Template]


@pytest.mark.parametrize(
    "pin",
    [
        "000000",
        "999999",
        "123456",
        "234567",
        "654321",
        "890123",
        "0123456789",
        "121212",
        "123123",
        "12341234",
        "159753",
        "12345",
        "48291",
        "",
        "48291a",
        "４８２９１３",  # full-width digits: isdigit() but not ASCII
        "482 913",
        "1" * 40,
        "48291" * 7,
    ],
)
def test_weak_or_malformed_pins_are_refused(pin: str) -> None:
    with pytest.raises(WeakPinError) as err:
        check_pin(pin)
    assert err.value.code == "wallet.weak_pin"


@pytest.mark.parametrize("pin", ["482913", "905172", "111112", "583920174635", "102938"])
def test_reasonable_pins_pass(pin: str) -> None:
    assert check_pin(pin) == pin


@pytest.mark.parametrize("value", [482913, None, b"482913"])
def test_pin_must_be_a_string(value: object) -> None:
    with pytest.raises(WeakPinError):
        check_pin(value)  # type: ignore[arg-type]


def _pin_file(keystore: Keystore, identity_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((identity_dir(keystore.root, identity_id) / "pin.json").read_text())
    return data


def test_wrong_pins_count_down_then_wipe_then_passphrase_recovers(device: Device) -> None:
    keystore, t = device
    ident = t.alice.identity_id
    assert keystore.pin_attempts_left(ident) == 5
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPinError) as err:
            keystore.unlock_with_pin(ident, "905172")
        assert err.value.attempts_left == left and err.value.code == "wallet.wrong_pin"
        assert _pin_file(keystore, ident)["failures"] == 5 - left
    with pytest.raises(WalletLockedError, match="wiped") as locked:
        keystore.unlock_with_pin(ident, "905172")
    assert locked.value.code == "wallet.locked"
    stored = _pin_file(keystore, ident)
    assert stored["sealed_device_key"] is None
    identity = json.loads((identity_dir(keystore.root, ident) / "identity.json").read_text())
    assert identity["sealed_root_seed"] is None
    assert keystore.pin_attempts_left(ident) == 0
    assert {s.identity_id: s.has_device_key for s in keystore.list_identities()}[ident] is False

    # The right PIN no longer helps: the key it unwrapped is gone.
    with pytest.raises(WalletLockedError):
        keystore.unlock_with_pin(ident, PIN)
    # Bob, on the same device, is not affected.
    with keystore.unlock_with_pin(t.bob.identity_id, t.bob.pin) as bob:
        assert bob.owner_public_key == t.bob.owner_public_key
    # The passphrase still opens alice, and a new PIN restores day-to-day access.
    with keystore.unlock_with_passphrase(ident, t.alice.passphrase) as alice:
        assert alice.owner_public_key == t.alice.owner_public_key
        keystore.set_pin(alice, "731946", pin_kdf=FLOOR)
    with keystore.unlock_with_pin(ident, "731946") as alice:
        assert alice.active_public_key == t.alice.active_public_key
    assert keystore.pin_attempts_left(ident) == 5


def test_a_right_pin_resets_the_counter(device: Device) -> None:
    keystore, t = device
    ident = t.alice.identity_id
    for _ in range(4):
        with pytest.raises(WrongPinError):
            keystore.unlock_with_pin(ident, "905172")
    keystore.unlock_with_pin(ident, PIN).close()
    assert _pin_file(keystore, ident)["failures"] == 0
    for _ in range(4):
        with pytest.raises(WrongPinError):
            keystore.unlock_with_pin(ident, "905172")
    keystore.unlock_with_pin(ident, PIN).close()  # still not wiped: the count restarted


@pytest.mark.parametrize("junk", ["", "abc", "4829 13", "９０５１７２", "1" * 100])
def test_junk_pins_count_as_attempts(device: Device, junk: str) -> None:
    keystore, t = device
    with pytest.raises(WrongPinError):
        keystore.unlock_with_pin(t.alice.identity_id, junk)
    assert _pin_file(keystore, t.alice.identity_id)["failures"] == 1


def test_a_lower_attempt_limit(device: Device) -> None:
    keystore, t = device
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as u:
        keystore.set_pin(u, "731946", pin_kdf=FLOOR, max_attempts=2)
    with pytest.raises(WrongPinError):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)
    with pytest.raises(WalletLockedError):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)
    with pytest.raises(WalletLockedError):
        keystore.unlock_with_pin(t.alice.identity_id, "731946")


def test_a_hostile_counter_reset_is_bounded_by_the_file_ceiling(device: Device) -> None:
    keystore, t = device
    path = identity_dir(keystore.root, t.alice.identity_id) / "pin.json"
    data = json.loads(path.read_text())
    data["failures"] = 10  # at the ceiling: locked whatever max_attempts says
    data["max_attempts"] = 10
    path.write_text(json.dumps(data))
    with pytest.raises(WalletLockedError):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)
    assert _pin_file(keystore, t.alice.identity_id)["sealed_device_key"] is None


def test_parallel_attempts_are_counted_one_by_one(device: Device) -> None:
    """Eight wrong PINs at once: each must see the count the previous one left."""
    keystore, t = device
    outcomes: list[BaseException] = []

    def attempt() -> None:
        try:
            Keystore(keystore.root).unlock_with_pin(t.alice.identity_id, "905172")
        except (WrongPinError, WalletLockedError) as err:
            outcomes.append(err)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    left = sorted(e.attempts_left for e in outcomes if isinstance(e, WrongPinError))
    assert left == [1, 2, 3, 4]
    assert sum(isinstance(e, WalletLockedError) for e in outcomes) == 4
    with pytest.raises(WalletLockedError):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)


@pytest.mark.parametrize("limit", [0, 11, True, "5"])
def test_attempt_limit_bounds(device: Device, limit: object) -> None:
    keystore, t = device
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as u:
        with pytest.raises(InvalidInputError):
            keystore.set_pin(u, "731946", pin_kdf=FLOOR, max_attempts=limit)  # type: ignore[arg-type]
    keystore.unlock_with_pin(t.alice.identity_id, PIN).close()  # the old PIN still works


def test_missing_pin_file_means_passphrase_only(device: Device) -> None:
    keystore, t = device
    (identity_dir(keystore.root, t.alice.identity_id) / "pin.json").unlink()
    with pytest.raises(WalletLockedError):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)
    keystore.unlock_with_passphrase(t.alice.identity_id, t.alice.passphrase).close()


_CHILD = textwrap.dedent(
    """
    import sys
    from tonomy.wallet import Keystore
    from tonomy.errors import WrongPinError
    keystore = Keystore(sys.argv[1])
    print("ready", flush=True)
    try:
        keystore.unlock_with_pin(sys.argv[2], sys.argv[3])
    except WrongPinError:
        pass
    print("finished", flush=True)
    """
)


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads process memory from /proc")
def test_the_attempt_is_on_disk_before_the_pin_is_tried(device: Device) -> None:
    """Kill the process while Argon2id is running: the attempt must already be counted.

    "Running" is observed, not guessed: the child's resident memory passes 256 MiB
    only inside the PIN's 512 MiB Argon2id.
    """
    keystore, t = device
    ident = t.alice.identity_id
    slow = KdfParams(ops=12, memory=512 * 1024 * 1024)  # legal, slow: seconds of work
    with keystore.unlock_with_pin(ident, PIN) as u:
        keystore.set_pin(u, "731946", pin_kdf=slow)
    path = identity_dir(keystore.root, ident) / "pin.json"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(keystore.root), ident, "905172"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        while _rss_bytes(child.pid) < 256 * 1024 * 1024:
            assert child.poll() is None, "the child finished before it was seen deriving"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    stored = json.loads(path.read_text())
    assert stored["failures"] == 1 and stored["sealed_device_key"] is not None
    assert keystore.pin_attempts_left(ident) == 4
