"""Every Tonomy hook: the contract between the host and its plugins.

A plugin implements any of these by defining a function of the same name marked
with ``@hookimpl`` (``from tonomy.plugin import hookimpl``); the host checks
every implementation against these signatures when it loads the plugin.

Conventions (see docs/plugins.md for the full guide):

* ``tonomy_register_*(register)`` hooks hand the plugin a callback; the plugin
  calls it once per object it contributes. The host calls these hooks one plugin
  at a time, so everything registered is attributed to its plugin and a clash
  names both sides.
* ``firstresult=True`` is for "who provides X" questions, ``historic=True`` only
  for configuration that late-registered plugins must still receive. No hook
  here needs either yet.
* Hooks that affect consensus (actions, parameters) must be deterministic:
  no wall clock, no unseeded randomness, no I/O, no unordered iteration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

from tonomy.plugin import PROJECT_NAME
from tonomy.plugin.types import ActionRegistrar, ParameterRegistrar, PluginInfo, QueryRegistrar, VotingStrategyRegistrar
from tonomy.plugin.node_services import NodeServiceRegistrar
from tonomy.plugin.web import WebPageRegistrar

if TYPE_CHECKING:
    from collections.abc import Callable

    from tonomy.plugin.verifiers import VerifierRegistrar

    import click

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


# --- identity -----------------------------------------------------------------


@hookspec
def tonomy_plugin_info() -> PluginInfo:  # type: ignore[empty-body]
    """Say who this plugin is: name, version, supported protocol range, description.

    Every plugin must implement it. The host asks each plugin separately, right
    after importing it and before any other hook, and refuses to load a plugin
    whose info is missing, malformed, named differently from its entry point, or
    whose protocol range does not include :data:`tonomy.PROTOCOL_VERSION`.

    Called across all plugins (``pm.hook.tonomy_plugin_info()``) it returns one
    ``PluginInfo`` per plugin.
    """


# --- consensus-critical -------------------------------------------------------


@hookspec
def tonomy_register_actions(register: ActionRegistrar) -> None:
    """Register the actions this plugin executes, one ``register(ActionSpec(...))`` each.

    Called once per plugin when the plugin manager is built. Action names are
    namespaced by the plugin (transactions address ``{plugin, name}``); the same
    name registered twice by one plugin is a :class:`~tonomy.errors.PluginConflictError`.

    :param register: call it with an :class:`~tonomy.plugin.ActionSpec` per action.
    """


@hookspec
def tonomy_register_queries(register: QueryRegistrar) -> None:
    """Register the read-only queries this plugin answers, one ``register(QuerySpec(...))`` each.

    Queries are the public surface other plugins and clients depend on (never a
    plugin's internals). Names are namespaced by the plugin, as for actions.

    :param register: call it with a :class:`~tonomy.plugin.QuerySpec` per query.
    """


@hookspec
def tonomy_register_parameters(register: ParameterRegistrar) -> None:
    """Register the system parameters governance may change, one ``register(ParameterSpec(...))`` each.

    Parameters are typed ``int``/``bool``/``bytes``/``str`` (never float), bounded,
    and carry the default a new network starts with. Names are namespaced by the
    plugin.

    :param register: call it with a :class:`~tonomy.plugin.ParameterSpec` per parameter.
    """


@hookspec
def tonomy_migrate_state(from_version: str | None, to_version: str, ctx: Any) -> None:
    """Bring this plugin's own state from ``from_version`` to ``to_version`` (this version).

    Consensus-critical. Called once, on every node and on every replay, at the start of the
    block where governance activates or upgrades the plugin to this version (docs/upgrades.md),
    only on the version being switched to (``from_version`` is ``None`` for a first
    activation; on a re-activation after a disable it is the version that was disabled).
    ``ctx`` is an :class:`~tonomy.plugin.ActionContext` whose ``ctx.state`` is this plugin's
    namespace; ``ctx.height``, ``ctx.random`` and ``ctx.parameter`` work, every call, query
    and privileged operation is refused: a migration reads and writes its own records only.
    Deterministic like an action handler. All-or-nothing: if it raises, its writes are undone
    and the plugin stays at its previous version (the failure is logged in state; see the
    ``tonomy.plugins`` query). New parameters of this version get their defaults before it runs.
    """


# --- governance ---------------------------------------------------------------


@hookspec
def tonomy_voting_strategies(register: VotingStrategyRegistrar) -> None:
    """Contribute ways of voting, one ``register(VotingStrategySpec(...))`` each.

    Consensus-critical. The host collects them per plugin when the manager is built
    (like actions), keyed ``<plugin>.<name>``; the governance plugin lets a track use
    any strategy of a plugin the genesis pins (``ctx.voting_strategies()``). A
    strategy's ``power(ctx, account, snapshot)`` and ``total(ctx, snapshot)`` read
    only what the context offers, at the proposal's snapshot, so weights never depend
    on tokens moved after the proposal was created.

    :param register: call it with a :class:`~tonomy.plugin.VotingStrategySpec` per strategy.
    """


# --- identity verification -----------------------------------------------------


@hookspec
def tonomy_identity_verifiers(register: VerifierRegistrar) -> None:
    """Contribute identity verification providers, one ``register(verifier)`` each.

    Node-local (evidence is personal data and never goes on chain), so a provider may
    do I/O. A verifier implements :class:`~tonomy.plugin.verifiers.IdentityVerifier`:
    ``start(subject)`` opens a session for a DID, ``submit(session_id, evidence)``
    receives evidence, ``decision(session_id)`` says pending / approved with the
    verified attributes / rejected. The identity plugin's verification service issues
    approved attributes as selectively disclosable credentials into the subject's
    wallet (docs/credentials.md). Names are unique across plugins.

    :param register: call it with an object satisfying ``IdentityVerifier``.
    """


# --- node-local ---------------------------------------------------------------


@hookspec
def tonomy_register_cli_commands(register: Callable[[click.Command], None]) -> None:
    """Add top-level commands to the ``tonomy`` CLI, one ``register(command)`` each.

    ``command`` is a :class:`click.Command` (or ``click.Group`` for a family of
    subcommands, the usual choice: ``tonomy <plugin> ...``). Called only when the
    CLI needs the command list, so importing click here costs nothing elsewhere.
    A name that tonomy itself uses or reserves, or that another plugin already
    added, is a :class:`~tonomy.errors.PluginConflictError`.

    :param register: call it with a ``click.Command`` per command.
    """


@hookspec
def tonomy_web_pages(register: WebPageRegistrar) -> None:
    """Add pages to the node's web UI, one ``register(WebPage(...))`` each.

    A :class:`~tonomy.plugin.WebPage` names an HTML file (``path``) inside a folder of
    static files (``static_dir``), a ``title`` and a short ``nav_label``. The node serves
    the folder at ``/app/<plugin>/`` and links the page from the shell's navigation.
    Pages are plain HTML/CSS/JS that talk to the node's JSON API; they load nothing from
    other origins. Called when the node starts; the host asks each plugin on its own, so
    every page is attributed to its plugin. Two pages with one path, or pages of one plugin
    in different folders, are a :class:`~tonomy.errors.PluginConflictError`.

    :param register: call it with a ``WebPage`` per page.
    """


@hookspec
def tonomy_node_services(register: NodeServiceRegistrar) -> None:
    """Run node-local services inside a node, one ``register(service)`` each.

    A :class:`~tonomy.plugin.NodeService` gets a :class:`~tonomy.plugin.NodeContext` when
    the node starts (its own folder in the data directory, chain reads at the head, the
    events of committed blocks, and a p2p channel to the same plugin's service on other
    nodes). Its FastAPI router is mounted at ``/v1/x/<plugin>/``. Node-local: services
    may use the clock, the disk and the network; nothing they do is consensus. Called
    when the node starts, one plugin at a time, so every service is attributed to its
    plugin (a plugin registers at most one).

    :param register: call it with an object satisfying ``NodeService``.
    """


#: Every hook name, in the order they are defined (and documented) above.
HOOK_NAMES: tuple[str, ...] = tuple(name for name in dict(globals()) if name.startswith("tonomy_"))

__all__ = ["HOOK_NAMES", "hookspec", *HOOK_NAMES]
