r"""A snippet: one complete script `snippets/<chapter>/<name>.py`, and what is known about it.

Its real output is captured next to it as `<name>.out` (and `<name>.cuda.out` where a CUDA
run prints something else). What a snippet needs and which parts of its output change from
run to run are declared beside it, in `snippets/<chapter>/snippets.toml`, so the script a
reader copies stays clean (docs/about.md explains this to readers):

    ["guards.py"]
    requires = ["cuda"]                 # or "tensorflow"; skipped with a reason where missing
    volatile = ['\d+\.\d+ ms']           # regex; matches become <volatile> before comparing
    fresh_interpreter = true            # never forked in tests (see sitekit.runner); default false

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

from sitekit import config, includes

ROOT, SNIPPETS, DOCS = config.ROOT, config.SNIPPETS, config.DOCS

# Memory addresses differ in every run of every snippet.
DEFAULT_VOLATILE = (re.compile(r"0x[0-9a-fA-F]{6,}"),)
REQUIREMENTS = {"cuda": "CUDA", "tensorflow": "TensorFlow"}
_SCHEMA = {"requires": list, "volatile": list, "fresh_interpreter": bool}


def table(folder: Path) -> dict[str, dict]:
    """snippets.toml of a chapter folder, validated: {script name: metadata}."""
    path = folder / "snippets.toml"
    data = tomllib.loads(path.read_text("utf-8")) if path.exists() else {}
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

    @functools.cached_property
    def meta(self) -> dict:
        return table(self.path.parent).get(self.path.name, {})

    @property
    def requires(self) -> frozenset[str]:
        return frozenset(self.meta.get("requires", []))

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
            and re.search(r"^(import torch|from torch)\b", self.path.read_text("utf-8"), re.M) is not None
        )

    @property
    def volatile(self) -> tuple[re.Pattern, ...]:
        return DEFAULT_VOLATILE + tuple(re.compile(v) for v in self.meta.get("volatile", []))

    def output_path(self, device: str = "cpu") -> Path:
        return self.path.with_suffix(".cuda.out" if device == "cuda" else ".out")

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
