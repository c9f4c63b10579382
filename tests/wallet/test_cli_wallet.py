"""``tonomy wallet ...`` in-process: create, list, unlock, rotate, devices, sessions, credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tonomy.cli import main

PIN = "482913"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_wallet_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONOMY_PIN", PIN)
    ks = ["--keystore", str(tmp_path / "device")]
    code, out, err = _run(capsys, "wallet", "create", *ks, "--username", "alice", "--network", "00" * 32, "--floor-kdf")
    assert code == 0, err
    created = json.loads(out)
    ident = ["--identity", created["identity"]]
    assert len(created["passphrase"].split()) >= 6

    code, out, _ = _run(capsys, "wallet", "list", *ks)
    [listed] = json.loads(out)
    assert listed["identity"] == created["identity"] and listed["username"] == "alice" and "passphrase" not in out
    assert created["passphrase"] not in out

    code, out, _ = _run(capsys, "wallet", "unlock", *ks, *ident)
    assert code == 0 and json.loads(out)["active_public_key"] == created["active_public_key"]

    code, out, _ = _run(capsys, "wallet", "rotate", *ks, *ident)
    rotated = json.loads(out)
    assert code == 0 and rotated["generation"] == 1 and rotated["active_public_key"] != created["active_public_key"]

    for command in ("devices", "sessions"):
        code, out, _ = _run(capsys, "wallet", command, *ks, *ident)
        assert code == 0 and isinstance(json.loads(out), list)

    code, out, _ = _run(capsys, "wallet", "credentials", "list", *ks, *ident)
    assert code == 0 and json.loads(out) == []

    code, out, err = _run(capsys, "wallet", "unlock", *ks, *ident, "--pin", "000000")
    assert code != 0 and "wallet." in err

    code, out, err = _run(capsys, "wallet", "unlock", *ks, "--identity", "nope")
    assert code != 0 and "wallet." in err
