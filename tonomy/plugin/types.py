"""What plugins hand to the host: plugin info and the specs of actions, queries, parameters.

Every spec checks itself when it is built, so a malformed spec fails inside the
plugin's own code with a message that names it, long before a block runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from tonomy.errors import InvalidInputError
from tonomy.plugin.schema import (
    Data,
    DataSchema,
    Field,
    RecordSchema,
    Scalar,
    ScalarType,
    bounds_problem,
    name_problem,
    value_problem,
)

# Handlers receive a ``tonomy.chain.context.ActionContext`` (queries a read-only one).
# It is typed ``Any`` here so that importing the plugin API never imports the chain
# core; plugins annotate ``ctx: ActionContext`` themselves. Handlers must not keep it
# past the call.
ActionHandler: TypeAlias = Callable[[Any, Data], None]
"""``handler(ctx, data)``: apply one validated action to the plugin's state."""

QueryHandler: TypeAlias = Callable[[Any, Data], object]
"""``handler(ctx, params)``: answer a read-only query from the plugin's state."""


def _is_int(value: object) -> bool:
    return type(value) is int


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """Who a plugin is, returned by its ``tonomy_plugin_info`` hook.

    ``name`` must equal the plugin's entry-point name in the ``tonomy`` group: it
    is the namespace of the plugin's actions, queries and parameters, and the name
    used in allow/block lists. The plugin works with every host protocol version
    from ``protocol_min`` to ``protocol_max`` inclusive.
    """

    name: str
    version: str
    protocol_min: int
    protocol_max: int
    description: str = ""

    def __post_init__(self) -> None:
        problem = name_problem("plugin", self.name)
        if problem is None and (not isinstance(self.version, str) or not self.version or self.version != self.version.strip()):
            problem = f"plugin {self.name!r}: version must be a non-empty str without surrounding spaces, got {self.version!r}"
        if problem is None and not (_is_int(self.protocol_min) and _is_int(self.protocol_max)):
            problem = f"plugin {self.name!r}: protocol_min and protocol_max must be ints"
        if problem is None and not 1 <= self.protocol_min <= self.protocol_max:
            problem = (
                f"plugin {self.name!r}: protocol range {self.protocol_min}..{self.protocol_max} is empty or below 1; "
                "use 1 <= protocol_min <= protocol_max"
            )
        if problem is None and not isinstance(self.description, str):
            problem = f"plugin {self.name!r}: description must be a str"
        if problem is not None:
            raise TypeError(problem)

    def supports(self, protocol: int) -> bool:
        """True when this plugin works with a host speaking ``protocol``."""
        return self.protocol_min <= protocol <= self.protocol_max

    @property
    def protocol_range(self) -> str:
        return f"{self.protocol_min}..{self.protocol_max}"


