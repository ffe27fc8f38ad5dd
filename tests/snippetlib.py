r"""Find, run and compare the site's code snippets.

A snippet is a complete script `snippets/<chapter>/<name>.py`. Its real output is captured
next to it as `<name>.out` (and `<name>.cuda.out` where a CUDA run prints something else).
What a snippet needs and which parts of its output change from run to run are declared
beside it, in `snippets/<chapter>/snippets.toml`, so the script a reader copies stays clean
(docs/about.md explains this to readers):

    ["guards.py"]
    requires = ["cuda"]                 # or "tensorflow"; skipped with a reason where missing
    volatile = ['\d+\.\d+ ms']           # regex; matches become <volatile> before comparing
    fresh_interpreter = true            # never forked in tests (see run()); default false
"""

from __future__ import annotations

import atexit
import dataclasses
import difflib
import functools
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tomllib
import tempfile
import time
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets"
DOCS = ROOT / "docs"

# Memory addresses differ in every run of every snippet.
DEFAULT_VOLATILE = (re.compile(r"0x[0-9a-fA-F]{6,}"),)
INCLUDE = re.compile(r"""--8<--\s+["']([^"':]+)(?::[^"']*)?["']""")
KNOWN_REQUIREMENTS = {"cuda", "tensorflow"}


def _path_prefixes() -> list[tuple[str, str]]:
    """Machine-specific path prefixes, shortened the same way in every captured output."""
    prefixes = {
        sysconfig.get_paths()["purelib"]: "<site-packages>",
        sysconfig.get_paths()["platlib"]: "<site-packages>",
        sysconfig.get_paths()["stdlib"]: "<python>",
        str(ROOT): "<repo>",
    }
    # Longest first, so that site-packages wins over the stdlib directory that contains it.
    return sorted(((k + os.sep, v + "/") for k, v in prefixes.items()), key=lambda kv: -len(kv[0]))


def shorten_paths(text: str) -> str:
    for prefix, short in _path_prefixes():
        text = text.replace(prefix, short)
    return text


@dataclasses.dataclass(frozen=True)
class Snippet:
    path: Path

    @property
    def rel(self) -> str:
        """Path as pages include it, e.g. 'paradigms/eager_prints.py'."""
        try:
            return self.path.relative_to(SNIPPETS).as_posix()
        except ValueError:  # a snippet outside snippets/ (the pipeline's own tests)
            return self.path.as_posix()

    @cached_property
    def meta(self) -> dict:
        table = self.path.parent / "snippets.toml"
        meta = tomllib.loads(table.read_text("utf-8")).get(self.path.name, {}) if table.exists() else {}
        unknown = set(meta) - {"requires", "volatile", "fresh_interpreter"}
        if unknown:
            raise ValueError(f"{table}: unknown key(s) {sorted(unknown)} for {self.path.name}")
        return meta

    @property
    def requires(self) -> frozenset[str]:
        found = frozenset(self.meta.get("requires", []))
        unknown = found - KNOWN_REQUIREMENTS
        if unknown:
            raise ValueError(f"{self.rel}: unknown requirement(s) {sorted(unknown)}")
        return found

    @property
    def forkable(self) -> bool:
        """Whether the test suite may run it forked from a process with torch imported
        (see run()): it imports torch, needs no TensorFlow (never loaded beside torch in a
        reader's run), and does not declare `fresh_interpreter = true` (e.g. because it
        sets an environment variable that torch reads when it is imported)."""
        return (
            sys.platform == "linux"
            and "tensorflow" not in self.requires
            and not self.meta.get("fresh_interpreter", False)
            and re.search(r"^(import torch|from torch)\b", self.path.read_text("utf-8"), re.M) is not None
        )

    @property
    def volatile(self) -> tuple[re.Pattern, ...]:
        return DEFAULT_VOLATILE + tuple(re.compile(v) for v in self.meta.get("volatile", []))

    def output_path(self, device: str = "cpu") -> Path:
        suffix = ".cuda.out" if device == "cuda" else ".out"
        return self.path.with_suffix(suffix)

    def expected_output(self, device: str) -> Path | None:
        """The captured output a run on `device` is compared with."""
        for candidate in (self.output_path(device), self.output_path("cpu")):
            if candidate.exists():
                return candidate
        return None

    def normalise(self, text: str) -> str:
        for pattern in self.volatile:
            text = pattern.sub("<volatile>", text)
        return text

    def diff(self, expected: str, actual: str) -> str:
        return "".join(
            difflib.unified_diff(
                self.normalise(expected).splitlines(keepends=True),
                self.normalise(actual).splitlines(keepends=True),
                fromfile=f"captured {self.rel}",
                tofile="this run",
            )
        )


