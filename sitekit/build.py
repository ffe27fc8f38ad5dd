"""`mkdocs build --strict`, run the one way the tests and the benchmarks run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sitekit.config import ROOT


def build(dest: Path, config_file: Path | None = None, strict: bool = True) -> subprocess.CompletedProcess:
    """Build the site into dest; the combined log is returned for the caller to check."""
    command = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(dest)]
    if strict:
        command.append("--strict")
    if config_file is not None:
        command += ["-f", str(config_file)]
    return subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
