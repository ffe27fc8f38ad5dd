"""Checks of the built site in a browser, one module per concern; each returns a list of
problems, each a line that names the page, so one run reports everything. Their
JavaScript lives in js/*.js."""

from __future__ import annotations

import functools
from pathlib import Path

_JS = Path(__file__).with_name("js")


@functools.cache
def script(name: str) -> str:
    """js/<name>.js, without its leading comment lines (page.evaluate takes an expression)."""
    lines = (_JS / f"{name}.js").read_text("utf-8").splitlines()
    while lines and lines[0].lstrip().startswith("//"):
        lines.pop(0)
    return "\n".join(lines)
