"""The PyTorch builds the snippets are tested on, and where each build's outputs live.

- The **primary** build is the torch pinned in requirements.txt, on CPU. Every
  `snippets/<chapter>/<name>.out` comes from it; the pages show it; `make test` checks it.
- The other supported builds are listed in snippets/versions.toml. Each stores an output only
  where it differs from the primary one, in a folder beside the snippet:
  `snippets/<chapter>/<name>.versions/<label>.out`, label "2.13.0" (CPU) or "2.11.0-cuda".
- A CPU build's output can also depend on the CPU's vector instruction set (sitekit/hardware.py):
  a build run on another ISA than the one the pages show carries it, label "2.15.0-avx2".
- `snippets/captured.toml` (written by `make outputs`) records, per label, which snippets were
  captured, when and on what; the home page's 测试环境 table is drawn from it, and a test fails
  when it no longer lists exactly the snippets that label runs.
- Each other CPU version gets its own environment, `.venvs/torch-<version>/`: that torch and
  requirements-snippets.txt (what the snippets import), made by `python -m sitekit.versions env <version>`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import functools
import hashlib
import os
import platform
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from sitekit import hardware
from sitekit.config import ROOT, SNIPPETS

REQUIREMENTS = ROOT / "requirements.txt"
SNIPPET_REQUIREMENTS = ROOT / "requirements-snippets.txt"
VERSIONS_TOML = SNIPPETS / "versions.toml"
CAPTURED_TOML = SNIPPETS / "captured.toml"
VENVS = ROOT / ".venvs"
DEVICES = {"cpu": "CPU", "cuda": "CUDA"}
_PIN = re.compile(r"^torch==(?P<version>[\w.]+)\s*(?:#.*)?$", re.M)


@dataclasses.dataclass(frozen=True, order=True)
class Build:
    """One PyTorch version on one device; `isa` names the CPU's vector instruction set where
    it is not the one the pages show (sitekit/hardware.py), "" otherwise."""

    torch: str
    device: str = "cpu"
    isa: str = ""

    def __post_init__(self):
        if self.device not in DEVICES:
            raise ValueError(f"unknown device {self.device!r} (known: {sorted(DEVICES)})")

    @property
    def label(self) -> str:
        """File stem of this build's outputs: "2.13.0", "2.11.0-cuda", "2.15.0-avx2"."""
        parts = [self.torch] + ([self.device] if self.device != "cpu" else []) + ([self.isa] if self.isa else [])
        return "-".join(parts)

    @property
    def title(self) -> str:
        """How pages name it: "2.13.0 · CPU", "2.15.0 · CPU · AVX2"."""
        isa = f" · {hardware.get(self.isa).name}" if self.isa in hardware.KNOWN else (f" · {self.isa}" if self.isa else "")
        return f"{self.torch} · {DEVICES[self.device]}{isa}"

    @property
    def base(self) -> "Build":
        """The same version and device on the ISA the pages show."""
        return dataclasses.replace(self, isa="")

    @classmethod
    def from_label(cls, label: str) -> "Build":
        version, *rest = label.split("-")
        device = rest.pop(0) if rest and rest[0] in DEVICES else "cpu"
        return cls(version, device, rest[0] if rest else "")


def release(version: str) -> str:
    """torch.__version__ without the local part: "2.15.0+cu132" -> "2.15.0"."""
    return version.split("+", 1)[0]


@functools.cache
def primary() -> Build:
    """The torch pinned in requirements.txt, on CPU: what every page shows."""
    match = _PIN.search(REQUIREMENTS.read_text("utf-8"))
    if match is None:
        raise ValueError(f"{REQUIREMENTS.name} pins no torch==<version>")
    return Build(match["version"])


@dataclasses.dataclass(frozen=True)
class Supported:
    build: Build
    why: str  # one line for readers (home page, 版本差异)


def others() -> list[Supported]:
    """The builds of snippets/versions.toml, validated, primary excluded."""
    stat = VERSIONS_TOML.stat()
    return list(_others(VERSIONS_TOML, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=4)
def _others(path: Path, mtime_ns: int, size: int) -> tuple[Supported, ...]:
    data = tomllib.loads(path.read_text("utf-8"))
    unknown = set(data) - {"build", "isa"}  # [isa]: sitekit/hardware.py
    if unknown:
        raise ValueError(f"{VERSIONS_TOML}: unknown key(s) {sorted(unknown)}")
    result = []
    for i, entry in enumerate(data.get("build", [])):
        where = f"{VERSIONS_TOML}: build #{i + 1}"
        if set(entry) - {"torch", "device", "why"} or not {"torch", "why"} <= set(entry):
            raise ValueError(f"{where}: needs torch and why (device optional: cpu or cuda)")
        build = Build(str(entry["torch"]), str(entry.get("device", "cpu")))
        if build == primary():
            raise ValueError(f"{where}: {build.title} is the primary build (requirements.txt)")
        result.append(Supported(build, str(entry["why"])))
    return tuple(result)


def supported() -> list[Build]:
    """Primary first, then the others in the order versions.toml lists them."""
    return [primary()] + [s.build for s in others()]


def output_folder(script: Path) -> Path:
    """Where a snippet's outputs from the non-primary builds live."""
    return script.with_suffix(".versions")


def isa_variants() -> list[Build]:
    """Every supported CPU build on every other stored ISA (versions.toml [isa] also). A GPU
    machine's CPU is whatever it is: its ISA-dependent outputs are compared only where
    captured.toml says they were captured there."""
    return [dataclasses.replace(b, isa=isa.key) for b in supported() if b.device == "cpu" for isa in hardware.policy().also]


def captured() -> dict[str, dict]:
    """{label: {"date", "python", "cpu", "cores", "isa", "snippets"}}: what each label's
    captures ran on, and which snippets (paths under snippets/) they captured."""
    return tomllib.loads(CAPTURED_TOML.read_text("utf-8")) if CAPTURED_TOML.exists() else {}


def machine() -> dict[str, object]:
    """The CPU model and core count of this machine (what a capture ran on)."""
    model = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = re.sub(r"\s+", " ", line.split(":", 1)[1]).strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count() or 1}


