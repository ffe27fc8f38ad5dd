"""The C++ program of chapter 3 loads the TorchScript model that save_load.py saved and
prints what Python printed, with no Python in the process.

snippets/torchscript/build.sh (shown on docs/torchscript.md) builds run_model.cpp with CMake
against the libtorch inside the installed torch wheel. A cold build takes a minute or more
on 2 cores, so the binary is cached under .cache/cpp_runtime/<key>/, keyed by the sources,
the build script, the torch version and location, and the compiler.
"""

from __future__ import annotations

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
from conftest import IN_CI

CHAPTER = SNIPPETS / "torchscript"
SOURCES = ("run_model.cpp", "CMakeLists.txt", "build.sh")
CACHE = ROOT / ".cache" / "cpp_runtime"

pytestmark = pytest.mark.slow


def _missing_tools() -> list[str]:
    missing = [tool for tool in ("cmake",) if not shutil.which(tool)]
    if not any(shutil.which(cxx) for cxx in ("c++", "g++", "clang++")):
        missing.append("a C++ compiler (c++/g++/clang++)")
    return missing


def _compiler_id() -> str:
    cxx = next(c for c in ("c++", "g++", "clang++") if shutil.which(c))
    return subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]


def _cache_key() -> str:
    import torch

    h = hashlib.sha256()
    for name in SOURCES:
        h.update(name.encode() + b"\0" + (CHAPTER / name).read_bytes() + b"\0")
    # The binary's RPATH points into this torch installation, so its location is part of the key.
    h.update(f"{torch.__version__}\0{Path(torch.__file__).parent}\0{_compiler_id()}".encode())
    return h.hexdigest()[:16]


@pytest.fixture(scope="module")
def run_model_binary() -> Path:
    missing = _missing_tools()
    if missing:
        reason = f"building run_model.cpp needs {' and '.join(missing)} (e.g. `apt-get install g++ cmake`)"
        if IN_CI:
            pytest.fail(f"{reason}; in CI it must be installed, not skipped")
        pytest.skip(reason)
    key = _cache_key()
    CACHE.mkdir(parents=True, exist_ok=True)
    # pytest -n runs the two tests of this module on different workers: one builds, the other waits.
    with open(CACHE / f"{key}.lock", "w") as lock:  # closing the file releases the lock
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(CACHE / key)


def _build(root: Path) -> Path:
    binary, stamp = root / "build" / "run_model", root / "built.ok"
    if stamp.exists() and binary.exists():
        print(f"\nrun_model: cached build {binary.relative_to(ROOT)}")
        return binary
    if root.exists():  # an interrupted build: start over
        shutil.rmtree(root)
    root.mkdir(parents=True)
    start = time.perf_counter()
    proc = subprocess.run(
        ["bash", str(CHAPTER / "build.sh"), str(root / "build")],
        env={**os.environ, "PYTHON": sys.executable},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.returncode == 0, f"snippets/torchscript/build.sh failed:\n{proc.stdout}"
    assert binary.exists(), f"build.sh succeeded but {binary} is missing:\n{proc.stdout}"
    stamp.write_text(f"cold build took {time.perf_counter() - start:.1f} s\n")
    print(f"\nrun_model: cold build in {time.perf_counter() - start:.1f} s")
    return binary


def _run_save_load(workdir: Path) -> str:
    """Run save_load.py as a reader would; it writes gate.pt into its working directory."""
    script = workdir / "save_load.py"
    shutil.copyfile(CHAPTER / "save_load.py", script)
    proc = subprocess.run(
        [sys.executable, script.name], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.returncode == 0, f"snippets/torchscript/save_load.py failed:\n{proc.stdout}"
    assert (workdir / "gate.pt").exists(), "save_load.py did not write gate.pt"
    return proc.stdout


def _result_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.startswith("y(")]


def test_cpp_program_prints_what_python_printed(run_model_binary: Path, tmp_path: Path):
    python_lines = _result_lines(_run_save_load(tmp_path))
    assert len(python_lines) == 2, f"save_load.py should print the two results y(x) and y(-x), got {python_lines}"

    proc = subprocess.run(
        [str(run_model_binary), "gate.pt"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.returncode == 0, f"run_model exited with {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    assert proc.stdout.splitlines() == python_lines, (
        f"C++ and Python disagree on the same model and input:\nC++:\n{proc.stdout}\nPython:\n"
        + "\n".join(python_lines)
    )
    shown = (CHAPTER / "run_model_output.txt").read_text("utf-8")
    assert proc.stdout == shown, (
        "the C++ output shown on docs/torchscript.md (snippets/torchscript/run_model_output.txt) "
        f"differs from this run:\n{proc.stdout}"
    )


def test_cpp_program_reports_a_missing_model(run_model_binary: Path, tmp_path: Path):
    proc = subprocess.run([str(run_model_binary), "missing.pt"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1 and "cannot load missing.pt" in proc.stderr, proc.stdout + proc.stderr
