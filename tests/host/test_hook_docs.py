"""Every hook in tonomy/hookspecs.py has a reference section in docs/plugins.md and a test.

"Has a section": docs/plugins.md contains a heading line ``### tonomy_<hook>``.

"Has a test": some test file under ``tests/`` or ``plugins/*/tests/`` (other than
this one) calls the hook through a plugin manager's hook relay, i.e. contains a
call ``<anything>.hook.tonomy_<hook>(...)`` inside a function named ``test_*``.

Why this check: it is static (no need to run the whole suite first, unlike a
registry filled by a marker at run time), it cannot be satisfied by a mention in
a comment, a string or a docstring (the files are parsed with ``ast``, not
grepped), and a call through ``pm.hook`` is exactly what exercises the spec: pluggy
checks the keyword arguments against the spec and runs every implementation. Calling
a plugin's function directly would test the plugin, not the hook.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

from tonomy.hookspecs import HOOK_NAMES

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs" / "plugins.md"
HEADING = re.compile(r"^###\s+(tonomy_\w+)\s*$", re.MULTILINE)


def documented_hooks(markdown: str) -> set[str]:
    return set(HEADING.findall(markdown))


def candidate_test_files(root: Path = REPO_ROOT) -> list[Path]:
    found = list((root / "tests").rglob("test_*.py")) + list(root.glob("plugins/*/tests/**/test_*.py"))
    this = Path(__file__).resolve()
    return sorted(path for path in found if path.resolve() != this)


def hooks_called_in_tests(source: str) -> set[str]:
    """Hook names called as ``X.hook.<name>(...)`` inside ``test_*`` functions of ``source``."""
    called: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not node.name.startswith("test_"):
            continue
        for inner in ast.walk(node):
            if not isinstance(inner, ast.Call) or not isinstance(inner.func, ast.Attribute):
                continue
            relay = inner.func.value
            if inner.func.attr.startswith("tonomy_") and isinstance(relay, ast.Attribute) and relay.attr == "hook":
                called.add(inner.func.attr)
    return called


def hooks_missing_docs(hooks: Iterable[str], markdown: str) -> list[str]:
    documented = documented_hooks(markdown)
    return [hook for hook in hooks if hook not in documented]


def hooks_missing_tests(hooks: Iterable[str], sources: Iterable[str]) -> list[str]:
    called: set[str] = set()
    for source in sources:
        called |= hooks_called_in_tests(source)
    return [hook for hook in hooks if hook not in called]


# --- the checks ----------------------------------------------------------------------


def test_every_hook_has_a_reference_section() -> None:
    missing = hooks_missing_docs(HOOK_NAMES, DOCS.read_text(encoding="utf-8"))
    assert not missing, f"add a '### <hook>' section to docs/plugins.md for: {', '.join(missing)}"


def test_no_section_documents_a_hook_that_does_not_exist() -> None:
    stale = sorted(documented_hooks(DOCS.read_text(encoding="utf-8")) - set(HOOK_NAMES))
    assert not stale, f"docs/plugins.md documents hooks that tonomy/hookspecs.py lacks: {', '.join(stale)}"


def test_every_hook_is_called_through_a_plugin_manager_in_a_test() -> None:
    sources = [path.read_text(encoding="utf-8") for path in candidate_test_files()]
    assert sources, "no test files found: has the layout changed?"
    missing = hooks_missing_tests(HOOK_NAMES, sources)
    assert not missing, (
        "these hooks are never called as pm.hook.<hook>(...) inside a test_* function "
        f"under tests/ or plugins/*/tests/: {', '.join(missing)}"
    )


# --- the checkers themselves can fail --------------------------------------------------


def test_docs_checker_reports_a_missing_section() -> None:
    markdown = "# Guide\n### tonomy_alpha\ntext mentioning tonomy_beta\n#### tonomy_gamma\n"
    assert hooks_missing_docs(["tonomy_alpha", "tonomy_beta", "tonomy_gamma"], markdown) == ["tonomy_beta", "tonomy_gamma"]


def test_test_checker_counts_only_real_calls_in_tests() -> None:
    counted = '''
def test_calls(pm):
    pm.hook.tonomy_alpha(register=print)
    manager().hook.tonomy_beta()
'''
    not_counted = '''
# pm.hook.tonomy_gamma(register=print)
"""pm.hook.tonomy_gamma()"""

def helper(pm):
    pm.hook.tonomy_gamma()

def test_direct(plugin, pm):
    plugin.tonomy_gamma()
    pm.tonomy_gamma()
    text = "pm.hook.tonomy_gamma()"
    getattr(pm.hook, "tonomy_gamma")
'''
    assert hooks_called_in_tests(counted) == {"tonomy_alpha", "tonomy_beta"}
    assert hooks_called_in_tests(not_counted) == set()
    assert hooks_missing_tests(["tonomy_alpha", "tonomy_gamma"], [counted, not_counted]) == ["tonomy_gamma"]


def test_this_file_is_excluded_from_the_search() -> None:
    assert Path(__file__).resolve() not in [path.resolve() for path in candidate_test_files()]
    assert any(path.name == "test_hookspecs.py" for path in candidate_test_files())