def record_capture(build: Build, python: str, isa: str, snippets: list[str], *, keep: set[str] | None = None,
                   path: Path = CAPTURED_TOML) -> None:
    """Note in snippets/captured.toml that `snippets` (paths under snippets/) were just captured
    on `build`, on a CPU whose ISA is `isa` (a hardware key). A partial capture (keep=None)
    adds them to the list; a full one replaces it, keeping of the old list only `keep` (the
    snippets this run could not capture but whose stored output stays, e.g. on another ISA)."""
    data = tomllib.loads(path.read_text("utf-8")) if path.exists() else {}
    before = data.get(build.label, {}).get("snippets", [])
    if keep is not None:
        before = [rel for rel in before if rel in keep]
    data[build.label] = {
        "date": datetime.date.today().isoformat(),
        "python": python,
        **machine(),
        "isa": isa,
        "snippets": sorted(set(before) | set(snippets)),
    }
    lines = ["# Written by `make outputs`: per label, what its captures ran on and which snippets they",
             "# captured (sitekit/versions.py). tests/content/test_captured.py keeps it true.", ""]
    for label in sorted(data, key=lambda lbl: Build.from_label(lbl), reverse=True):
        lines.append(f'["{label}"]')
        for key, value in data[label].items():
            if isinstance(value, list):
                lines += [f"{key} = ["] + [f'    "{v}",' for v in value] + ["]"]
            else:
                lines.append(f"{key} = {value!r}".replace("'", '"'))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


# ------------------------------------------------------------ environments -------------

class EnvironmentError_(RuntimeError):
    """An environment for a version could not be made; the message names the version."""


def env_python(version: str) -> Path:
    return VENVS / f"torch-{version}" / "bin" / "python"


def ensure_env(version: str, *, timeout: float = 1800) -> Path:
    """The python of .venvs/torch-<version>/, created (torch==version and
    requirements-snippets.txt) if it does not exist yet or holds another torch. Raises EnvironmentError_ naming the
    version when pip cannot install it (no wheel for this platform, no network)."""
    python = env_python(version)
    venv = python.parent.parent
    stamp = venv / ".installed"
    wanted = hashlib.sha256(b"".join(p.read_bytes() for p in (SNIPPET_REQUIREMENTS, ROOT / "constraints.txt"))).hexdigest()
    has_torch = python.exists() and _installed_torch(python) == version
    if has_torch and stamp.exists() and stamp.read_text() == wanted:
        return python
    steps = [] if has_torch else [[sys.executable, "-m", "venv", "--clear", str(venv)]]
    steps.append([str(python), "-m", "pip", "install", f"torch=={version}", "-r", str(SNIPPET_REQUIREMENTS)])
    # The project's lock replaces any machine-wide pip constraint (which may cap torch).
    env = dict(os.environ, PIP_CONSTRAINT=str(ROOT / "constraints.txt"))
    for step in steps:
        try:
            proc = subprocess.run(step, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise EnvironmentError_(f"torch {version}: `{' '.join(step)}` ran past {timeout:.0f} s") from None
        if proc.returncode:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise EnvironmentError_(
                f"could not create the environment for torch {version} ({os.path.relpath(venv, ROOT)}): "
                f"`{' '.join(step[2:] if step[0] == str(python) else step)}` failed:\n{tail}"
            )
    if _installed_torch(python) != version:
        raise EnvironmentError_(f"torch {version}: pip installed torch {_installed_torch(python)} instead")
    stamp.write_text(wanted)  # requirements-snippets.txt or the lock changes: install again
    return python


def _installed_torch(python: Path) -> str | None:
    proc = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('torch'))"],
        capture_output=True, text=True,
    )
    return release(proc.stdout.strip()) if proc.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit.versions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    lister = sub.add_parser("list", help="the supported torch versions, primary first")
    lister.add_argument("--others", action="store_true", help="leave out the primary version")
    lister.add_argument("--device", choices=sorted(DEVICES), help="only builds on this device")
    env = sub.add_parser("env", help="create or reuse .venvs/torch-<version>/ and print its python")
    env.add_argument("version")
    args = parser.parse_args(argv)
    if args.command == "list":
        for build in supported():
            if (args.others and build == primary()) or (args.device and build.device != args.device):
                continue
            print(build.torch)
        return 0
    if args.version == primary().torch:
        print(Path(sys.executable).as_posix())
        return 0
    try:
        print(ensure_env(args.version))
    except EnvironmentError_ as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