@dataclasses.dataclass
class RunResult:
    returncode: int
    output: str


def discover() -> list[Snippet]:
    return [Snippet(p) for p in sorted(SNIPPETS.glob("*/*.py"))]


def _snippet_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONUNBUFFERED="1",
        PYTHONHASHSEED="0",
        PYTHONIOENCODING="utf-8",
        # Inductor's on-disk caches are shared between runs; each interpreter still
        # starts with empty in-memory Dynamo caches.
        TORCHINDUCTOR_CACHE_DIR=env.get("TORCHINDUCTOR_CACHE_DIR", str(ROOT / ".cache" / "torchinductor")),
    )
    env.pop("PYTHONWARNINGS", None)
    return env


def run(snippet: Snippet, timeout: float = 900, *, fork: bool = False) -> RunResult:
    """Run a snippet as a reader would (`python name.py`) in a fresh interpreter.

    stdout and stderr are merged in the order a terminal shows them (unbuffered), so
    warnings appear where a reader sees them. The working directory is a fresh temporary
    directory holding a copy of the script, so paths print as a reader running
    `python name.py` would see them and files a snippet saves never collide.

    fork=True (the test suite) runs a snippet that can be forked (Snippet.forkable) in a
    child of a process that has already imported torch (tests/snippet_zygote.py) instead
    of paying for `import torch` again; `make outputs` always starts a fresh interpreter.
    """
    with tempfile.TemporaryDirectory(prefix="snippet-") as cwd:
        shutil.copyfile(snippet.path, Path(cwd) / snippet.path.name)
        if fork and snippet.forkable:
            out = Path(cwd).parent / f"{Path(cwd).name}.out"
            try:
                returncode = _zygote().run(snippet.path.name, cwd, str(out), timeout)
                raw = out.read_bytes()
            finally:
                out.unlink(missing_ok=True)
        else:
            proc = subprocess.run(
                [sys.executable, snippet.path.name],
                cwd=cwd,
                env=_snippet_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
            returncode, raw = proc.returncode, proc.stdout
        text = raw.decode("utf-8", errors="replace").replace(cwd + os.sep, "")
    return RunResult(returncode, shorten_paths(text))


class _Zygote:
    """Client of tests/snippet_zygote.py: one per test process, started on first use."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("snippet_zygote.py"))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_snippet_env(), bufsize=0,
        )
        self.pending = b""

    def _reply(self, deadline: float | None) -> dict:
        while b"\n" not in self.pending:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.proc.stdout], [], [], wait)[0]:
                raise subprocess.TimeoutExpired("snippet", wait or 0)
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"tests/snippet_zygote.py exited with {self.proc.wait()}")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)

    def run(self, script: str, cwd: str, out: str, timeout: float) -> int:
        self.proc.stdin.write((json.dumps({"script": script, "cwd": cwd, "out": out}) + "\n").encode())
        pid = self._reply(None)["pid"]
        try:
            return self._reply(time.monotonic() + timeout)["returncode"]
        except subprocess.TimeoutExpired:
            os.killpg(pid, signal.SIGKILL)  # the snippet and whatever it started
            self._reply(None)
            raise subprocess.TimeoutExpired(script, timeout) from None

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


@functools.cache
def _zygote() -> _Zygote:
    zygote = _Zygote()
    atexit.register(zygote.close)
    return zygote


def includes_by_page() -> dict[str, set[str]]:
    """{page path relative to docs/: {included file relative to snippets/}}."""
    pages = {}
    for md in sorted(DOCS.rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        pages[md.relative_to(DOCS).as_posix()] = set(INCLUDE.findall(text))
    return pages


def pages_using(rel: str) -> list[str]:
    return [page for page, incs in includes_by_page().items() if rel in incs]


def unmet_requirements(snippet: Snippet, device: str) -> list[str]:
    missing = []
    if "cuda" in snippet.requires and device != "cuda":
        missing.append("cuda")
    if "tensorflow" in snippet.requires and not tensorflow_installed():
        missing.append("tensorflow")
    return missing


def tensorflow_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("tensorflow") is not None


def detect_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
