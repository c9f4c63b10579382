"""The whole flow on four validator processes: a DAO publishes v1, the network approves it,
every validator activates it at the same height, people use it; v2 arrives with a
migration; a revocation disables it everywhere. And the four refusals: an artifact whose
hash does not match, an app touching state outside its manifest, an app importing a
forbidden module (at install, and at load: the node refuses to start), a release its
DAO did not approve.

One cluster for the module; the tests run in order, each building on the last.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from marketnet import ACCOUNTS, DAO, GOVERNANCE, POLL_V1, POLL_V2, SNEAKY, TEST_APPS, AppSource, bootstrap  # noqa: E402
from tonomy_marketplace import publish  # noqa: E402
from tonomy_marketplace.cli import lifecycle_action  # noqa: E402
from tonomy_marketplace.install import InstallError, install_release  # noqa: E402

from tonomy import _core  # noqa: E402
from tonomy.chain import codec  # noqa: E402
from tonomy.chain.txbuilder import action, build_transaction  # noqa: E402
from tonomy.errors import AppRefusedError, TonomyError  # noqa: E402
from tonomy.node.client import NodeClient  # noqa: E402
from tonomy.node.keys import read_key_file  # noqa: E402
from tonomy.plugin.apparchive import pack_directory  # noqa: E402
from tonomy.plugin.apploader import install_package  # noqa: E402
from tonomy.plugin.cli import outcome_from_receipt  # noqa: E402
from tonomy.testing.cluster import Cluster, make_cluster, wait_until  # noqa: E402
from tonomy.testing.node_process import NodeProcess  # noqa: E402

pytestmark = pytest.mark.slow

MIN_DELAY = 12  # blocks between scheduling a plugin change and its height: time to install
#: Blocks from a proposal's execution to its activation height: past MIN_DELAY, and long
#: enough (block time 250 ms) for every operator to install and restart first.
LEAD = MIN_DELAY + 40
#: Voting periods long enough that a loaded machine still gets the votes in.
GOV_VOTING_PERIOD = 40
DAO_VOTING_PERIOD = 30


class ClusterNode:
    """``ChainNode`` over one node's API, signing with the cluster's account keys."""

    def __init__(self, cluster: Cluster, index: int = 0) -> None:
        self.cluster, self.index = cluster, index

    @property
    def client(self) -> NodeClient:
        return NodeClient(self.cluster.nodes[self.index].url, timeout=30)

    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any:
        with self.client as client:
            return client.query(plugin, name, dict(params))

    def act(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[str]) -> Any:
        actor = authorization[0].split("@")[0]
        seeds = self.system_seeds() if actor == "tonomy" else [self.cluster.keys[actor].seed]
        with self.client as client:
            head = client.head()
            tx = build_transaction(head.chain_id, head, [action(plugin, name, dict(data), list(authorization))], seeds)
            status = client.submit_and_wait(tx, timeout=90)
        assert status.receipt is not None, f"{plugin}.{name} did not commit: {status}"
        return outcome_from_receipt(status.receipt)

    def votes(self, plugin: str, pid: int, voters: Sequence[str], choice: int) -> None:
        """Every voter's vote in ONE transaction (signed by all): a short voting period is enough."""
        if not voters:
            return
        actions = [action(plugin, "vote", {"id": pid, "voter": voter, "choice": choice}, [f"{voter}@active"]) for voter in voters]
        with self.client as client:
            head = client.head()
            tx = build_transaction(head.chain_id, head, actions, [self.cluster.keys[voter].seed for voter in voters])
            status = client.submit_and_wait(tx, timeout=90)
        assert status.receipt is not None and status.receipt.ok, f"{plugin} votes: {status}"

    def system_seeds(self) -> list[bytes]:
        return [read_key_file(path).seed for path in self.cluster.validator_keys[:3]]  # 3 of 4 validators

    def ok(self, plugin: str, name: str, data: Mapping[str, Any], signer: str) -> Any:
        outcome = self.act(plugin, name, data, [f"{signer}@active"])
        assert outcome.ok, f"{plugin}.{name}: {outcome.error_code} {outcome.error_message}"
        return outcome

    def fails(self, code: str, plugin: str, name: str, data: Mapping[str, Any], signer: str) -> None:
        outcome = self.act(plugin, name, data, [f"{signer}@active"])
        assert (outcome.ok, outcome.error_code) == (False, code), outcome.error_message

    def height(self) -> int:
        with self.client as client:
            return int(client.head().height)

    def until(self, height: int, timeout: float = 180.0, every: bool = True) -> None:
        """Wait until every node (or, ``every=False``, this one) is at ``height``."""
        nodes = self.cluster.nodes if every else [self.cluster.nodes[self.index]]
        wait_until(lambda: min(node_height(n) for n in nodes) >= height, timeout, 0.3, f"height {height}")


