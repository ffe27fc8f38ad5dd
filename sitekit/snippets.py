r"""A snippet: one complete script `snippets/<chapter>/<name>.py`, and what is known about it.

Its real output on the primary build of torch is captured next to it as `<name>.out`; the
other supported builds store theirs only where they differ, as `<name>.versions/<label>.out`
(sitekit/versions.py). What a snippet needs and which parts of its output change from
run to run are declared beside it, in `snippets/<chapter>/snippets.toml`, so the script a
reader copies stays clean (docs/about.md explains this to readers):

    ["guards.py"]
    requires = ["cuda"]                 # or "tensorflow"; skipped with a reason where missing
    volatile = ['\d+\.\d+ ms']           # regex; matches become <volatile> before comparing
    fresh_interpreter = true            # never forked in tests (see sitekit.runner); default false
    isa_dependent = true                # output depends on the CPU's vector ISA (sitekit/hardware.py)
    graphs = { fx = "gm" }              # graphs its run builds, drawn by sitekit/graphs.py

This module is the only place that reads snippets.toml (`table()`), and it validates it.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib.util
import os
import re
import sys
import sysconfig
import tomllib
from pathlib import Path

from sitekit import config, includes, versions
from sitekit.versions import Build

ROOT, SNIPPETS, DOCS = config.ROOT, config.SNIPPETS, config.DOCS

# Memory addresses differ in every run of every snippet.
DEFAULT_VOLATILE = (
    re.compile(r"0x[0-9a-fA-F]{6,}"),  # addresses
    # The wheel's build tag in torch.__version__ (2.15.0+cu132 from PyPI, +cpu from PyTorch's
    # CPU index, which the GitHub CPU job installs): the same release, so the same output.
    re.compile(r"(?<=\d)\+(?:cpu|cu\d{2,3}|rocm[\d.]*\d|xpu)\b"),
)
REQUIREMENTS = {"cuda": "CUDA", "tensorflow": "TensorFlow"}
_SCHEMA = {"requires": list, "volatile": list, "fresh_interpreter": bool, "isa_dependent": bool, "graphs": dict}


def table(folder: Path) -> dict[str, dict]:
    """snippets.toml of a chapter folder, validated: {script name: metadata}. Read once per
    version of the file (a build asks hundreds of times)."""
    path = folder / "snippets.toml"
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    return _table(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _table(path: Path, mtime_ns: int, size: int) -> dict[str, dict]:
    data = tomllib.loads(path.read_text("utf-8"))
    for name, meta in data.items():
        where = f"{path}: [{name!r}]"
        if not isinstance(meta, dict):
            raise ValueError(f"{where} must be a table")
        unknown = set(meta) - set(_SCHEMA)
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
        for key, kind in _SCHEMA.items():
            if key in meta and not isinstance(meta[key], kind):
                raise ValueError(f"{where}: {key} must be a {kind.__name__}")
        bad = set(meta.get("requires", [])) - set(REQUIREMENTS)
        if bad:
            raise ValueError(f"{where}: unknown requirement(s) {sorted(bad)} (known: {sorted(REQUIREMENTS)})")
        for pattern in meta.get("volatile", []):
            try:
                re.compile(pattern)
            except re.error as e:
                raise ValueError(f"{where}: volatile pattern {pattern!r} is not a regex: {e}") from None
    return data


# Lines that depend on how torch was installed on the machine, not on torch or on the
# snippet: dropped from every output before it is stored or compared, so that a reader with
# the CPU wheel and one with the CUDA wheel are compared with the same output. The CUDA
# wheel on a machine without a GPU logs this when Inductor first builds C++ and a CUDA
# toolkit is installed (torch/utils/cpp_extension.py); the CPU wheel never does.
ENVIRONMENT_NOISE = (re.compile(r"^.*No CUDA runtime is found, using CUDA_HOME=.*(?:\n|$)", re.M),)


# torch's log lines start with level, date, time, process id and the logging source line
# (`W1202 13:44:06.196000 9775 torch/_dynamo/variables/tensor.py:2043] `), c10's with
# `[W1202 13:44:48.908541790 init.cpp:778] `. Only the level and the file say something to a
# reader; the rest changes with every run or release. Shortened in every output to
# `W torch/_dynamo/variables/tensor.py] ` and `[W init.cpp] `.
LOG_PREFIXES = (
    (re.compile(r"^(?P<level>[VIWE])\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ (?P<src>[^\]\s:]+):\d+\]", re.M), r"\g<level> \g<src>]"),
    (re.compile(r"\[(?P<level>[VIWE])\d{4} \d\d:\d\d:\d\d\.\d+ (?P<src>[^\]\s:]+):\d+\]"), r"[\g<level> \g<src>]"),
)


def path_prefixes(paths: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """Machine-specific path prefixes (of the interpreter that ran, `sysconfig.get_paths()`
    by default), shortened the same way in every captured output."""
    paths = paths or sysconfig.get_paths()
    prefixes = {
        paths["purelib"]: "<site-packages>",
        paths["platlib"]: "<site-packages>",
        paths["stdlib"]: "<python>",
        str(ROOT): "<repo>",
    }
    # Longest first, so that site-packages wins over the stdlib directory that contains it.
    return tuple(sorted(((k + os.sep, v + "/") for k, v in prefixes.items()), key=lambda kv: -len(kv[0])))


def shorten_paths(text: str, prefixes: tuple[tuple[str, str], ...] | None = None) -> str:
    for prefix, short in prefixes or path_prefixes():
        text = text.replace(prefix, short)
    return text


def clean(text: str, prefixes: tuple[tuple[str, str], ...] | None = None) -> str:
    """What is stored and compared of a run's output: environment noise dropped, log prefixes
    and paths shortened."""
    for pattern in ENVIRONMENT_NOISE:
        text = pattern.sub("", text)
    for pattern, short in LOG_PREFIXES:
        text = pattern.sub(short, text)
    return shorten_paths(text, prefixes)


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

    @functools.cached_property
    def meta(self) -> dict:
        return table(self.path.parent).get(self.path.name, {})

    @property
    def requires(self) -> frozenset[str]:
        return frozenset(self.meta.get("requires", []))

    @property
    def uses_torch(self) -> bool:
        return re.search(r"^(import torch|from torch)\b", self.path.read_text("utf-8"), re.M) is not None

    @property
    def forkable(self) -> bool:
        """Whether the test suite may run it forked from a process with torch imported
        (sitekit.runner): it imports torch, needs no TensorFlow (never loaded beside torch in
        a reader's run), and does not declare `fresh_interpreter = true` (e.g. because it
        sets an environment variable that torch reads when it is imported)."""
        return (
            sys.platform == "linux"
            and "tensorflow" not in self.requires
            and not self.meta.get("fresh_interpreter", False)
            and self.uses_torch
        )

    @property
    def isa_dependent(self) -> bool:
        """Its output depends on the vector ISA Inductor picks (sitekit/hardware.py)."""
        return self.meta.get("isa_dependent", False)

    def effective(self, build: Build) -> Build:
        """The build whose output this snippet's run on `build` is compared with: the ISA
        counts only for a snippet whose output depends on it."""
        return build if self.isa_dependent else build.base

    @property
    def volatile(self) -> tuple[re.Pattern, ...]:
        return DEFAULT_VOLATILE + tuple(re.compile(v) for v in self.meta.get("volatile", []))

    def output_path(self, build: Build | None = None) -> Path:
        """Where `build`'s output is stored: `<name>.out` for the primary build,
        `<name>.versions/<label>.out` for another (stored only where it differs)."""
        if build is None or build == versions.primary():
            return self.path.with_suffix(".out")
        return versions.output_folder(self.path) / f"{build.label}.out"

    def expected_output(self, build: Build | None = None) -> Path | None:
        """The captured output a run on `build` is compared with. On the ISA the pages show:
        the build's own where it differs from the primary build's, else the primary one. On
        another ISA, for a snippet whose output depends on it: that ISA's own, always stored
        (None where it was never captured)."""
        build = self.effective(build or versions.primary())
        if build.isa:
            path = self.output_path(build)
            return path if path.exists() else None
        for candidate in (self.output_path(build), self.output_path()):
            if candidate.exists():
                return candidate
        return None

    def other_outputs(self) -> dict[Build, Path]:
        """The stored outputs of the non-primary builds: versions.supported() order, each
        version's ISA variants after it."""
        folder = versions.output_folder(self.path)
        found = {Build.from_label(p.stem): p for p in folder.glob("*.out")} if folder.is_dir() else {}
        order = {b: i for i, b in enumerate(versions.supported())}
        return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0].base, len(order)), kv[0].isa, kv[0])))

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

    def unmet_requirements(self, device: str) -> list[str]:
        missing = []
        if "cuda" in self.requires and device != "cuda":
            missing.append("cuda")
        if "tensorflow" in self.requires and not tensorflow_installed():
            missing.append("tensorflow")
        return missing


def discover() -> list[Snippet]:
    return [Snippet(p) for p in sorted(SNIPPETS.glob("*/*.py"))]


def includes_by_page(docs: Path = DOCS) -> dict[str, set[str]]:
    """{page path relative to docs/: {included file relative to its base path}}."""
    pages = {}
    for md in sorted(docs.rglob("*.md")):
        page = md.relative_to(docs).as_posix()
        pages[page] = {inc.path for inc in includes.find(md.read_text("utf-8"), page)}
    return pages


def pages_using(rel: str) -> list[str]:
    return [page for page, incs in includes_by_page().items() if rel in incs]


def tensorflow_installed() -> bool:
    return importlib.util.find_spec("tensorflow") is not None


def detect_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
