"""The static check of app code: forbidden modules, builtins and escapes are refused with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tonomy.errors import AppRefusedError
from tonomy.plugin.appscan import refuse_if_findings, scan_directory, scan_files, scan_source

REPO = Path(__file__).resolve().parents[2]

REFUSED = {
    "import os": "forbidden module 'os'",
    "import os.path as p": "forbidden module 'os.path'",
    "import sys": "forbidden module 'sys'",
    "import socket": "forbidden module 'socket'",
    "import subprocess": "forbidden module 'subprocess'",
    "import threading": "forbidden module 'threading'",
    "import time": "forbidden module 'time'",
    "from datetime import datetime": "forbidden module 'datetime'",
    "import random": "forbidden module 'random'",
    "from secrets import token_bytes": "forbidden module 'secrets'",
    "import ctypes": "forbidden module 'ctypes'",
    "import importlib": "forbidden module 'importlib'",
    "import builtins": "forbidden module 'builtins'",
    "import json": "which apps may not use",
    "import tonomy.chain.state": "apps use only",
    "from tonomy.plugin import build_plugin_manager": "takes 'build_plugin_manager'",
    "from tonomy.plugin.cli import Session": "apps use only",
    "from tonomy import plugin": "apps use only",
    "from .. import sibling": "climbs out",
    "from . import *": "import *",
    "open('x')": "builtin 'open'",
    "eval('1')": "builtin 'eval'",
    "exec('x = 1')": "builtin 'exec'",
    "compile('1', 'f', 'eval')": "builtin 'compile'",
    "__import__('os')": "'__import__'",
    "__builtins__['open']": "'__builtins__'",
    "getattr(ctx, 'state')": "builtin 'getattr'",
    "f = getattr": "builtin 'getattr'",
    "vars(ctx)": "builtin 'vars'",
    "globals()['x']": "builtin 'globals'",
    "hash('x')": "builtin 'hash'",
    "id(ctx)": "builtin 'id'",
    "x = 1.5": "float literal",
    "x = float(1)": "builtin 'float'",
    "().__class__.__base__.__subclasses__()": "'__class__'",
    "f.__globals__": "'__globals__'",
    "ctx.state._inner": "'_inner'",
    "ctx.dispatcher.registry": "'dispatcher'",
    "(x for x in ()).gi_frame.f_back": "'gi_frame'",
    "'{0.__class__}'.format(ctx)": "'format'",
    "from operator import attrgetter": "'operator'",
    "from typing import get_type_hints": "'get_type_hints'",
    "import typing\ntyping.get_type_hints(f)": "'get_type_hints'",
    "global counter": "'global'",
    "match ctx:\n    case C(__class__=k):\n        pass": "'__class__'",
    "import os as __x": "forbidden module 'os'",
    "def f(:": "does not parse",
    "super(type(ctx.state), ctx.state).items()": "super() with arguments",
    "ctx.plugin = 'pay'": "rebinds the attribute 'plugin'",
    "ctx.depth -= 10": "rebinds the attribute 'depth'",
    "del ctx.state": "rebinds the attribute 'state'",
    "ctx.events.append(x)": "'events'",
    "ctx.meter.state_ops = 0": "'meter'",
    "from dataclasses import asdict": "'asdict'",
    "import dataclasses\ndataclasses.astuple(ctx)": "'astuple'",
}


@pytest.mark.parametrize("source", sorted(REFUSED))
def test_each_escape_is_refused_with_its_line(source: str) -> None:
    code = "from __future__ import annotations\n\n" + source + "\n"
    findings = scan_source(code.encode(), "app/mod.py", depth=1)
    assert findings, source
    assert any(REFUSED[source] in finding.message for finding in findings), [str(f) for f in findings]
    assert all(finding.path == "app/mod.py" for finding in findings)
    assert findings[0].line >= 3 or "parse" in findings[0].message


def test_plain_handler_code_passes() -> None:
    code = b'''from __future__ import annotations
from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping
import re
from tonomy.plugin import ActionSpec, Field, RecordSchema, hookimpl, encode_record
from . import helpers
from .helpers import thing

@dataclass(frozen=True)
class Point:
    x: int

def handler(ctx: Any, data: Mapping[str, Any]) -> None:
    total = sum(v for v in data.values() if type(v) is int)
    ctx.state.put_record(b"k", {"total": total, "name": f"n{total}"})
    ctx.emit("done", {"n": len(re.findall("a", "aaa"))})
'''
    assert scan_source(code, "app/__init__.py", depth=1) == []


def test_non_source_files_and_messages() -> None:
    findings = scan_files([("app/__init__.py", b"import os\n"), ("app/native.so", b"\x7fELF"), ("app/__pycache__/x.pyc", b"")])
    assert [f.path for f in findings] == ["app/__init__.py", "app/__pycache__/x.pyc", "app/native.so"]
    with pytest.raises(AppRefusedError) as refused:
        refuse_if_findings(findings, "evil 1.0.0")
    assert refused.value.code == "app.refused"
    assert "app/__init__.py:1: imports the forbidden module 'os'" in str(refused.value)
    assert scan_source(b"x = 1\n" * 100_000, "big.py", 1)[0].message.startswith("the file is larger")


def test_symlinks_on_disk_are_refused(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("x = 1\n")
    (tmp_path / "link.py").symlink_to("/etc/hostname")
    findings = scan_directory(tmp_path)
    assert [(f.path, "symbolic link" in f.message) for f in findings] == [("link.py", True)]


def test_the_example_apps_pass() -> None:
    for folder in ("crowdfund/crowdfund", "poll/v1/poll", "poll/v2/poll"):
        assert scan_directory(REPO / "examples" / "apps" / folder) == []