def node_height(node: NodeProcess) -> int:
    with NodeClient(node.url, timeout=10) as client:
        return int(client.head().height)


def every_node(cluster: Cluster, plugin: str, name: str, params: Mapping[str, Any]) -> list[Any]:
    answers = []
    for node in cluster.nodes:
        with NodeClient(node.url, timeout=30) as client:
            answers.append(client.query(plugin, name, dict(params)))
    return answers


def same_state(cluster: Cluster, height: int) -> None:
    roots = set()
    for node in cluster.nodes:
        with NodeClient(node.url, timeout=30) as client:
            roots.add(bytes(client.block(height).header.state_root))
    assert len(roots) == 1, f"validators disagree at height {height}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    parameters = {
        "tonomy": {"governance_plugin": "governance", "plugin_change_min_delay": MIN_DELAY},
        "governance": {**GOVERNANCE, "voting_period": GOV_VOTING_PERIOD},
    }
    made = make_cluster(tmp_path_factory.mktemp("market"), 4, ACCOUNTS, block_time_ms=250, parameters=parameters)
    made.start(timeout=120)
    try:
        bootstrap(ClusterNode(made).ok, "tonomy", dao_voting_period=DAO_VOTING_PERIOD)
        yield made
    finally:
        made.stop()


def dao_decide(node: ClusterNode, actions: list[dict[str, Any]], voters: Sequence[str] = ("alice", "bob")) -> Any:
    pid = publish.propose_to_dao(node, "alice", DAO, "market", actions)
    node.votes("dao", pid, voters, 1)
    node.until(node.query("dao", "proposal", {"id": pid})["eta"])
    return node.act("dao", "execute", {"id": pid}, ["carol@active"])


def gov_decide(node: ClusterNode, actions: list[dict[str, Any]]) -> Any:
    pid = publish.propose_to_network(node, "alice", "market", actions)
    node.until(node.query("governance", "proposal", {"id": pid})["vote_start"], every=False)
    node.votes("governance", pid, ("alice", "bob"), 0)
    node.until(node.query("governance", "proposal", {"id": pid})["eta"])
    outcome = node.act("governance", "execute", {"id": pid}, ["carol@active"])
    assert outcome.ok, f"{outcome.error_code} {outcome.error_message}"
    return outcome


EVIL = AppSource("evil", "1.0.0", TEST_APPS / "evil" / "evil", SNEAKY.manifest)


def release(node: ClusterNode, sources: Sequence[AppSource], register: bool) -> None:
    """Upload each package and release them all in ONE DAO proposal (fewer votes to wait for)."""
    actions = []
    for source in sources:
        artifact = publish.upload(node, "alice", source.package)
        actions += publish.release_actions(dao=DAO, app=source.name, version=source.version, artifact=artifact, manifest=source.manifest,
                                           register={"description": source.name, "on_validators": True} if register else None)
    outcome = dao_decide(node, actions, voters=("bob", "carol"))
    assert outcome.ok, f"{outcome.error_code} {outcome.error_message}"


def install_everywhere_and_restart(cluster: Cluster, sources: Sequence[AppSource]) -> None:
    """Every operator installs (each node fetching from its own API), then restarts its node
    (all at once here, to keep the test short; the chain resumes from the stored state)."""
    for index, node in enumerate(cluster.nodes):
        for source in sources:
            install_release(ClusterNode(cluster, index), source.name, source.version, node.data_dir)
    before = min(node_height(node) for node in cluster.nodes)
    for node in cluster.nodes:
        node.stop()
    for node in cluster.nodes:
        node.start(timeout=120)
    wait_until(lambda: min(node_height(n) for n in cluster.nodes) > before, 120, 0.3, "the restarted cluster making blocks")


