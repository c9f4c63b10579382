"""The static check every app package passes at install and again at load.

An app runs on every validator, so its code must be deterministic and contained: no
operating system, files, sockets, subprocesses, threads, clocks, unseeded randomness,
native code, dynamic imports or code evaluation. Python cannot sandbox itself at run
time, so the check is static and **deny by default**:

* imports: only an allow list of pure standard modules, names from ``tonomy.plugin``
  that handlers need, and relative imports that stay inside the package;
* names: no builtin that reaches outside or breaks determinism (``open``, ``eval``,
  ``exec``, ``compile``, ``__import__``, ``getattr`` and friends, ``globals``, ``vars``,
  ``hash``, ``id``, ``input``, ``breakpoint``, ``float``) and no dunder name at all
  (``__builtins__``, ``__loader__``, ...);
* attributes: none starting with ``_`` (``__class__``, ``__globals__``,
  ``__subclasses__``, a context's private fields), no frame or code objects
  (``gi_frame``, ``f_globals``, ``tb_frame``, ...), no ``format``/``format_map``
  (attribute walks inside format strings), not the context's ``dispatcher``;
* no float literals (consensus has no floats), only ``.py`` files, no byte code.

``getattr`` is refused because it turns any string into an attribute access; with it
refused, and every ``_`` attribute refused, the usual escapes (``().__class__.__base__
.__subclasses__()``, ``f.__globals__["__builtins__"]``, generator frames) have no
spelling left. Every finding names the file and the line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tonomy.errors import AppRefusedError

#: Standard modules an app may import (pure, deterministic, no I/O).
ALLOWED_MODULES = frozenset(
    {
        "__future__",
        "abc",
        "bisect",
        "collections",
        "collections.abc",
        "dataclasses",
        "enum",
        "functools",
        "heapq",
        "itertools",
        "re",
        "typing",
    }
)

#: What an app may take from the plugin API: specs, the marker and handler helpers.
ALLOWED_PLUGIN_NAMES = frozenset(
    {
        "ActionContext",
        "ActionSpec",
        "Field",
        "ParameterSpec",
        "PermissionLevel",
        "PluginInfo",
        "QuerySpec",
        "RecordSchema",
        "VotingPower",
        "VotingStrategySpec",
        "decode_record",
        "ed25519_verify",
        "encode_record",
        "hash_plain",
        "hash_tagged",
        "hookimpl",
    }
)

#: Builtins that reach outside the process's determinism or the static check itself.
FORBIDDEN_BUILTINS = frozenset(
    {
        "breakpoint",
        "compile",
        "complex",
        "delattr",
        "dir",
        "eval",
        "exec",
        "exit",
        "float",
        "getattr",
        "globals",
        "hasattr",
        "hash",
        "help",
        "id",
        "input",
        "locals",
        "memoryview",
        "open",
        "print",
        "quit",
        "setattr",
        "vars",
    }
)

#: Names that evaluate strings as code or walk attributes named by strings, wherever
#: they come from (typing evaluates string annotations; attrgetter is getattr).
FORBIDDEN_NAMES = frozenset(
    {"ForwardRef", "Formatter", "asdict", "astuple", "attrgetter", "evaluate", "get_type_hints", "methodcaller", "vformat"}
)

#: The execution context's own fields: an app may read ``ctx.state``, ``ctx.height``... but
#: never rebind one (``ctx.plugin = "pay"`` would sign its events with another name,
#: ``ctx.meter = ...`` or ``ctx.depth = ...`` would lift its limits).
CONTEXT_FIELDS = frozenset({"action", "authorization", "block", "depth", "dispatcher", "events", "meter", "plugin", "random", "state"})

#: Attribute names without a leading underscore that still expose frames, code or globals.
FORBIDDEN_ATTRIBUTES = frozenset(
    {
        "ag_frame",
        "cr_frame",
        "dispatcher",
        "events",
        "f_back",
        "f_builtins",
        "f_code",
        "f_globals",
        "f_locals",
        "format",
        "format_map",
        "func_globals",
        "gi_code",
        "gi_frame",
        "gi_yieldfrom",
        "meter",
        "mro",
        "tb_frame",
        "tb_next",
    }
)

#: Well-known modules, named in messages so a refusal says *why* plainly.
_DANGEROUS = {
    "os": "the operating system",
    "sys": "the interpreter",
    "socket": "the network",
    "subprocess": "processes",
    "threading": "threads",
    "multiprocessing": "processes",
    "asyncio": "an event loop",
    "time": "the wall clock",
    "datetime": "the wall clock",
    "random": "unseeded randomness",
    "secrets": "unseeded randomness",
    "uuid": "unseeded randomness",
    "ctypes": "native code",
    "cffi": "native code",
    "importlib": "dynamic imports",
    "builtins": "the builtins",
    "pathlib": "files",
    "shutil": "files",
    "io": "files",
    "pickle": "code execution",
    "marshal": "code execution",
    "inspect": "frames",
    "gc": "every object",
    "signal": "the process",
}

MAX_SOURCE_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason to refuse a package: the file (relative to the package root), the line, why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, depth: int) -> None:
        self.path = path
        self.depth = depth  # how many package levels a relative import may climb
        self.findings: list[Finding] = []

    def refuse(self, node: ast.AST, message: str) -> None:
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), message))

    def _module(self, node: ast.AST, name: str) -> None:
        if name in ALLOWED_MODULES:
            return
        root = name.split(".")[0]
        if root == "tonomy":
            self.refuse(node, f"imports {name!r}: apps use only 'from tonomy.plugin import ...'")
        elif root in _DANGEROUS:
            self.refuse(node, f"imports the forbidden module {name!r} ({_DANGEROUS[root]})")
        else:
            self.refuse(node, f"imports the module {name!r}, which apps may not use (allowed: {', '.join(sorted(ALLOWED_MODULES))})")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(node, alias.name)
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            if node.level > self.depth:
                self.refuse(node, "a relative import climbs out of the app's package")
            for alias in node.names:
                if alias.name == "*":
                    self.refuse(node, "'import *' hides what a module takes")
            self.generic_visit(node)
            return
        module = node.module or ""
        if module == "tonomy.plugin":
            for alias in node.names:
                if alias.name not in ALLOWED_PLUGIN_NAMES:
                    self.refuse(node, f"takes {alias.name!r} from tonomy.plugin; apps may take: {', '.join(sorted(ALLOWED_PLUGIN_NAMES))}")
            self.generic_visit(node)
            return
        self._module(node, module)
        for alias in node.names:
            if alias.name == "*":
                self.refuse(node, "'import *' hides what a module takes")
        self.generic_visit(node)

    def visit_alias(self, node: ast.alias) -> None:
        if node.name in FORBIDDEN_NAMES or (node.asname or "").startswith("__"):
            self.refuse(node, f"imports the name {node.name!r}, which apps may not use")

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_BUILTINS or node.id in FORBIDDEN_NAMES:
            self.refuse(node, f"uses the builtin {node.id!r}, which apps may not use")
        elif node.id.startswith("__") and not (node.id == "__all__" and isinstance(node.ctx, ast.Store)):
            self.refuse(node, f"uses the name {node.id!r} (dunder names reach the interpreter)")

    def _attribute_name(self, node: ast.AST, name: str) -> None:
        if name.startswith("_"):
            self.refuse(node, f"accesses the attribute {name!r} (attributes starting with '_' are off limits)")
        elif name in FORBIDDEN_ATTRIBUTES or name in FORBIDDEN_NAMES:
            self.refuse(node, f"accesses the attribute {name!r}, which apps may not use")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._attribute_name(node, node.attr)
        if not isinstance(node.ctx, ast.Load) and node.attr in CONTEXT_FIELDS:
            self.refuse(node, f"rebinds the attribute {node.attr!r} (a context's fields are read-only for apps)")
        self.generic_visit(node)

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for name in node.kwd_attrs:  # case C(attr=...) reads attributes by name
            self._attribute_name(node, name)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        # super(T, obj) reaches a base class's method on any object (past a subclass's checks)
        if isinstance(node.func, ast.Name) and node.func.id == "super" and (node.args or node.keywords):
            self.refuse(node, "super() with arguments (only the plain super() of a method is allowed)")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, (float, complex)):
            self.refuse(node, "a float literal (consensus has no floats: use integers)")

    def visit_Global(self, node: ast.Global) -> None:
        self.refuse(node, "'global' lets a handler keep state between transactions")

    def visit_Await(self, node: ast.Await) -> None:
        self.refuse(node, "await: handlers are synchronous")


def scan_source(source: bytes, path: str, depth: int) -> list[Finding]:
    """Findings for one module's source (``depth``: its package nesting, 1 for the top package)."""
    if len(source) > MAX_SOURCE_BYTES:
        return [Finding(path, 0, f"the file is larger than {MAX_SOURCE_BYTES} bytes")]
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as exc:
        return [Finding(path, getattr(exc, "lineno", None) or 0, f"does not parse: {getattr(exc, 'msg', exc)}")]
    scanner = _Scanner(path, depth)
    scanner.visit(tree)
    return sorted(scanner.findings, key=lambda finding: (finding.line, finding.message))


