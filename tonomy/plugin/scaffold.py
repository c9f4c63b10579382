"""``tonomy plugin new NAME``: a complete plugin package whose own tests pass as generated.

The package is what docs/plugins.md describes, nothing more: a flit ``pyproject.toml``
with the ``tonomy`` entry point, a README that is the plugin's specification (actions,
state, queries, parameters, errors), one hook module with an action, a query and a
parameter, and tests built on ``tonomy.testing`` (the conformance suite, a real ledger,
hostile input, and a check that the README names everything the plugin registers).

A name must be a plugin name (``[a-z][a-z0-9_]*``, at most 40 so ``tonomy_<name>``
stays short), not a Python keyword, and not one an installed plugin, module or
distribution already uses; the files are written only into a folder that does not
exist yet, so nothing is ever overwritten.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from string import Template

from tonomy.errors import InvalidInputError, PluginConflictError
from tonomy.plugin import scaffold_files

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: Names the host itself uses for a plugin-like role (the system plugin, the host's web page).
HOST_NAMES = frozenset({"tonomy", "explorer", "system", "core", "host", "plugin", "plugins", "testing"})


@dataclass(frozen=True, slots=True)
class ScaffoldPlan:
    name: str  # the plugin (and entry-point) name
    module: str  # the import package, tonomy_<name>
    distribution: str  # the pip name, tonomy-<name with dashes>
    folder: Path

    def files(self) -> dict[Path, str]:
        values = {"name": self.name, "module": self.module, "distribution": self.distribution,
                  "title": self.name.replace("_", " ").capitalize()}
        return {Path(Template(path).substitute(values)): Template(text).substitute(values)
                for path, text in scaffold_files.FILES.items()}


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a new plugin's name (form only; see :func:`collision`)."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        return (f"{name!r} is not a plugin name: use lower-case ASCII letters, digits and underscores, "
                "starting with a letter, at most 40 characters (for example 'notes' or 'event_tickets')")
    if name.endswith("_") or "__" in name:
        return f"{name!r} cannot map to a permission name (no trailing '_' and no '__'): plugin authority would fail"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"{name!r} is a Python keyword; pick another name"
    if name in HOST_NAMES:
        return f"{name!r} is a name the host itself uses; pick another name"
    return None


def collision(name: str) -> str | None:
    """Which installed plugin, module or distribution already uses ``name``, if any."""
    module, distribution = f"tonomy_{name}", f"tonomy-{name.replace('_', '-')}"
    for entry_point in metadata.entry_points(group="tonomy"):
        if entry_point.name == name:
            owner = entry_point.dist.name if entry_point.dist is not None else "an installed distribution"
            return f"an installed plugin is already called {name!r} (entry point {entry_point.value!r} from {owner})"
    if importlib.util.find_spec(module) is not None:
        return f"a module named {module!r} is already importable here"
    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return None
    return f"a distribution named {distribution!r} is already installed"


def plan(name: str, parent: Path, folder: Path | None = None) -> ScaffoldPlan:
    """Check ``name`` and the target folder; raise a clear error before writing anything."""
    problem = name_problem(name)
    if problem is not None:
        raise InvalidInputError(problem)
    clash = collision(name)
    if clash is not None:
        raise PluginConflictError(f"{clash}; pick another name")
    target = folder if folder is not None else parent / f"tonomy-{name.replace('_', '-')}"
    if target.exists():
        raise InvalidInputError(f"{str(target)!r} already exists; nothing was written (choose another folder)")
    return ScaffoldPlan(name, f"tonomy_{name}", f"tonomy-{name.replace('_', '-')}", target)


def scaffold(name: str, parent: Path, folder: Path | None = None) -> ScaffoldPlan:
    """Write the package for plugin ``name`` into a new folder; return what was written where."""
    chosen = plan(name, parent, folder)
    for relative, text in sorted(chosen.files().items()):
        path = chosen.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return chosen


__all__ = ["NAME_PATTERN", "ScaffoldPlan", "collision", "name_problem", "plan", "scaffold"]
