"""Run a snippet as a reader would: `python name.py`, in a directory of its own.

Two ways, same output: a fresh interpreter (what `make outputs` captures), or a child
forked from a process that has already imported torch (sitekit/zygote.py), which the test
suite uses so that it does not pay `import torch` for every snippet.

The interpreter is this process's own by default, or the one named by the environment
variable SNIPPET_PYTHON (the python of another torch version's environment, see
sitekit/versions.py): `make test-versions` and `make outputs TORCH=...` set it.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sitekit import hardware, versions
from sitekit.config import CACHE, ROOT
from sitekit.snippets import Snippet, clean, path_prefixes
from sitekit.versions import Build


@dataclasses.dataclass
class RunResult:
    returncode: int
    output: str


# What a python says of itself: its torch build, the vector ISA Inductor picks there, and
# where its packages live.
_PROBE = """
import json, platform, sysconfig, torch
""" + hardware.PROBE + """
print(json.dumps({"torch": torch.__version__, "cuda": torch.cuda.is_available(), "isa": isa_class,
                  "python": platform.python_version(), "paths": sysconfig.get_paths()}))
"""


@dataclasses.dataclass(frozen=True)
class Interpreter:
    """The python that runs the snippets, the torch build it has, and the CPU ISA it uses."""

    python: str
    build: Build  # build.isa: "" on the ISA the pages show, else this ISA's key
    version: str  # of Python
    prefixes: tuple[tuple[str, str], ...]
    isa: hardware.Isa
    capability: str | None = None  # ATEN_CPU_CAPABILITY set for its runs (None: as inherited)

    @property
    def is_own(self) -> bool:
        return os.path.realpath(self.python) == os.path.realpath(sys.executable)

    @property
    def env(self) -> dict[str, str]:
        return snippet_env(self.capability)


@functools.cache
def interpreter(python: str | None = None, capability: str | None = None) -> Interpreter:
    """SNIPPET_PYTHON's interpreter (default: this one), asked once what it has; with
    `capability`, as it runs with ATEN_CPU_CAPABILITY=capability (a lower ISA than the CPU's)."""
    python = os.path.abspath(python or os.environ.get("SNIPPET_PYTHON") or sys.executable)
    proc = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, env=snippet_env(capability))
    if proc.returncode:
        raise RuntimeError(f"{python} cannot import torch:\n{proc.stdout}{proc.stderr}")
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    isa = hardware.from_class(facts["isa"])
    build = Build(versions.release(facts["torch"]), "cuda" if facts["cuda"] else "cpu",
                  "" if isa.key == hardware.policy().shown.key else isa.key)
    return Interpreter(python, build, facts["python"], path_prefixes(facts["paths"]), isa, capability)


def inductor_cache(env: dict[str, str]) -> str:
    """Where runs with `env` keep Inductor's on-disk caches (shared between runs; each
    interpreter still starts with empty in-memory Dynamo caches). One per ATEN_CPU_CAPABILITY:
    torch 2.15's FX graph cache key leaves the vector ISA out, so a graph cached on AVX-512 is
    reused under ATEN_CPU_CAPABILITY=avx2 (16-wide code) and fails to compile under `default`."""
    cache = env.get("TORCHINDUCTOR_CACHE_DIR", str(CACHE / "torchinductor"))
    capability = env.get("ATEN_CPU_CAPABILITY")
    return f"{cache.rstrip(os.sep)}-{capability}" if capability and not cache.endswith(f"-{capability}") else cache


def snippet_env(capability: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if capability:
        env["ATEN_CPU_CAPABILITY"] = capability
    env.update(
        PYTHONUNBUFFERED="1",
        PYTHONHASHSEED="0",
        PYTHONIOENCODING="utf-8",
        TORCHINDUCTOR_CACHE_DIR=inductor_cache(env),
    )
    env.pop("PYTHONWARNINGS", None)
    return env


def run(snippet: Snippet, timeout: float = 900, *, fork: bool = False, python: str | None = None,
        interp: Interpreter | None = None) -> RunResult:
    """Run a snippet in a fresh temporary directory holding a copy of the script.

    stdout and stderr are merged in the order a terminal shows them (unbuffered), so
    warnings appear where a reader sees them; paths print as a reader running
    `python name.py` would see them, and files a snippet saves never collide.
    fork=True runs a forkable snippet (Snippet.forkable) in a child of the zygote.
    python: the interpreter (default: SNIPPET_PYTHON, else this one), or `interp` one of
    `interpreter()`'s answers (another ISA through ATEN_CPU_CAPABILITY, say).
    """
    interp = interp or interpreter(python)
    with tempfile.TemporaryDirectory(prefix="snippet-") as cwd:
        shutil.copyfile(snippet.path, Path(cwd) / snippet.path.name)
        if fork and snippet.forkable:
            out = Path(cwd).parent / f"{Path(cwd).name}.out"
            try:
                returncode = _zygote(interp.python, interp.capability).run(snippet.path.name, cwd, str(out), timeout)
                raw = out.read_bytes()
            finally:
                out.unlink(missing_ok=True)
        else:
            proc = subprocess.run(
                [interp.python, snippet.path.name],
                cwd=cwd,
                env=interp.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
            returncode, raw = proc.returncode, proc.stdout
        text = raw.decode("utf-8", errors="replace").replace(cwd + os.sep, "")
    return RunResult(returncode, clean(text, interp.prefixes))


class _Zygote:
    """Client of sitekit/zygote.py: one per process, started on first use."""

    def __init__(self, python: str, capability: str | None):
        # Started by file, not `-m`: another version's environment has torch but not sitekit.
        self.proc = subprocess.Popen(
            [python, str(ROOT / "sitekit" / "zygote.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=snippet_env(capability), bufsize=0,
        )
        self.pending = b""

    def _reply(self, deadline: float | None) -> dict:
        while b"\n" not in self.pending:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.proc.stdout], [], [], wait)[0]:
                raise subprocess.TimeoutExpired("snippet", wait or 0)
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"sitekit/zygote.py exited with {self.proc.wait()}")
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
def _zygote(python: str, capability: str | None = None) -> _Zygote:
    zygote = _Zygote(python, capability)
    atexit.register(zygote.close)
    return zygote