def test_refused_a_release_not_approved_by_its_dao(cluster: Cluster) -> None:
    node = ClusterNode(cluster)
    # through the DAO: fine (a DAO may release anything; the network and the nodes still check)
    release(node, [POLL_V1, SNEAKY, EVIL], register=True)
    assert {r["status"] for r in every_node(cluster, "marketplace", "release", {"app": "poll", "version": "1.0.0"})} == {"pending"}
    digest = publish.upload(node, "alice", POLL_V1.package.replace(b"Community polls", b"Community pulls"))
    [data] = [a["data"] for a in publish.release_actions(dao=DAO, app="poll", version="1.0.1", artifact=digest, manifest=POLL_V1.manifest)]
    node.fails("tx.missing_authorization", "marketplace", "release", data, "alice")  # a member alone
    node.fails("tx.missing_authorization", "marketplace", "release", data, "tonomy")  # the validators
    approve = {"app": "poll", "version": "1.0.0", "activation_height": node.height() + 100}
    node.fails("marketplace.not_network", "marketplace", "approve", approve, "tonomy")  # ... nor approve without a vote
    outcome = dao_decide(node, [{"plugin": "marketplace", "name": "release", "data": data}], voters=())  # nobody voted for it
    assert (outcome.ok, outcome.error_code) == (False, "dao.not_approved")
    assert {app["latest"] for app in every_node(cluster, "marketplace", "app", {"app": "poll"})} == {"1.0.0"}


def test_refused_an_artifact_whose_hash_does_not_match(cluster: Cluster) -> None:
    node = ClusterNode(cluster)
    content, claimed = b"not the package you announced", _core.hash_plain(b"the package")
    node.ok("marketplace", "upload_begin", {"uploader": "dave", "hash": claimed, "size": len(content)}, "dave")
    node.ok("marketplace", "upload_chunk", {"uploader": "dave", "hash": claimed, "index": 0, "data": content}, "dave")
    node.fails("marketplace.hash_mismatch", "marketplace", "upload_seal", {"uploader": "dave", "hash": claimed}, "dave")
    assert {answer["sealed"] for answer in every_node(cluster, "marketplace", "artifact", {"hash": claimed})} == {False}
    # and a node never installs bytes that are not the release's artifact
    with pytest.raises(AppRefusedError, match="not to the release's artifact"):
        install_package(cluster.root / "scratch", POLL_V1.package + b"\x00", app="poll", version="1.0.0", artifact=POLL_V1.artifact, publisher=DAO)


def test_v1_published_approved_and_activated_at_the_same_height_everywhere(cluster: Cluster) -> None:
    node = ClusterNode(cluster)
    actions = [
        *publish.network_approval_actions("poll", "1.0.0", None, [lifecycle_action("activate", "poll", "1.0.0", delay=LEAD)], delay=LEAD),
        *publish.network_approval_actions("sneaky", "1.0.0", None, [lifecycle_action("activate", "sneaky", "1.0.0", delay=LEAD)], delay=LEAD),
        *publish.network_approval_actions("evil", "1.0.0", delay=LEAD),  # its code never gets past a node (below)
    ]
    gov_decide(node, actions)
    activation = node.query("marketplace", "release", {"app": "poll", "version": "1.0.0"})["activation_height"]
    assert node.query("marketplace", "release", {"app": "sneaky", "version": "1.0.0"})["activation_height"] == activation
    install_everywhere_and_restart(cluster, [POLL_V1, SNEAKY])
    node.until(activation)
    for answer in every_node(cluster, "tonomy", "plugins", {"name": "poll"}):
        [status] = [item for item in answer["plugins"] if item["name"] == "poll"]
        assert (status["version"], status["enabled"], status["since"]) == ("1.0.0", True, activation)
    node.ok("poll", "create", {"creator": "dave", "question": "Plant trees?", "options": "yes,no", "closes": activation + 500}, "dave")
    for voter, option in (("alice", 0), ("bob", 0), ("erin", 1)):
        node.ok("poll", "vote", {"id": 1, "voter": voter, "option": option}, voter)
    polls = every_node(cluster, "poll", "poll", {"id": 1})
    assert all(poll["tally"] == [2, 1] and poll["options"] == "yes,no" for poll in polls)
    same_state(cluster, node.height() - 1)


def test_refused_an_app_touching_state_outside_its_manifest(cluster: Cluster) -> None:
    node = ClusterNode(cluster)
    node.ok("sneaky", "write", {"key": "own/fine"}, "dave")
    node.fails("tx.capability_denied", "sneaky", "write", {"key": "other/x"}, "dave")
    node.fails("tx.capability_denied", "sneaky", "ask", {}, "dave")
    assert every_node(cluster, "sneaky", "read", {"key": "own/fine"}) == [b"x"] * 4
    same_state(cluster, node.height() - 1)


