"""Re-run snippets and rewrite their captured outputs (`make outputs`).

    python -m sitekit outputs                       # every snippet, on this venv's torch
    python -m sitekit outputs snippets/compile/guards.py ...
    python -m sitekit outputs --torch 2.13.0        # on another supported version (make outputs TORCH=2.13.0)

The build that runs decides where outputs go (sitekit/versions.py): the primary build writes
`<name>.out`; any other build writes `<name>.versions/<label>.out`, and only where its output
differs from the primary one (a stored one that now matches is removed).

An output file is rewritten only when the new output differs from the captured one after
normalising its volatile parts, so re-running does not churn timings in git. A snippet that
cannot run here (needs CUDA on a CPU machine, say) keeps its captured output, and so does a
snippet that fails: the failure is reported and the command exits non-zero. A version whose
environment cannot be created stops the command before any of its outputs is touched.
A run over every snippet records its date in snippets/captured.toml.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sitekit import runner, versions
from sitekit.config import ROOT
from sitekit.snippets import Snippet, discover
from sitekit.versions import Build


def skip_reason(snippet: Snippet, build: Build) -> str | None:
    """Why `snippet` is not run on `build`, or None."""
    missing = snippet.unmet_requirements(build.device)
    if missing:
        return f"needs {', '.join(missing)}"
    if build != versions.primary() and not snippet.uses_torch:
        return "does not use torch: run on the primary build only"
    return None


def capture(snippet: Snippet, build: Build, python: str | None = None) -> tuple[str, str]:
    reason = skip_reason(snippet, build)
    if reason:
        return "kept", reason
    result = runner.run(snippet, python=python)
    if result.returncode:
        return "failed", result.output
    target = snippet.output_path(build)
    primary = snippet.output_path()
    if target != primary and primary.exists() and not snippet.diff(primary.read_text("utf-8"), result.output):
        if target.exists():  # a stored difference that is gone: the primary output holds again
            target.unlink()
            if not any(target.parent.iterdir()):
                target.parent.rmdir()
            return "updated", f"removed {os.path.relpath(target, ROOT)}: same output as the primary build"
        return "unchanged", ""
    if target.exists() and not snippet.diff(target.read_text("utf-8"), result.output):
        return "unchanged", ""
    target.parent.mkdir(exist_ok=True)
    target.write_text(result.output, encoding="utf-8")
    return "updated", os.path.relpath(target, ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit outputs", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="snippet files (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--torch", metavar="VERSION", help="capture on this supported torch version "
                        "(its environment .venvs/torch-VERSION/ is created or reused); default: this venv's")
    args = parser.parse_args(argv)

    snippets = discover()
    if args.paths:
        wanted = {Path(p).resolve() for p in args.paths}
        snippets = [s for s in snippets if s.path.resolve() in wanted]
        unknown = wanted - {s.path.resolve() for s in snippets}
        if unknown:
            parser.error(f"not snippets: {', '.join(sorted(map(str, unknown)))}")

    python = None
    if args.torch and args.torch != versions.primary().torch:
        if args.torch not in {b.torch for b in versions.supported()}:
            parser.error(f"torch {args.torch} is not a supported version (snippets/versions.toml): "
                         f"{', '.join(b.torch for b in versions.supported())}")
        try:
            python = str(versions.ensure_env(args.torch))
        except versions.EnvironmentError_ as e:
            print(f"{e}\nno output of torch {args.torch} was touched", flush=True)
            return 1
    interp = runner.interpreter(python)
    build = interp.build
    if build not in versions.supported():
        print(f"torch {build.title} is not a supported build (requirements.txt, snippets/versions.toml): "
              "nothing captured", flush=True)
        return 1
    where = "<name>.out" if build == versions.primary() else f"<name>.versions/{build.label}.out where it differs"
    print(f"capturing {len(snippets)} snippet(s) on torch {build.title} ({where})", flush=True)

    counts: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for snippet, (status, detail) in zip(snippets, pool.map(lambda s: capture(s, build, python), snippets)):
            counts[status] = counts.get(status, 0) + 1
            if status == "failed":
                print(f"FAILED   {snippet.rel}\n{detail}", flush=True)
            elif status != "unchanged":
                print(f"{status:<8} {snippet.rel}  {detail}", flush=True)
    print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    if not args.paths and not counts.get("failed"):
        ran = len(snippets) - counts.get("kept", 0)
        versions.record_capture(build, interp.version, ran)
    return 1 if counts.get("failed") else 0
