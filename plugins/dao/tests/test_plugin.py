"""The DAO plugin as the host sees it: conformance, and the README documents every name and code."""

from __future__ import annotations

from pathlib import Path

import tonomy_dao
from tonomy.testing import check_plugin_conformance
from tonomy_dao import errors

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
ACTIONS = ["configure", "create", "create_account", "execute", "invite", "join", "leave", "propose", "remove", "run_proposal", "set_role", "vote"]
QUERIES = ["ballot", "dao", "member", "members", "members_at", "proposal"]


def test_conformance() -> None:
    report = check_plugin_conformance(tonomy_dao)
    assert sorted(a.name for a in report.actions) == ACTIONS
    assert sorted(q.name for q in report.queries) == QUERIES
    assert list(report.cli_commands) == ["dao"]
    seen: list[str] = []
    tonomy_dao.tonomy_voting_strategies(register=lambda spec: seen.append(spec.name))
    assert seen == ["members", "token"]


def test_readme_documents_every_action_query_and_code() -> None:
    for name in ACTIONS + QUERIES:
        assert f"`{name}" in README, name
    for reason in errors.ALL_REASONS:
        assert f"`{reason}`" in README, reason
    assert len(errors.ALL_REASONS) == 18
