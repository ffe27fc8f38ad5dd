"""Re-run snippets and rewrite their captured outputs (`make outputs`).

    python -m sitekit outputs                       # every snippet
    python -m sitekit outputs snippets/compile/guards.py ...

An output file is rewritten only when the new output differs from the captured one after
normalising its volatile parts, so re-running does not churn timings in git. A snippet that
cannot run here (needs CUDA on a CPU machine, say) keeps its captured output, and so does a
snippet that fails: the failure is reported and the command exits non-zero.
On a CUDA machine the output goes to `<name>.cuda.out`, and only where it differs from the
CPU output.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sitekit import runner
from sitekit.snippets import Snippet, detect_device, discover
from sitekit.config import ROOT


def capture(snippet: Snippet, device: str) -> tuple[str, str]:
    missing = snippet.unmet_requirements(device)
    if missing:
        return "kept", f"needs {', '.join(missing)}"
    result = runner.run(snippet)
    if result.returncode:
        return "failed", result.output
    target = snippet.output_path(device)
    cpu_out = snippet.output_path("cpu")
    if device == "cuda" and cpu_out.exists() and not snippet.diff(cpu_out.read_text("utf-8"), result.output):
        if target.exists():  # a stale CUDA-specific output that now matches the CPU one
            target.unlink()
            return "updated", f"removed {target.name}: CUDA output now equals the CPU output"
        return "unchanged", ""
    if target.exists() and not snippet.diff(target.read_text("utf-8"), result.output):
        return "unchanged", ""
    target.write_text(result.output, encoding="utf-8")
    return "updated", os.path.relpath(target, ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit outputs", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="snippet files (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    snippets = discover()
    if args.paths:
        wanted = {Path(p).resolve() for p in args.paths}
        snippets = [s for s in snippets if s.path.resolve() in wanted]
        unknown = wanted - {s.path.resolve() for s in snippets}
        if unknown:
            parser.error(f"not snippets: {', '.join(sorted(map(str, unknown)))}")
    device = detect_device()
    print(f"capturing {len(snippets)} snippet(s) on {device}", flush=True)

    counts: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for snippet, (status, detail) in zip(snippets, pool.map(lambda s: capture(s, device), snippets)):
            counts[status] = counts.get(status, 0) + 1
            if status == "failed":
                print(f"FAILED   {snippet.rel}\n{detail}", flush=True)
            elif status != "unchanged":
                print(f"{status:<8} {snippet.rel}  {detail}", flush=True)
    print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    return 1 if counts.get("failed") else 0

