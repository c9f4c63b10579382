"""Two nodes in two Linux network namespaces joined by a veth pair (root only, optional).

Skips with the reason when namespaces cannot be made (not root, no ``ip``, or a sandbox
that forbids them). Proves the transport works across a real (virtual) link with its own
addresses, not only on loopback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tonomy.net import NodeIdentity

SCRIPT = Path(__file__).with_name("netns_node.py")
REPO = Path(__file__).resolve().parents[2]


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)


@pytest.fixture
def namespaces():  # type: ignore[no-untyped-def]
    if shutil.which("ip") is None:
        pytest.skip("the ip tool is not installed")
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    tag = f"{os.getpid() % 100000}"
    ns_a, ns_b = f"tnmy-a-{tag}", f"tnmy-b-{tag}"
    veth_a, veth_b = f"tva{tag}", f"tvb{tag}"
    probe = _ip("netns", "add", ns_a)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {probe.stderr.strip()}")
    try:
        steps = [
            ("netns", "add", ns_b),
            ("link", "add", veth_a, "type", "veth", "peer", "name", veth_b),
            ("link", "set", veth_a, "netns", ns_a),
            ("link", "set", veth_b, "netns", ns_b),
            ("-n", ns_a, "addr", "add", "10.213.0.1/24", "dev", veth_a),
            ("-n", ns_b, "addr", "add", "10.213.0.2/24", "dev", veth_b),
            ("-n", ns_a, "link", "set", veth_a, "up"),
            ("-n", ns_b, "link", "set", veth_b, "up"),
            ("-n", ns_a, "link", "set", "lo", "up"),
            ("-n", ns_b, "link", "set", "lo", "up"),
        ]
        for step in steps:
            result = _ip(*step)
            if result.returncode != 0:
                pytest.skip(f"cannot set up the veth link: ip {' '.join(step)}: {result.stderr.strip()}")
        yield ns_a, ns_b
    finally:
        _ip("netns", "del", ns_a)
        _ip("netns", "del", ns_b)


def test_two_nodes_in_two_namespaces_talk_over_veth(namespaces) -> None:  # type: ignore[no-untyped-def]
    ns_a, ns_b = namespaces
    listener_seed, dialer_seed = os.urandom(32), os.urandom(32)
    listener_key = NodeIdentity(listener_seed).public_key
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    listener = subprocess.Popen(
        ["ip", "netns", "exec", ns_b, sys.executable, str(SCRIPT), "listen", listener_seed.hex(), "10.213.0.2", "19777"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert listener.stdout is not None
        assert listener.stdout.readline().strip() == "ready"
        dialer = subprocess.run(
            ["ip", "netns", "exec", ns_a, sys.executable, str(SCRIPT), "dial", dialer_seed.hex(), "10.213.0.2", "19777",
             listener_key.hex()],
            capture_output=True, text=True, env=env, timeout=20,
        )
        assert dialer.returncode == 0, dialer.stderr
        assert dialer.stdout.strip() == "secapseman-ssorca"
        assert listener.wait(timeout=10) == 0
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.wait()

