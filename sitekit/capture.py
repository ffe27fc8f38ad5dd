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
Every run records in snippets/captured.toml which snippets it captured, per label.

Outputs that depend on the CPU's vector ISA (sitekit/hardware.py) are captured on this
machine's ISA and, through ATEN_CPU_CAPABILITY, on every other stored ISA it can stand in
for: on an AVX-512 machine `make outputs` writes both the AVX-512 and the AVX2 outputs.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sitekit import hardware, runner, versions
from sitekit.config import ROOT
from sitekit.snippets import Snippet, discover
from sitekit.versions import Build


def skip_reason(snippet: Snippet, build: Build) -> str | None:
    """Why `snippet`'s output is not captured (or compared) on `build`, or None."""
    missing = snippet.unmet_requirements(build.device)
    if missing:
        return f"needs {', '.join(missing)}"
    if build.base != versions.primary() and not snippet.uses_torch:
        return "does not use torch: run on the primary build only"
    return isa_skip_reason(snippet, build)


def isa_skip_reason(snippet: Snippet, build: Build) -> str | None:
    """Why a run of `snippet` on `build` has no stored output of its ISA to be compared with
    (ARM, ATEN_CPU_CAPABILITY=default, ...), or None. The snippet still runs."""
    effective = snippet.effective(build)
    if not effective.isa or effective.isa in {isa.key for isa in hardware.policy().also}:
        return None
    return (f"the output of snippets/{snippet.rel} depends on the CPU's vector ISA, and none is stored "
            f"for this machine's ISA {effective.isa} (snippets/versions.toml [isa]: shown "
            f"{hardware.policy().shown.key}, also {', '.join(i.key for i in hardware.policy().also)})")


def capture(snippet: Snippet, build: Build, interp: runner.Interpreter | None = None) -> tuple[str, str]:
    """Run `snippet` (on `interp`, default: runner.interpreter()) and store its output as
    `build`'s, where `build` says it belongs."""
    reason = skip_reason(snippet, build)
    if reason:
        return "kept", reason
    effective = snippet.effective(build)
    result = runner.run(snippet, interp=interp)
    if result.returncode:
        return "failed", result.output
    target = snippet.output_path(effective)
    primary = snippet.output_path()
    # A version's output on the shown ISA is stored only where it differs from the primary
    # one; an ISA variant always (a run on that ISA has nothing else to be compared with).
    if target != primary and not effective.isa and primary.exists() and not snippet.diff(primary.read_text("utf-8"), result.output):
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


def capture_all(snippets: list[Snippet], interp: runner.Interpreter, jobs: int, *, full: bool) -> bool:
    """Capture `snippets` on `interp`, report, record in captured.toml; False if one failed."""
    build = interp.build
    where = "<name>.out" if build.base == versions.primary() else f"<name>.versions/{build.base.label}.out where it differs"
    if build.isa:
        where += f"; outputs that depend on the ISA: <name>.versions/{build.label}.out"
    print(f"capturing {len(snippets)} snippet(s) on torch {build.title}, vector ISA {interp.isa.described} ({where})", flush=True)
    counts: dict[str, int] = {}
    captured: dict[Build, list[str]] = {}
    kept: set[str] = set()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for snippet, (status, detail) in zip(snippets, pool.map(lambda s: capture(s, build, interp), snippets)):
            counts[status] = counts.get(status, 0) + 1
            if status == "failed":
                print(f"FAILED   {snippet.rel}\n{detail}", flush=True)
            elif status != "unchanged":
                print(f"{status:<8} {snippet.rel}  {detail}", flush=True)
            if status in ("updated", "unchanged"):
                captured.setdefault(snippet.effective(build), []).append(snippet.rel)
            elif status == "kept":
                kept.add(snippet.rel)
    print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    if counts.get("failed"):
        return False
    for label_build, rels in captured.items():
        versions.record_capture(label_build, interp.version, interp.isa.key, rels, keep=kept if full else None)
    return True


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
    if interp.build.base not in versions.supported():
        print(f"torch {interp.build.title} is not a supported build (requirements.txt, snippets/versions.toml): "
              "nothing captured", flush=True)
        return 1
    full = not args.paths
    ok = capture_all(snippets, interp, args.jobs, full=full)
    # Both x86 variants wherever they can be had: the ISA-dependent snippets once more on
    # each stored ISA this CPU can stand in for (AVX2 on an AVX-512 machine).
    dependent = [s for s in snippets if s.isa_dependent]
    for other in hardware.stand_ins(python) if dependent else []:
        ok = capture_all(dependent, other, args.jobs, full=full) and ok
    return 0 if ok else 1
