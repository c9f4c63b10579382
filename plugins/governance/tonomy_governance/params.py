"""The governance plugin's own parameters: the root track and the deposit rules.

Like every parameter they change only through governance (a passed proposal with the
action ``governance.set_parameter``). A proposal copies its track's settings when it is
created, so a change never affects proposals already open.
"""

from __future__ import annotations

from tonomy.plugin import ParameterSpec

MAX_AMOUNT = 2**127 - 1
BPS = 10_000
BLOCKS = 100_000_000

PARAMETERS: tuple[ParameterSpec, ...] = (
    ParameterSpec("deposit", int, 0, "Deposit of a proposal on the root track (smallest token units).", 0, MAX_AMOUNT),
    ParameterSpec("voting_delay", int, 1, "Blocks between a proposal's creation and the start of voting (root track).", 0, BLOCKS),
    ParameterSpec("voting_period", int, 20, "Blocks during which votes are accepted (root track).", 1, BLOCKS),
    ParameterSpec("quorum_bps", int, 2000, "Turnout needed, in basis points of the total voting power (root track).", 0, BPS),
    ParameterSpec("approval_bps", int, 5000, "Share of decisive votes the winning option must exceed, in basis points (root track).", 0, BPS - 1),
    ParameterSpec("veto_bps", int, 3334, "Share of all votes that vetoes when exceeded, in basis points; 10000 disables veto (root track).", 1, BPS),
    ParameterSpec("timelock", int, 5, "Blocks between the end of voting and the earliest execution (root track).", 0, BLOCKS),
    ParameterSpec("grace", int, 50, "Blocks after the timelock during which an approved proposal may run; then it expires.", 1, BLOCKS),
    ParameterSpec("strategy", str, "governance.token", "Voting strategy of the root track once the council handed over.", 1, 130),
    ParameterSpec("voting_token_plugin", str, "pay", "Plugin whose checkpointed balances token strategies read.", 1, 64),
    ParameterSpec("voting_symbol", str, "TONO", "Token symbol the token strategies weigh.", 1, 12),
    ParameterSpec("deposit_token_plugin", str, "pay", "Plugin holding proposal deposits (its transfer/retire actions).", 1, 64),
    ParameterSpec("deposit_symbol", str, "TONO", "Token symbol of proposal deposits.", 1, 12),
    ParameterSpec("conviction_lock", int, 10, "Blocks a conviction-1 vote locks its tokens; each level doubles it.", 1, BLOCKS),
    ParameterSpec("burn_on_veto", bool, True, "Burn the deposit of a vetoed proposal (otherwise refund it)."),
    ParameterSpec("burn_without_quorum", bool, False, "Burn the deposit of a proposal that missed its quorum (otherwise refund it)."),
    ParameterSpec("max_options", int, 8, "Most options of a multiple-choice proposal.", 1, 32),
    ParameterSpec("max_actions", int, 16, "Most actions in one option.", 1, 64),
    ParameterSpec("dao_plugin", str, "dao", "Plugin whose DAOs may own tracks (its queries dao and member, its action run_proposal).", 1, 64),
)