def test_refused_an_app_importing_a_forbidden_module(cluster: Cluster) -> None:
    node = ClusterNode(cluster)
    evil = EVIL
    assert node.query("marketplace", "release", {"app": "evil", "version": "1.0.0"})["status"] == "approved"
    with pytest.raises(InstallError) as refused:  # at install
        install_release(node, "evil", "1.0.0", cluster.nodes[0].data_dir)
    assert refused.value.code == "app.refused" and "evil/__init__.py:5: imports the forbidden module 'os'" in str(refused.value)
    assert not (cluster.nodes[0].data_dir / "apps" / "evil").exists()
    # at load: an operator copies the files in by hand; the node refuses to start and says why
    spare = NodeProcess(cluster.root / "spare", cluster.genesis_file, None, block_time_ms=250)
    spare.data_dir.mkdir(parents=True, exist_ok=True)
    folder = spare.data_dir / "apps" / "evil" / "1.0.0"
    (folder / "evil").mkdir(parents=True)
    package = pack_directory("evil", "1.0.0", evil.module_dir)
    shutil.copy(evil.module_dir / "__init__.py", folder / "evil" / "__init__.py")
    (folder / "package.tar").write_bytes(package)
    (folder / "app.json").write_bytes(codec.encode({"module": "evil", "name": "evil", "version": "1.0.0"}))
    (folder / "release.json").write_text(f'{{"app": "evil", "version": "1.0.0", "artifact": "{_core.hash_plain(package).hex()}", "publisher": "{DAO}"}}')
    with pytest.raises(RuntimeError) as stopped:
        spare.start(timeout=120)
    assert "app.refused" in str(stopped.value) and "imports the forbidden module 'os'" in str(stopped.value)


def test_v2_arrives_with_a_migration_run_once_everywhere(cluster: Cluster) -> None:
    node = ClusterNode(cluster)
    release(node, [POLL_V2], register=False)
    gov_decide(node, publish.network_approval_actions("poll", "2.0.0", None, [lifecycle_action("upgrade", "poll", "2.0.0", delay=LEAD)], delay=LEAD))
    upgrade = node.query("marketplace", "release", {"app": "poll", "version": "2.0.0"})["activation_height"]
    install_everywhere_and_restart(cluster, [POLL_V2])
    node.until(upgrade)
    polls = every_node(cluster, "poll", "poll", {"id": 1})
    assert all(poll["options"] == ["yes", "no"] and poll["votes"] == 3 for poll in polls)  # migrated, on every node
    node.ok("poll", "vote", {"id": 1, "voter": "carol", "option": 1}, "carol")
    node.ok("poll", "close", {"id": 1, "creator": "dave"}, "dave")  # new in v2
    assert {tuple(poll["tally"]) for poll in every_node(cluster, "poll", "poll", {"id": 1})} == {(2, 2)}
    releases = every_node(cluster, "marketplace", "releases", {"app": "poll"})
    assert all([r["active"] for r in answer] == [False, True] for answer in releases)
    same_state(cluster, node.height() - 1)


def test_revocation_disables_it_everywhere_at_a_height(cluster: Cluster) -> None:
    node = ClusterNode(cluster)
    gov_decide(node, publish.network_revocation_actions("poll", "2.0.0", None, "kill switch", [lifecycle_action("disable", "poll", "", delay=LEAD)], delay=LEAD))
    stop = node.query("marketplace", "release", {"app": "poll", "version": "2.0.0"})["disable_height"]
    node.ok("poll", "create", {"creator": "erin", "question": "Still here?", "options": "a,b", "closes": stop + 100}, "erin")
    node.until(stop)
    # refused at admission by the lifecycle (disabled), or in the block by the engine (no window)
    try:
        outcome = node.act("poll", "vote", {"id": 2, "voter": "bob", "option": 0}, ["bob@active"])
        code = outcome.error_code if not outcome.ok else None
    except TonomyError as exc:
        code = exc.code
    assert code in ("tx.plugin_disabled", "tx.app_inactive")
    for index in range(4):
        with NodeClient(cluster.nodes[index].url, timeout=30) as client:
            with pytest.raises(TonomyError) as refused:
                client.query("poll", "poll", {"id": 2})
            assert refused.value.code in ("tx.plugin_disabled", "tx.app_inactive")
    assert {r["status"] for r in every_node(cluster, "marketplace", "release", {"app": "poll", "version": "2.0.0"})} == {"revoked"}
    same_state(cluster, node.height() - 1)
