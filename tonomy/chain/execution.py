"""The execution engine: runs a block's transactions on the write overlay.

Rules (docs/ledger.md, "Execution"):

* A transaction runs inside a checkpoint: if anything fails (authority, a handler,
  a limit), every write it made is rolled back and its receipt says ``failed`` with
  the error's stable code. Nothing is half-applied.
* Authority is checked again at execution, on the state the transaction sees then
  (an earlier transaction of the block may have changed a permission).
* Each action's data is canonical-codec bytes of a record, checked by the action's
  schema before its handler runs. The system plugin ``tonomy`` is built in.
* A handler sees its own namespace only, a metered state, the block's height and time,
  and a random source seeded by ``hash(block seed, tx id, action index)``.
* A cross-plugin call runs inside its own checkpoint: if the callee fails, its writes
  and events are undone and the error reaches the caller, which may handle it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

from tonomy import _core
from tonomy.chain import codec, lifecycle
from tonomy.chain.engine_memo import EngineMemo
from tonomy.chain.evidence import is_evidence_only
from tonomy.chain.authority import PermissionLevel, plugin_authority_level
from tonomy.chain.capabilities import AppState, Window, check_reach, read_capabilities
from tonomy.chain.actionmemo import CheckedActions
from tonomy.chain.authcache import VERDICTS, DeclaredActions, action_authorizations
from tonomy.chain.checker import ActionAuthorization, AuthorityChecker
from tonomy.chain.context import (
    ActionContext,
    BlockInfo,
    CoreNamespacedState,
    DeterministicRandom,
    Event,
    Meter,
    NamespacedState,
    PluginStateView,
)
from tonomy.chain.overlay import ReadOnlyState, WriteOverlay
from tonomy.chain.permissions import AUTH_ACTIONS, check_permission_requirement, required_permission
from tonomy.chain.parameters import GOVERNANCE_PLUGIN, SYSTEM_PARAMETERS, ChainParameters, parameter_key, read_parameter
from tonomy.chain.receipts import EXECUTED, FAILED, Receipt, new_receipt
from tonomy.chain.state import StateView
from tonomy.chain.system import SYSTEM_ACTIONS, SYSTEM_PLUGIN, SYSTEM_QUERIES, MeteredState, SystemCall
from tonomy.errors import (
    HandlerCrashedError,
    MissingAuthorizationError,
    InternalError,
    InvalidActionDataError,
    InvalidInputError,
    InsufficientAuthorityError,
    PluginConflictError,
    PluginDisabledError,
    StorageError,
    TonomyError,
    UnknownActionError,
    UnknownPluginError,
    UnknownQueryError,
)
from tonomy.plugin.registry import PluginRecord, Registry

RANDOM_TAG = "tonomy/random/action/v1"
MIGRATION_TAG = "tonomy/random/migration/v1"

#: Failures of the node itself, never of a transaction: they abort the block.
NODE_LOCAL_FAULTS: tuple[type[BaseException], ...] = (StorageError, InternalError, MemoryError)


def action_seed(block_seed: bytes, tx_id: bytes, index: int) -> bytes:
    """The random seed of one action: the same on every node, different for every action."""
    return _core.hash_tagged(RANDOM_TAG, block_seed + tx_id + index.to_bytes(4, "big"))


def check_authority(state: StateView, tx: _core.SignedTransaction, params: ChainParameters) -> None:
    """Do the transaction's signing keys satisfy its declared authorizations on ``state``?

    Admission asks it against the committed head, execution again on the state the
    transaction actually runs on; any checker error becomes ``tx.unauthorized`` with the
    checker's own code kept at the start of the message. Verdicts come from the node's
    memo when every state value the check read is unchanged (:mod:`tonomy.chain.authcache`).
    """
    _check_declared_authority(state, tx, declared_actions(tx), params)


def _check_declared_authority(state: StateView, tx: _core.SignedTransaction, declared: DeclaredActions, params: ChainParameters) -> None:
    """:func:`check_authority` of ``tx`` whose :func:`declared_actions` are ``declared``."""
    # Only a transaction whose first action is evidence can be evidence only (cheap to rule out).
    maybe_evidence = not declared or declared[0][:2] == (SYSTEM_PLUGIN, "evidence")
    if maybe_evidence and is_evidence_only(tx):
        return  # evidence proves itself (tonomy.chain.evidence); its signature is a wire formality
    VERDICTS.check(
        state,
        declared,
        [signature.public_key for signature in tx.signatures],
        max_depth=params.max_auth_depth,
        max_evaluations=params.max_auth_evaluations,
    )


def declared_actions(tx: _core.SignedTransaction) -> DeclaredActions:
    """Each action's plugin, name and ``(actor, permission)`` levels, as the wire has them.

    Remembered by transaction id: admission and execution (and every validator's
    execution) read the same transaction, and the id hashes the whole body these come
    from, chain id included (the signatures are not part of the answer).
    """
    return _body_of(tx, tx.id)[0]


def _body_of(tx: _core.SignedTransaction, tx_id: bytes) -> _Body:
    """What execution reads from ``tx``'s body (id ``tx_id``): its declared actions, its
    op limit and each action's data (None when the data is too large to remember).
    A pure function of the id (it hashes the whole body); reading the core's body
    objects costs more than the lookup."""
    known = _DECLARED.get(tx_id)
    if known is None:
        body = tx.body
        actions = body.actions
        declared = tuple(
            [
                (action.plugin, action.name, tuple([(level.actor, level.permission) for level in action.authorization]))
                for action in actions
            ]
        )
        datas = tuple([action.data for action in actions])
        known = (declared, body.max_ops, datas if sum(map(len, datas)) <= _MAX_REMEMBERED_DATA else None)
        if len(_DECLARED) >= DECLARED_MAX:
            _DECLARED.clear()
        _DECLARED[tx_id] = known
    return known


#: Declared actions, op limit and action data by transaction id (node-local, bounded:
#: emptied when full). Sized for the transactions between admission and execution at
#: a few thousand per second.
DECLARED_MAX = 16_384
_MAX_REMEMBERED_DATA = 1024
_Body: TypeAlias = tuple[DeclaredActions, int, "tuple[bytes, ...] | None"]
_DECLARED: dict[bytes, _Body] = {}


def declared_authorizations(tx: _core.SignedTransaction) -> list[ActionAuthorization]:
    """The checker's view of a transaction's actions; names the chain cannot hold are refused."""
    return action_authorizations(declared_actions(tx))


@dataclass(slots=True)
class _TransactionRun:
    """What is in flight while one transaction executes."""

    overlay: WriteOverlay
    meter: Meter
    events: list[Event]
    block: BlockInfo
    params: ChainParameters
    # The plugins whose handlers are running, innermost last: privileged operations
    # trust this, never the plugin name a context object claims.
    running: list[str] = field(default_factory=list)


def run_migration(overlay: WriteOverlay, block: BlockInfo, params: ChainParameters, record: PluginRecord, from_version: str | None, seed: bytes) -> None:
    """Run ``record``'s ``tonomy_migrate_state`` on its own namespace (no calls, no other state)."""
    if record.migrate is None:
        return
    limits = params.resource_limits()
    meter = Meter(replace(limits, max_state_ops=params.max_migration_ops, max_bytes_written=params.max_migration_ops * 64))
    ctx = ActionContext(
        plugin=record.name,
        action="migrate",
        authorization=(),
        block=block,
        state=NamespacedState(overlay, record.name, meter),
        random=DeterministicRandom(_core.hash_tagged(MIGRATION_TAG, seed + record.name.encode("ascii"))),
        meter=meter,
        dispatcher=lifecycle.MigrationDispatcher(overlay, meter),
    )
    record.migrate(from_version=from_version, to_version=record.version, ctx=ctx)


