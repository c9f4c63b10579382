"""Pay as the host sees it: conformance, hooks, registered names, and the spec in the README."""

from __future__ import annotations

import re
from pathlib import Path

import tonomy_pay
from tonomy.plugin import build_plugin_manager
from tonomy.testing import check_plugin_conformance
from tonomy_pay import errors
from tonomy_pay.parameters import ALL_PARAMETERS

README_PATH = Path(__file__).resolve().parent.parent / "README.md"

ACTIONS = [
    "cancel_request", "create_request", "create_token", "deposit", "issue", "lock",
    "pay_request", "refund_escrow", "release_escrow", "retire", "transfer", "unlock",
]
QUERIES = ["balance", "balance_at", "balances", "escrow", "locked", "native_token", "request", "supply_at", "token"]
PARAMETERS = ["max_memo_bytes", "max_tokens_per_account", "native_issuer", "native_symbol"]


def test_conformance() -> None:
    report = check_plugin_conformance(tonomy_pay)
    assert sorted(a.name for a in report.actions) == ACTIONS
    assert sorted(q.name for q in report.queries) == QUERIES
    assert sorted(p.name for p in report.parameters) == PARAMETERS
    assert list(report.cli_commands) == ["pay"]


def test_the_host_loads_it_through_its_hooks() -> None:
    pm = build_plugin_manager(autoload=False, extra_plugins=[tonomy_pay])
    [info] = pm.hook.tonomy_plugin_info()
    assert info.name == "pay"
    registry = pm.registry
    assert sorted(spec.name for plugin, spec in registry.actions() if plugin == "pay") == ACTIONS
    assert registry.parameter("pay", "max_memo_bytes").default == 256


def test_it_is_installed_under_its_entry_point() -> None:
    pm = build_plugin_manager(allow=["pay"])
    assert "pay" in pm.registry


def test_every_parameter_default_is_valid_and_bounded() -> None:
    for spec in ALL_PARAMETERS:
        spec.validate(spec.default)
        assert spec.type is bool or spec.maximum is not None


def test_readme_documents_every_action_query_parameter_and_error_code() -> None:
    readme = README_PATH.read_text(encoding="utf-8")
    for name in ACTIONS + QUERIES + PARAMETERS:
        assert f"`{name}`" in readme, name
    documented = set(re.findall(r"`pay\.([a-z_]+)`", readme))
    assert documented == set(errors.ALL_REASONS)


def test_error_reasons_are_unique_and_used() -> None:
    assert len(set(errors.ALL_REASONS)) == len(errors.ALL_REASONS)
    source = "".join(p.read_text() for p in Path(tonomy_pay.__file__).parent.glob("*.py") if p.name != "errors.py")
    for reason in errors.ALL_REASONS:
        constant = next(k for k, v in vars(errors).items() if v == reason and k.isupper())
        assert f"errors.{constant}" in source, reason
