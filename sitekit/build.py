"""`mkdocs build --strict`, run the one way the tests and the benchmarks run it; and what the
build keeps between builds to be faster (the plugin calls keep_compiled_templates)."""

from __future__ import annotations

import hashlib
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


def keep_compiled_templates(env, directory: Path) -> None:
    """Jinja's bytecode cache for the theme's environment: a template is compiled once, and again
    only when its file changes (Jinja checks each template's source against what it compiled).
    The files are named after what the compiled code depends on besides the template (Jinja,
    Python, the environment's syntax and escaping settings), so that no other setup reads them."""
    import jinja2
    import jinja2.bccache

    settings = repr((jinja2.__version__, jinja2.bccache.bc_magic, sys.version, sorted(env.extensions),
                     env.autoescape if isinstance(env.autoescape, bool) else getattr(env.autoescape, "__qualname__", "?"),
                     env.block_start_string, env.block_end_string, env.variable_start_string,
                     env.variable_end_string, env.comment_start_string, env.comment_end_string,
                     env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
                     env.newline_sequence, env.keep_trailing_newline, env.optimized))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # a read-only checkout: compiled in every build, as without the cache
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(
        str(directory), f"{hashlib.sha256(settings.encode()).hexdigest()[:12]}-%s.cache")