class ExecutionEngine:
    """Dispatches actions to plugin handlers; implements the context's ``Dispatcher``."""

    def __init__(self, registry: Registry, disabled: frozenset[str] = frozenset()) -> None:
        """``registry``: the plugins that run, each at the version state demands now;
        ``disabled``: plugins governance disabled (their actions and queries are refused)."""
        if SYSTEM_PLUGIN in registry:
            raise PluginConflictError(
                f"a plugin registered the name {SYSTEM_PLUGIN!r}, which is the chain's own system plugin",
                plugin=SYSTEM_PLUGIN,
            )
        self._registry = registry
        self._disabled = disabled
        self._run: _TransactionRun | None = None
        self._memo = EngineMemo(registry)
        self._checked = CheckedActions()

    @property
    def registry(self) -> Registry:
        return self._registry

    # -- action data -------------------------------------------------------------------

    def decode_action(self, plugin: str, name: str, data: bytes) -> dict[str, Any]:
        """Decode and check one action's data; raises a ``tx.*`` error naming the action.

        Remembered per engine by the data's bytes (:mod:`tonomy.chain.actionmemo`): admission
        and execution check the same bytes under the same plugin set.
        """
        return self._checked.decode(plugin, name, data, self._decode_action)

    def _decode_action(self, plugin: str, name: str, data: bytes) -> dict[str, Any]:
        what = f"{plugin}.{name}"
        if plugin == SYSTEM_PLUGIN:
            system = SYSTEM_ACTIONS.get(name)
            if system is None:
                raise UnknownActionError(f"the system plugin has no action {name!r} (it has: {', '.join(sorted(SYSTEM_ACTIONS))})")
            validate = system.validate
        else:
            self._refuse_disabled(plugin)
            if plugin not in self._registry:
                loaded = ", ".join(record.name for record in self._registry.plugins) or "none"
                raise UnknownPluginError(f"{what}: no plugin named {plugin!r} runs on this chain (plugins: {SYSTEM_PLUGIN}, {loaded})")
            try:
                spec = self._registry.action(plugin, name)
            except KeyError as exc:
                raise UnknownActionError(f"{what}: {exc.args[0]}") from None
            validate = spec.schema.validate
        try:
            record = codec.decode(data)
        except TonomyError as exc:
            raise InvalidActionDataError(f"{what}: the data is not a canonical record: {exc.message}") from None
        if not isinstance(record, dict):
            raise InvalidActionDataError(f"{what}: the data must be a record (an object), got {type(record).__name__}")
        try:
            validate(record)
        except InvalidActionDataError as exc:
            raise InvalidActionDataError(f"{what}: {exc.message}") from None
        except InvalidInputError as exc:
            raise InvalidActionDataError(f"{what}: {exc.message}") from None
        return record

    def _refuse_disabled(self, plugin: str) -> None:
        if plugin in self._disabled:
            raise PluginDisabledError(f"the plugin {plugin!r} was disabled by governance: its actions and queries are refused")

    # -- transactions ------------------------------------------------------------------

    def execute_transaction(
        self,
        overlay: WriteOverlay,
        tx: _core.SignedTransaction,
        *,
        block: BlockInfo,
        params: ChainParameters,
        block_seed: bytes,
        index: int,
        tx_id: bytes | None = None,
    ) -> Receipt:
        """Run one transaction all-or-nothing and return its receipt (never raises for the tx's own faults).

        ``tx_id``: ``tx.id`` if the caller has it already (reading it hashes the body).
        """
        if tx_id is None:
            tx_id = tx.id
        declared, max_ops, datas = _body_of(tx, tx_id)
        if datas is None:
            datas = tuple([action.data for action in tx.body.actions])
        meter = Meter(self._memo.limits(params, max_ops))
        run = _TransactionRun(overlay, meter, [], block, params, [])
        native = overlay.native
        native.checkpoint()
        self._run = run
        try:
            _check_declared_authority(overlay, tx, declared, params)
            level = self._memo.level
            decode = self._checked.decode
            decode_action = self._decode_action
            # The names and levels as declared (read from the core's objects once, remembered).
            for action_index, (raw, (plugin, name, pairs)) in enumerate(zip(datas, declared, strict=True)):
                data = decode(plugin, name, raw, decode_action)
                levels = tuple([level(actor, permission) for actor, permission in pairs])
                random = DeterministicRandom.deferred(action_seed, block_seed, tx_id, action_index)
                self._run_action(plugin, name, data, levels, random, 0)
        except NODE_LOCAL_FAULTS:
            # The node, not the transaction, failed (disk, a bug of ours): recording it in
            # a receipt would make this node diverge. The block is abandoned instead.
            native.rollback()
            raise
        except TonomyError as exc:
            native.rollback()
            return self._receipt(tx_id, block, index, run, exc.code, exc.message)
        except Exception as exc:  # a handler bug must not stop the chain; its cause is recorded
            native.rollback()
            crash = HandlerCrashedError(f"a handler raised {type(exc).__name__}: {exc}")
            return self._receipt(tx_id, block, index, run, crash.code, crash.message)
        finally:
            self._run = None
        native.release()
        return new_receipt(tx_id, block.height, index, EXECUTED, None, None, tuple(run.events), meter.state_ops, meter.bytes_written)

    @staticmethod
    def _receipt(tx_id: bytes, block: BlockInfo, index: int, run: _TransactionRun, code: str | None, message: str | None) -> Receipt:
        # Positional: one receipt per transaction, and keywords cost a third more.
        return new_receipt(
            tx_id,
            block.height,
            index,
            EXECUTED if code is None else FAILED,
            code,
            message,
            tuple(run.events) if code is None else (),
            run.meter.state_ops,
            run.meter.bytes_written,
        )

    def _run_action(
        self,
        plugin: str,
        name: str,
        data: dict[str, Any],
        authorization: tuple[PermissionLevel, ...],
        random: DeterministicRandom,
        depth: int,
    ) -> None:
        run = self._run
        if run is None:
            raise InternalError("no transaction is executing")
        running = run.running
        if plugin == SYSTEM_PLUGIN:
            system = SYSTEM_ACTIONS[name]
            caller = running[-1] if running else None
            system.handler(SystemCall(MeteredState(run.overlay, run.meter), authorization, run.block.height, caller), data)
            return
        spec = self._memo.action(plugin, name)
        meter = run.meter
        overlay = run.overlay
        # Most plugins are not apps: no capability record, not loaded as an app. That is
        # answered by one read of the record's key; anything else takes the full path.
        memo = self._memo
        capability_key = memo.capability_key(run.params.app_registry_plugin, plugin)
        state: PluginStateView
        if not memo.loaded_as_app(plugin) and (capability_key is None or overlay.native.get(capability_key) is None):
            state = CoreNamespacedState(overlay, memo.prefix(plugin), meter)
        else:
            state = _plugin_state(overlay, plugin, meter, self._app_window(overlay, run, plugin))
        # Positional (plugin, action, authorization, block, state, random, meter, dispatcher,
        # events, depth, caller): one context per action, and keywords cost more.
        ctx = ActionContext(plugin, name, authorization, run.block, state, random, meter, self, run.events, depth, running[-1] if running else None)
        running.append(plugin)
        try:
            spec.handler(ctx, data)
        finally:
            running.pop()

    def _app_window(self, view: StateView, run: _TransactionRun, plugin: str) -> Window | None:
        """The capability window an app runs in now; None for a plugin that is not an app.

        Read from state at every dispatch (unmetered: the engine's own bookkeeping), so
        an approval or a revocation takes effect at exactly the height it names.
        """
        loaded_as_app = self._memo.loaded_as_app(plugin)
        caps = read_capabilities(view, run.params.app_registry_plugin, plugin, loaded_as_app=loaded_as_app)
        return None if caps is None else caps.window_at(run.block.height)

    def _check_reach(self, run: _TransactionRun, kind: str, plugin: str, name: str) -> None:
        """The running plugin, if it is an app, may reach ``plugin.name`` only if its manifest lists it."""
        caller = run.running[-1] if run.running else None
        if caller is None:
            return
        window = self._app_window(run.overlay, run, caller)
        if window is not None:
            check_reach(window, caller, kind, plugin, name)

    def _current(self) -> _TransactionRun:
        if self._run is None:
            raise InternalError("no transaction is executing")
        return self._run

    # -- Dispatcher ----------------------------------------------------------------------

    def call_action(
        self,
        caller: ActionContext,
        plugin: str,
        name: str,
        data: Mapping[str, Any],
        authorization: Sequence[PermissionLevel],
    ) -> None:
        """A cross-plugin call: checked like a transaction's action, in its own checkpoint."""
        run = self._current()
        if not isinstance(data, Mapping):
            raise InvalidActionDataError(f"{plugin}.{name}: call data must be a mapping")
        self._check_reach(run, "calls", plugin, name)
        record = self.decode_action(plugin, name, codec.encode(dict(data)))
        levels = tuple(authorization)
        self._check_links(run.overlay, plugin, name, levels)
        events_before = len(run.events)
        run.overlay.checkpoint()
        try:
            self._run_action(plugin, name, record, levels, caller.random, caller.depth + 1)
        except BaseException:
            run.overlay.rollback()
            del run.events[events_before:]
            raise
        run.overlay.release()

    @staticmethod
    def _check_links(state: StateView, plugin: str, name: str, levels: tuple[PermissionLevel, ...]) -> None:
        """A carried authorization must also be enough for the callee (its links), as in a transaction.

        Without this, a low permission linked to one action could reach any other action
        through a call. The tree operations check their own requirement when they run.
        """
        if plugin == SYSTEM_PLUGIN and name in AUTH_ACTIONS:
            return
        for level in levels:
            required = PermissionLevel(level.actor, required_permission(state, level.actor, plugin, name))
            check_permission_requirement(state, level, required)

    def plugin_authority_call(
        self,
        caller: ActionContext,
        plugin: str,
        name: str,
        data: Mapping[str, Any],
        authorization: Sequence[PermissionLevel],
    ) -> None:
        """A call whose extra authorizations the running plugin satisfies by its authority level.

        A level the caller does not carry must be satisfied by ``tonomy.code@<running>``
        alone: no keys, no delay. So a plugin acts for an account only where the account
        listed the plugin in that permission's authority with enough weight.
        """
        run = self._current()
        running = run.running[-1] if run.running else None
        if running is None or caller.plugin != running:
            raise MissingAuthorizationError(f"only the running plugin may use its own authority (running: {running!r})")
        levels = tuple(authorization)
        if not all(isinstance(level, PermissionLevel) for level in levels):
            raise InvalidInputError("authorizations are PermissionLevel values")
        checker = AuthorityChecker(
            MeteredState(run.overlay, run.meter),
            (),
            max_depth=run.params.max_auth_depth,
            max_evaluations=run.params.max_auth_evaluations,
            provided_levels=(plugin_authority_level(running),),
        )
        for level in levels:
            if level in caller.authorization:
                continue
            if not checker.evaluate(level).satisfied:
                raise InsufficientAuthorityError(
                    f"{level} does not grant the plugin {running!r} its authority "
                    f"(its authority must list {plugin_authority_level(running)} with enough weight)"
                )
        self.call_action(caller, plugin, name, data, levels)

    def call_query(self, caller: ActionContext, plugin: str, name: str, params: Mapping[str, Any]) -> object:
        run = self._current()
        self._check_reach(run, "queries", plugin, name)
        return self._query(run.overlay, run.meter, run.block, plugin, name, params)

    def account_exists(self, name: str) -> bool:
        run = self._run
        if run is None:
            raise InternalError("no transaction is executing")
        run.meter.charge_op()
        return self._memo.account_exists(run.overlay, name)

    # -- parameters and the governance privilege --------------------------------------------

    def _parameter_spec(self, plugin: str, name: str) -> Any:
        if plugin == SYSTEM_PLUGIN:
            for spec in SYSTEM_PARAMETERS:
                if spec.name == name:
                    return spec
            raise InvalidInputError(f"the system plugin has no parameter {name!r}")
        if plugin not in self._registry:
            raise InvalidInputError(f"no plugin named {plugin!r} runs on this chain")
        try:
            return self._registry.parameter(plugin, name)
        except KeyError as exc:
            raise InvalidInputError(str(exc.args[0])) from None

    def read_parameter(self, caller: ActionContext, plugin: str, name: str) -> Any:
        run = self._run
        if run is None:
            raise InternalError("no transaction is executing")
        key = self._memo.parameter_key(plugin, name, self._parameter_spec)
        run.meter.charge_op()
        native = run.overlay.native
        value = native.get_record(key)  # read and decoded in one call
        if value is None and native.get(key) is None:  # a stored null is a value, not a missing key
            raise InternalError(f"the parameter {plugin}.{name} is missing from state (was genesis applied?)")
        return value

    def _require_governance(self, caller: ActionContext, what: str) -> None:
        run = self._current()
        running = run.running[-1] if run.running else None
        run.meter.charge_op()
        governor = read_parameter(run.overlay, SYSTEM_PLUGIN, GOVERNANCE_PLUGIN)
        if not governor or running != governor or caller.plugin != governor:
            holder = f"the plugin {governor!r}" if governor else "no plugin (this chain has no governance plugin)"
            raise MissingAuthorizationError(f"only the governance plugin may {what}; {running!r} is not it (it is {holder})")

    def write_parameter(self, caller: ActionContext, plugin: str, name: str, value: Any) -> Any:
        """Governance only: validate ``value`` by its owner's spec and store it; returns the old value."""
        self._require_governance(caller, f"change the parameter {plugin}.{name}")
        run = self._current()
        spec = self._parameter_spec(plugin, name)
        spec.validate(value)
        if plugin == SYSTEM_PLUGIN and name == GOVERNANCE_PLUGIN and value not in self._registry:
            raise InvalidInputError(f"{SYSTEM_PLUGIN}.{GOVERNANCE_PLUGIN} must name a plugin this chain runs, got {value!r}")
        state = MeteredState(run.overlay, run.meter)
        old = read_parameter(state, plugin, name)
        state.put(parameter_key(plugin, name), codec.encode(value))
        return old

    def system_call(self, caller: ActionContext, plugin: str, name: str, data: Mapping[str, Any], permission: str) -> None:
        """Governance only: ``plugin.name`` carrying the system account's ``permission``."""
        self._require_governance(caller, f"act as the system account ({plugin}.{name})")
        if type(permission) is not str:
            raise InvalidInputError("a permission name is a str")
        self.call_action(caller, plugin, name, data, (PermissionLevel(SYSTEM_PLUGIN, permission),))

    def schedule_plugin_change(self, caller: ActionContext, op: str, plugin: str, version: str, height: int) -> None:
        """Governance only: schedule a plugin activation, upgrade, disable or cancel (``lifecycle.schedule``)."""
        self._require_governance(caller, f"change the plugin {plugin!r}")
        run = self._current()
        state = MeteredState(run.overlay, run.meter)
        lifecycle.schedule(
            state,
            lifecycle.PluginChange(op, plugin, version, height),
            current_height=run.block.height,
            min_delay=run.params.plugin_change_min_delay,
            governance_plugin=read_parameter(state, SYSTEM_PLUGIN, GOVERNANCE_PLUGIN),
        )

    def voting_strategies(self) -> Mapping[str, Any]:
        return {f"{plugin}.{spec.name}": spec for plugin, spec in self._registry.voting_strategies()}

    # -- queries ---------------------------------------------------------------------------

    def query(self, overlay: WriteOverlay, block: BlockInfo, params: ChainParameters, plugin: str, name: str, args: Mapping[str, Any]) -> object:
        """Answer a plugin's query against ``overlay`` (read-only), metered by the transaction limits."""
        meter = Meter(params.resource_limits())
        previous, self._run = self._run, _TransactionRun(overlay, meter, [], block, params)
        try:
            return self._query(overlay, meter, block, plugin, name, args)
        finally:
            self._run = previous

    def _query(self, overlay: WriteOverlay, meter: Meter, block: BlockInfo, plugin: str, name: str, args: Mapping[str, Any]) -> object:
        if not isinstance(args, Mapping):
            raise InvalidInputError(f"query parameters are a mapping, got {type(args).__name__}")
        if plugin == SYSTEM_PLUGIN:
            system = SYSTEM_QUERIES.get(name)
            if system is None:
                raise UnknownQueryError(f"the system plugin has no query {name!r} (it has: {', '.join(sorted(SYSTEM_QUERIES))})")
            try:
                return system(MeteredState(ReadOnlyState(overlay), meter), args)
            except InvalidActionDataError as exc:
                raise InvalidInputError(exc.message) from None
        self._refuse_disabled(plugin)
        if plugin not in self._registry:
            raise UnknownQueryError(f"no plugin named {plugin!r} runs on this chain")
        try:
            spec = self._registry.query(plugin, name)
        except KeyError as exc:
            raise UnknownQueryError(str(exc.args[0])) from None
        spec.schema.validate(args)
        run = self._current()
        window = self._app_window(overlay, run, plugin)
        ctx = ActionContext(
            plugin=plugin,
            action=name,
            authorization=(),
            block=block,
            state=_plugin_state(ReadOnlyState(overlay), plugin, meter, window),
            random=DeterministicRandom(bytes(32)),
            meter=meter,
            dispatcher=self,
        )
        # The query's plugin is the one running while it answers: a query of an app
        # asking further queries is held to the app's manifest like its actions.
        run.running.append(plugin)
        try:
            return spec.handler(ctx, dict(args))
        finally:
            run.running.pop()


def _plugin_state(view: StateView, plugin: str, meter: Meter, window: Window | None) -> NamespacedState:
    """A first-party plugin's namespace, or an app's namespace bounded by its manifest."""
    return NamespacedState(view, plugin, meter) if window is None else AppState(view, plugin, meter, window)


__all__ = ["ExecutionEngine", "action_seed", "declared_authorizations", "run_migration"]
