"""Test helpers for plugin authors: the shared conformance suite.

    from tonomy.testing import check_plugin_conformance
"""

from tonomy.testing.conformance import (
    ConformanceError,
    ConformanceReport,
    check_plugin_conformance,
    conformance_problems,
)

__all__ = ["ConformanceError", "ConformanceReport", "check_plugin_conformance", "conformance_problems"]
