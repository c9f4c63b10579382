"""build_plugin_manager: discovery, allow/block, deterministic order, and every way a plugin can fail.

Plugins here are real distributions on a temporary sys.path entry (see the
``make_dist`` fixture); every test restricts loading with ``allow`` so that
plugins installed in the environment never interfere.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tonomy.errors import PluginConflictError, PluginError, PluginLoadError
from tonomy.plugin import ActionSpec, PluginInfo, RecordSchema, TonomyPluginManager, build_plugin_manager, hookimpl
from tonomy.plugin.discovery import autoload_disabled, parse_name_list, resolve_name_list


# --- discovery and selection ----------------------------------------------------


def test_entry_point_plugins_load_with_their_actions(make_dist: Any, plugin_source: Any) -> None:
    module = make_dist("alpha", plugin_source("alpha", actions=("mint", "burn")))
    pm = build_plugin_manager(allow=["alpha"])
    record = pm.registry.plugin("alpha")
    assert record.plugin is sys.modules[module]
    assert record.entry_point == f"alpha = {module}"
    assert record.source.distribution is not None and record.source.distribution.startswith("fake-alpha-")
    assert [spec.name for spec in record.actions] == ["burn", "mint"]  # sorted by name
    assert pm.registry.action("alpha", "mint").name == "mint"
    assert pm.get_plugin("alpha") is record.plugin
    assert pm.autoloaded


def test_load_order_is_by_name_not_discovery_order(make_dist: Any, plugin_source: Any) -> None:
    # Created (and so found) in the order c, a, b.
    for name in ("charlie", "alpha", "bravo"):
        make_dist(name, plugin_source(name))
    pm = build_plugin_manager(allow=["charlie", "alpha", "bravo"])
    assert [record.name for record in pm.registry.plugins] == ["alpha", "bravo", "charlie"]
    # pluggy calls the last registered first: a hook across all plugins runs in reverse name order.
    infos = pm.hook.tonomy_plugin_info()
    assert [info.name for info in infos] == ["charlie", "bravo", "alpha"]


def test_nothing_is_loaded_when_autoload_is_off(make_dist: Any, monkeypatch: pytest.MonkeyPatch, plugin_source: Any, inline_plugin: Any) -> None:
    make_dist("alpha", plugin_source("alpha"))
    assert "alpha" in build_plugin_manager(allow=["alpha"]).registry

    off = build_plugin_manager(autoload=False, allow=["alpha"])
    assert len(off.registry) == 0 and not off.autoloaded

    monkeypatch.setenv("TONOMY_DISABLE_PLUGIN_AUTOLOAD", "1")
    from_env = build_plugin_manager(allow=["alpha"])
    assert len(from_env.registry) == 0 and not from_env.autoloaded

    # extra plugins still load: the caller asked for them explicitly
    with_extra = build_plugin_manager(extra_plugins=[inline_plugin("inline")])
    assert [r.name for r in with_extra.registry.plugins] == ["inline"]


@pytest.mark.parametrize(("value", "disabled"), [("1", True), ("yes", True), ("0", False), ("", False), ("false", False)])
def test_autoload_env_values(value: str, disabled: bool) -> None:
    assert autoload_disabled({"TONOMY_DISABLE_PLUGIN_AUTOLOAD": value}) is disabled
    assert autoload_disabled({}) is False


def test_name_lists_parse_and_explicit_wins() -> None:
    assert parse_name_list(" a, b,,c ,") == {"a", "b", "c"}
    env = {"TONOMY_PLUGINS_ALLOW": "x,y"}
    assert resolve_name_list(None, "TONOMY_PLUGINS_ALLOW", env) == frozenset({"x", "y"})
    assert resolve_name_list(["z"], "TONOMY_PLUGINS_ALLOW", env) == frozenset({"z"})
    assert resolve_name_list("p, q", "TONOMY_PLUGINS_ALLOW", env) == frozenset({"p", "q"})
    assert resolve_name_list(None, "TONOMY_PLUGINS_ALLOW", {"TONOMY_PLUGINS_ALLOW": " "}) is None


def test_allow_and_block_lists_from_arguments_and_env(make_dist: Any, monkeypatch: pytest.MonkeyPatch, plugin_source: Any) -> None:
    for name in ("alpha", "bravo"):
        make_dist(name, plugin_source(name))

    def names(pm: TonomyPluginManager) -> list[str]:
        return [r.name for r in pm.registry.plugins]

    assert names(build_plugin_manager(allow=["alpha", "bravo"])) == ["alpha", "bravo"]
    assert names(build_plugin_manager(allow=["alpha", "bravo"], block=["alpha"])) == ["bravo"]
    monkeypatch.setenv("TONOMY_PLUGINS_ALLOW", "alpha, bravo")
    assert names(build_plugin_manager()) == ["alpha", "bravo"]
    monkeypatch.setenv("TONOMY_PLUGINS_BLOCK", "bravo")
    assert names(build_plugin_manager()) == ["alpha"]
    monkeypatch.setenv("TONOMY_PLUGINS_ALLOW", "bravo")
    assert names(build_plugin_manager()) == []  # block wins over allow


def test_a_blocked_plugin_is_never_imported(make_dist: Any, plugin_source: Any) -> None:
    module = make_dist("broken", "raise RuntimeError('must not be imported')\n")
    make_dist("alpha", plugin_source("alpha"))
    pm = build_plugin_manager(allow=["alpha", "broken"], block=["broken"])
    assert [r.name for r in pm.registry.plugins] == ["alpha"]
    assert module not in sys.modules


def test_allow_list_naming_a_missing_plugin_is_an_error(make_dist: Any, plugin_source: Any) -> None:
    make_dist("alpha", plugin_source("alpha"))
    with pytest.raises(PluginLoadError, match="'alhpa'.*no installed plugin has that name") as caught:
        build_plugin_manager(allow=["alpha", "alhpa"])
    assert "alpha" in str(caught.value)  # lists what is installed


# --- broken plugins: each error names the plugin, its entry point, and a way out ---------


def _assert_names(error: PluginError, plugin: str, module: str) -> None:
    text = str(error)
    assert f"plugin {plugin!r}" in text
    assert f"entry point '{plugin} = {module}" in text
    assert error.plugin == plugin
    assert error.entry_point is not None and error.entry_point.startswith(f"{plugin} = ")


def test_import_error_names_the_plugin(make_dist: Any) -> None:
    module = make_dist("crashy", "import tonomy_no_such_dependency\n")
    with pytest.raises(PluginLoadError) as caught:
        build_plugin_manager(allow=["crashy"])
    _assert_names(caught.value, "crashy", module)
    assert "ModuleNotFoundError" in str(caught.value)
    assert "TONOMY_PLUGINS_BLOCK=crashy" in str(caught.value)
    assert caught.value.code == "plugin.load_failed"


def test_entry_point_to_missing_attribute(make_dist: Any, plugin_source: Any) -> None:
    make_dist("ghost", plugin_source("ghost"), entry_value="{module}:nothing_here")
    with pytest.raises(PluginLoadError, match="importing it failed with AttributeError"):
        build_plugin_manager(allow=["ghost"])


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("", "has no tonomy_plugin_info hook"),
        ("@hookimpl\ndef tonomy_plugin_info():\n    return None\n", "has no tonomy_plugin_info hook"),
        ("@hookimpl\ndef tonomy_plugin_info():\n    return {'name': 'bad'}\n", "returned dict, not a PluginInfo"),
        (
            "@hookimpl\ndef tonomy_plugin_info():\n    return PluginInfo(name='bad', version='', protocol_min=1, protocol_max=1)\n",
            "tonomy_plugin_info hook raised TypeError: .*version must be",
        ),
        (
            "@hookimpl\ndef tonomy_plugin_info():\n    return PluginInfo(name='other', version='1', protocol_min=1, protocol_max=1)\n",
            "names it 'other' but its entry point is named 'bad'",
        ),
    ],
)
def test_bad_plugin_info(make_dist: Any, body: str, match: str) -> None:
    module = make_dist("bad", "from tonomy.plugin import PluginInfo, hookimpl\n" + body)
    with pytest.raises(PluginLoadError, match=match) as caught:
        build_plugin_manager(allow=["bad"])
    _assert_names(caught.value, "bad", module)


def test_incompatible_protocol_range(make_dist: Any, plugin_source: Any) -> None:
    module = make_dist("future", plugin_source("future", protocol=(2, 3)))
    with pytest.raises(PluginLoadError, match="supports protocol 2..3 but this host speaks protocol 1") as caught:
        build_plugin_manager(allow=["future"])
    _assert_names(caught.value, "future", module)
    assert "Install a version of the plugin that supports protocol 1" in str(caught.value)
    # The same plugin loads on a host that speaks protocol 2.
    assert "future" in build_plugin_manager(allow=["future"], protocol=2).registry


def test_duplicate_action_in_one_plugin_is_a_conflict(make_dist: Any, plugin_source: Any) -> None:
    module = make_dist("dup", plugin_source("dup", actions=("transfer", "transfer")))
    with pytest.raises(PluginConflictError, match="registered the action 'transfer' twice") as caught:
        build_plugin_manager(allow=["dup"])
    _assert_names(caught.value, "dup", module)
    assert caught.value.code == "plugin.conflict"


def test_swallowing_the_register_error_does_not_help(make_dist: Any, plugin_source: Any) -> None:
    body = """
        @hookimpl
        def tonomy_register_queries(register):
            try:
                register("not a spec")
            except Exception:
                pass
    """
    make_dist("sly", plugin_source("sly", body=body))
    with pytest.raises(PluginLoadError, match="registered a str as query, expected a QuerySpec"):
        build_plugin_manager(allow=["sly"])


def test_same_action_name_in_two_plugins_is_fine(make_dist: Any, plugin_source: Any) -> None:
    # Transactions address actions as {plugin, name}: names are per plugin.
    make_dist("coins", plugin_source("coins", actions=("transfer",)))  # not "pay": the real Pay may be installed
    make_dist("guild", plugin_source("guild", actions=("transfer",)))  # not "dao": the real DAO plugin may be installed
    pm = build_plugin_manager(allow=["coins", "guild"])
    assert [(plugin, spec.name) for plugin, spec in pm.registry.actions()] == [("coins", "transfer"), ("guild", "transfer")]


def test_two_distributions_with_one_plugin_name(make_dist: Any, plugin_source: Any) -> None:
    make_dist("twin", plugin_source("twin"), dist_name="twin-one")
    make_dist("twin", plugin_source("twin"), dist_name="twin-two")
    with pytest.raises(PluginConflictError, match="declared by more than one installed distribution") as caught:
        build_plugin_manager(allow=["twin"])
    assert "twin-one 1.0" in str(caught.value) and "twin-two 1.0" in str(caught.value)


def test_extra_plugin_with_an_installed_plugins_name(make_dist: Any, plugin_source: Any, inline_plugin: Any) -> None:
    make_dist("alpha", plugin_source("alpha"))
    with pytest.raises(PluginConflictError, match="another plugin already has this name") as caught:
        build_plugin_manager(allow=["alpha"], extra_plugins=[inline_plugin("alpha")])
    assert "passed in extra_plugins" in str(caught.value)
    assert "entry point 'alpha = " in str(caught.value)


def test_a_hook_that_raises(make_dist: Any, plugin_source: Any) -> None:
    body = """
        @hookimpl
        def tonomy_register_parameters(register):
            raise ZeroDivisionError("oops")
    """
    module = make_dist("raiser", plugin_source("raiser", body=body))
    with pytest.raises(PluginLoadError, match="tonomy_register_parameters hook raised ZeroDivisionError: oops") as caught:
        build_plugin_manager(allow=["raiser"])
    _assert_names(caught.value, "raiser", module)
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("@hookimpl\ndef tonomy_register_action(register):\n    pass\n", "hook specs: unknown hook .tonomy_register_action."),
        ("@hookimpl\ndef tonomy_register_actions(registrar):\n    pass\n", "hook specs: .*registrar.*can not be found in the hookspec"),
        ("def tonomy_register_queries(register):\n    pass\n", "tonomy_register_queries looks like a hook but is not marked"),
    ],
)
def test_hooks_that_do_not_match_the_specs(make_dist: Any, body: str, match: str, plugin_source: Any) -> None:
    make_dist("typo", plugin_source("typo", body=body))
    with pytest.raises(PluginLoadError, match=match):
        build_plugin_manager(allow=["typo"])


def test_entry_point_at_a_class(make_dist: Any, plugin_source: Any) -> None:
    body = "class Plugin:\n    pass\n"
    make_dist("klass", plugin_source("klass", body=body), entry_value="{module}:Plugin")
    with pytest.raises(PluginLoadError, match="points at the class Plugin"):
        build_plugin_manager(allow=["klass"])


def test_an_instance_is_a_valid_plugin() -> None:
    class Notes:
        def __init__(self, name: str) -> None:
            self.name = name

        @hookimpl
        def tonomy_plugin_info(self) -> PluginInfo:
            return PluginInfo(name=self.name, version="2.0", protocol_min=1, protocol_max=1)

        @hookimpl
        def tonomy_register_actions(self, register: Any) -> None:
            register(ActionSpec("post", lambda ctx, data: None, RecordSchema()))

    pm = build_plugin_manager(autoload=False, extra_plugins=[Notes("notes_b"), Notes("notes_a")])
    assert [(p, a.name) for p, a in pm.registry.actions()] == [("notes_a", "post"), ("notes_b", "post")]
    assert pm.registry.plugin("notes_a").source.describe() == "passed in extra_plugins"


# --- the registry ---------------------------------------------------------------


def test_registry_lookups_name_what_exists(inline_plugin: Any) -> None:
    pm = build_plugin_manager(autoload=False, extra_plugins=[inline_plugin("pay", actions=("transfer",))])
    registry = pm.registry
    assert registry.plugin("pay").info.name == "pay"
    with pytest.raises(KeyError, match="no plugin named 'dao'.*loaded: pay"):
        registry.plugin("dao")
    with pytest.raises(KeyError, match="no action named 'send'.*it has: transfer"):
        registry.action("pay", "send")
    with pytest.raises(KeyError, match="no query named"):
        registry.query("pay", "balance")
    with pytest.raises(KeyError, match="no parameter named"):
        registry.parameter("pay", "fee")
    assert registry.queries() == () and registry.parameters() == ()


def test_each_build_is_independent(inline_plugin: Any) -> None:
    first = build_plugin_manager(autoload=False, extra_plugins=[inline_plugin("one")])
    second = build_plugin_manager(autoload=False)
    assert "one" in first.registry and "one" not in second.registry
    assert first is not second