def _check_callable_spec(kind: str, name: object, handler: object, schema: object, description: object) -> None:
    problem = name_problem(kind, name)
    if problem is None and not callable(handler):
        problem = f"{kind} {name!r}: handler must be callable, got {type(handler).__name__}"
    if problem is None and not isinstance(schema, DataSchema):
        problem = f"{kind} {name!r}: schema must have a validate(data) method (use RecordSchema), got {type(schema).__name__}"
    if problem is None and not isinstance(description, str):
        problem = f"{kind} {name!r}: description must be a str"
    if problem is not None:
        raise TypeError(problem)


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One action a plugin executes: a state change carried in a transaction.

    A transaction addresses it as ``{plugin, name}``, so names only need to be
    unique within one plugin. ``schema`` checks the action's data before the
    handler ever sees it.
    """

    name: str
    handler: ActionHandler
    schema: DataSchema
    description: str = ""

    def __post_init__(self) -> None:
        _check_callable_spec("action", self.name, self.handler, self.schema, self.description)


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """One read-only query a plugin answers; other plugins depend on these, never on internals."""

    name: str
    handler: QueryHandler
    schema: DataSchema
    description: str = ""

    def __post_init__(self) -> None:
        _check_callable_spec("query", self.name, self.handler, self.schema, self.description)


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """A system parameter that governance may change, with its default at genesis.

    ``minimum``/``maximum`` bound the value of an ``int`` and the length of
    ``bytes``/``str`` (UTF-8 bytes); a ``bool`` has no bounds. The description
    is shown to voters, so it is required.
    """

    name: str
    type: ScalarType
    default: Scalar
    description: str
    minimum: int | None = None
    maximum: int | None = None

    def __post_init__(self) -> None:
        label = f"parameter {self.name!r}"
        problem = name_problem("parameter", self.name) or bounds_problem(label, self.type, self.minimum, self.maximum)
        if problem is None and (not isinstance(self.description, str) or not self.description.strip()):
            problem = f"{label}: description must be a non-empty str (voters read it)"
        if problem is None:
            problem = value_problem(f"{label} default", self.type, self.minimum, self.maximum, self.default)
        if problem is not None:
            raise TypeError(problem)

    def validate(self, value: object) -> None:
        """Raise InvalidInputError unless ``value`` may be set for this parameter."""
        problem = value_problem(f"parameter {self.name!r}", self.type, self.minimum, self.maximum, value)
        if problem is not None:
            raise InvalidInputError(problem)


@dataclass(frozen=True, slots=True)
class VotingPower:
    """What a voting strategy grants one account on one proposal.

    ``weight`` counts towards the choice the account votes for; ``turnout`` counts
    towards the quorum and is measured in the same unit as the strategy's ``total``
    (for token strategies: raw token units, whatever the weighting curve).
    """

    weight: int
    turnout: int

    def __post_init__(self) -> None:
        if not (_is_int(self.weight) and _is_int(self.turnout)) or self.weight < 0 or self.turnout < 0:
            raise InvalidInputError("voting power is two non-negative ints (weight, turnout)")


VotingPowerFunction: TypeAlias = Callable[[Any, str, Data], VotingPower]
"""``power(ctx, account, snapshot)``: an account's power from a proposal's snapshot record."""

VotingTotalFunction: TypeAlias = Callable[[Any, Data], int]
"""``total(ctx, snapshot)``: the largest possible turnout, the quorum's denominator."""


@dataclass(frozen=True, slots=True)
class VotingStrategySpec:
    """A way of turning accounts into votes, contributed through ``tonomy_voting_strategies``.

    The governance plugin takes a ``snapshot`` record when a proposal is created (the
    height to read balances at, the configuration of the track) and asks ``power``
    for each voter and ``total`` once per tally. Both are consensus-critical: they
    may only use the context they are handed (``ctx.query`` other plugins at the
    snapshot height), never the clock or unordered iteration. ``needs`` names the
    snapshot fields the strategy reads (documentation for track authors).
    """

    name: str
    power: VotingPowerFunction
    total: VotingTotalFunction
    description: str
    needs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problem = name_problem("voting strategy", self.name)
        if problem is None and not (callable(self.power) and callable(self.total)):
            problem = f"voting strategy {self.name!r}: power and total must be callable"
        if problem is None and (not isinstance(self.description, str) or not self.description.strip()):
            problem = f"voting strategy {self.name!r}: description must be a non-empty str (voters read it)"
        if problem is None and not all(isinstance(item, str) for item in self.needs):
            problem = f"voting strategy {self.name!r}: needs is a tuple of field names"
        if problem is not None:
            raise TypeError(problem)


#: The ``register`` callbacks that the ``tonomy_register_*`` hooks receive.
ActionRegistrar: TypeAlias = Callable[[ActionSpec], None]
QueryRegistrar: TypeAlias = Callable[[QuerySpec], None]
ParameterRegistrar: TypeAlias = Callable[[ParameterSpec], None]
VotingStrategyRegistrar: TypeAlias = Callable[[VotingStrategySpec], None]

__all__ = [
    "ActionHandler",
    "ActionRegistrar",
    "ActionSpec",
    "Data",
    "DataSchema",
    "Field",
    "ParameterRegistrar",
    "ParameterSpec",
    "PluginInfo",
    "QueryHandler",
    "QueryRegistrar",
    "QuerySpec",
    "RecordSchema",
    "Scalar",
    "ScalarType",
    "VotingPower",
    "VotingPowerFunction",
    "VotingStrategyRegistrar",
    "VotingStrategySpec",
    "VotingTotalFunction",
]