def scan_files(files: Iterable[tuple[str, bytes]]) -> list[Finding]:
    """Findings for a package given as ``(relative path, content)`` pairs, in path order.

    Only ``.py`` files may be in the package's code folder; byte code, native modules
    and path hooks are refused outright (they would escape the source check).
    """
    findings: list[Finding] = []
    for path, content in sorted(files):
        if path.endswith(".py"):
            depth = path.count("/")
            findings.extend(scan_source(content, path, max(depth, 1)))
        else:
            findings.append(Finding(path, 0, "only Python source files (.py) may be in an app's code"))
    return findings


def scan_directory(root: Path) -> list[Finding]:
    """Findings for the code folder ``root`` on disk (symlinks are refused, never followed)."""
    files: list[tuple[str, bytes]] = []
    findings: list[Finding] = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            findings.append(Finding(relative, 0, "a symbolic link (refused: it could point outside the package)"))
        elif path.is_dir():
            continue
        elif path.is_file():
            files.append((relative, path.read_bytes()))
        else:
            findings.append(Finding(relative, 0, "not a regular file"))
    return findings + scan_files(files)


def refuse_if_findings(findings: list[Finding], what: str) -> None:
    """Raise ``app.refused`` listing every finding (file:line: reason), if there is any."""
    if findings:
        listed = "; ".join(str(finding) for finding in findings[:20])
        more = f" (and {len(findings) - 20} more)" if len(findings) > 20 else ""
        raise AppRefusedError(f"{what} is refused: {listed}{more}")


__all__ = [
    "ALLOWED_MODULES",
    "ALLOWED_PLUGIN_NAMES",
    "CONTEXT_FIELDS",
    "FORBIDDEN_ATTRIBUTES",
    "FORBIDDEN_BUILTINS",
    "FORBIDDEN_NAMES",
    "Finding",
    "refuse_if_findings",
    "scan_directory",
    "scan_files",
    "scan_source",
]
