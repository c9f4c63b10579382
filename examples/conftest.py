"""The example apps' tests run on the marketplace's test network (``marketnet``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "marketplace" / "tests"))
