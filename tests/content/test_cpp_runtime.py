"""The C++ programs of the site load a model that a Python snippet saved and print what
Python printed, with no Python in the process:

- chapter 3 (snippets/torchscript/): run_model.cpp loads the TorchScript model that
  save_load.py saved (`torch::jit::load`);
- chapter 6 (snippets/deploy/): run_aoti.cpp loads the AOTInductor package that aoti.py
  compiled (`torch::inductor::AOTIModelPackageLoader`).

Each chapter's build.sh (shown on its page) builds the program with CMake against the
libtorch inside the installed torch wheel. A cold build takes a minute or more on 2 cores,
so each binary is cached under .cache/cpp_runtime/<key>/, keyed by the sources, the build
script, the torch version and location, and the compiler. aoti.py compiles its package with
a C++ compiler too (tens of seconds): the package and what aoti.py printed are cached the
same way, keyed by aoti.py, torch and the compiler, so that the snippet test and this test
do not both pay for it on every run.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitekit.config import ROOT, SNIPPETS
from sitekit.runner import snippet_env
from conftest import IN_CI

CACHE = ROOT / ".cache" / "cpp_runtime"

pytestmark = pytest.mark.slow


@dataclasses.dataclass(frozen=True)
class Program:
    chapter: str  # folder under snippets/
    name: str  # the executable, built from <name>.cpp
    sources: tuple[str, ...]  # what the build depends on (part of the cache key)
    script: str  # the Python snippet that writes the model
    model: str  # the file it writes, which the program loads
    result_prefixes: tuple[str, ...]  # the lines both print
    cache_model: bool  # whether the script's run is cached (True where it compiles C++)

    @property
    def folder(self) -> Path:
        return SNIPPETS / self.chapter

    @property
    def shown_output(self) -> Path:
        return self.folder / f"{self.name}_output.txt"


TORCHSCRIPT = Program(
    "torchscript", "run_model", ("run_model.cpp", "CMakeLists.txt", "build.sh"),
    "save_load.py", "gate.pt", ("y(",), cache_model=False,
)
AOTI = Program(
    "deploy", "run_aoti", ("run_aoti.cpp", "CMakeLists.txt", "build.sh"),
    "aoti.py", "block_aoti.pt2", ("y2[", "y3["), cache_model=True,
)
PROGRAMS = {p.name: p for p in (TORCHSCRIPT, AOTI)}


def _missing_tools() -> list[str]:
    missing = [tool for tool in ("cmake",) if not shutil.which(tool)]
    if not any(shutil.which(cxx) for cxx in ("c++", "g++", "clang++")):
        missing.append("a C++ compiler (c++/g++/clang++)")
    return missing


def _skip_without_tools(what: str):
    missing = _missing_tools()
    if missing:
        reason = f"{what} needs {' and '.join(missing)} (e.g. `apt-get install g++ cmake`)"
        if IN_CI:
            pytest.fail(f"{reason}; in CI it must be installed, not skipped")
        pytest.skip(reason)


def _compiler_id() -> str:
    cxx = next(c for c in ("c++", "g++", "clang++") if shutil.which(c))
    return subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]


def _torch_id() -> str:
    import torch

    # Binaries and packages point into this torch installation, so its location is part of the key.
    return f"{torch.__version__}\0{Path(torch.__file__).parent}\0{_compiler_id()}"


def _key(folder: Path, names: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    h.update(_torch_id().encode())
    return h.hexdigest()[:16]


def _locked(path: Path):
    """pytest -n runs the tests of this module on different workers: one builds, the others wait."""
    CACHE.mkdir(parents=True, exist_ok=True)
    lock = open(path.with_name(path.name + ".lock"), "w")  # closing the file releases the lock
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def _build(program: Program, root: Path) -> Path:
    binary, stamp = root / "build" / program.name, root / "built.ok"
    if stamp.exists() and binary.exists():
        print(f"\n{program.name}: cached build {binary.relative_to(ROOT)}")
        return binary
    if root.exists():  # an interrupted build: start over
        shutil.rmtree(root)
    root.mkdir(parents=True)
    start = time.perf_counter()
    proc = subprocess.run(
        ["bash", str(program.folder / "build.sh"), str(root / "build")],
        env={**os.environ, "PYTHON": sys.executable},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    where = f"snippets/{program.chapter}/build.sh"
    assert proc.returncode == 0, f"{where} failed:\n{proc.stdout}"
    assert binary.exists(), f"{where} succeeded but {binary} is missing:\n{proc.stdout}"
    stamp.write_text(f"cold build took {time.perf_counter() - start:.1f} s\n")
    print(f"\n{program.name}: cold build in {time.perf_counter() - start:.1f} s")
    return binary


def _binary(program: Program) -> Path:
    _skip_without_tools(f"building {program.name}.cpp")
    root = CACHE / _key(program.folder, program.sources)
    with _locked(root):
        return _build(program, root)


@pytest.fixture(scope="module")
def run_model_binary() -> Path:
    return _binary(TORCHSCRIPT)


@pytest.fixture(scope="module")
def run_aoti_binary() -> Path:
    return _binary(AOTI)


def _run_script(program: Program, workdir: Path) -> str:
    """Run the snippet as a reader would, in workdir; it writes program.model there."""
    script = workdir / program.script
    shutil.copyfile(program.folder / program.script, script)
    # The snippets' environment: Inductor's on-disk cache shared with the snippet tests.
    proc = subprocess.run(
        [sys.executable, script.name], cwd=workdir, env=snippet_env(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert proc.returncode == 0, f"snippets/{program.chapter}/{program.script} failed:\n{proc.stdout}"
    assert (workdir / program.model).exists(), f"{program.script} did not write {program.model}"
    return proc.stdout


def _model(program: Program, workdir: Path) -> str:
    """program.model in workdir, and what the script printed: from a cached run where the
    script compiles C++ (aoti.py), else from a fresh run."""
    if not program.cache_model:
        return _run_script(program, workdir)
    if _missing_tools():  # AOTInductor itself needs the compiler
        _skip_without_tools(f"{program.script} (AOTInductor)")
    root = CACHE / f"{program.chapter}-{_key(program.folder, (program.script,))}"
    with _locked(root):
        stamp, printed = root / "ran.ok", root / "printed.txt"
        if not (stamp.exists() and (root / program.model).exists()):
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            start = time.perf_counter()
            printed.write_text(_run_script(program, root), "utf-8")
            stamp.write_text(f"{program.script} took {time.perf_counter() - start:.1f} s\n")
        shutil.copyfile(root / program.model, workdir / program.model)
        return printed.read_text("utf-8")


def _result_lines(program: Program, text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.startswith(program.result_prefixes)]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_cpp_program_prints_what_python_printed(name: str, request, tmp_path: Path):
    program = PROGRAMS[name]
    binary = request.getfixturevalue(f"{name}_binary")
    python_lines = _result_lines(program, _model(program, tmp_path))
    assert python_lines, f"{program.script} printed no result lines starting with {program.result_prefixes}"

    proc = subprocess.run(
        [str(binary), program.model], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.returncode == 0, f"{name} exited with {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    assert proc.stdout.splitlines() == python_lines, (
        f"C++ and Python disagree on the same model and input:\nC++:\n{proc.stdout}\nPython:\n"
        + "\n".join(python_lines)
    )
    shown = program.shown_output.read_text("utf-8")
    assert proc.stdout == shown, (
        f"the C++ output shown on the page (snippets/{program.chapter}/{program.shown_output.name}) "
        f"differs from this run:\n{proc.stdout}"
    )


@pytest.mark.parametrize(("name", "message"), [("run_model", "cannot load missing.pt"),
                                               ("run_aoti", "cannot run missing.pt")])
def test_cpp_program_reports_a_missing_model(name: str, message: str, request, tmp_path: Path):
    binary = request.getfixturevalue(f"{name}_binary")
    proc = subprocess.run([str(binary), "missing.pt"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1 and message in proc.stderr, proc.stdout + proc.stderr
