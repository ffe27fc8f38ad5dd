"""Time eager, TorchScript and torch.compile on the cases of bench/cases.py; write one JSON file.

    python -m bench.run                 # CPU suite (`make bench`), a few minutes on 2 cores
    python -m bench.run --suite cuda    # GPU suite (`make bench-gpu`), on a machine with CUDA

Every run writes bench/results/<suite>-<UTC date>.json: the machine (device, CPU, threads,
torch/CUDA versions, git commit, load average before and after) and every timing. Then
`python bench/report.py` turns the newest file of each suite into the page's tables and plots.

Compile latency is measured with an empty Inductor cache (a fresh temporary
TORCHINDUCTOR_CACHE_DIR), as on a first run; steady-state times come after warm-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.utils.benchmark as benchmark

from bench import cases as C  # run as `python -m bench.run` from the repository root

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SCHEMA_VERSION = 1

# Variants per device. reduce-overhead (CUDA graphs) and max-autotune only make sense on CUDA.
VARIANTS = {
    "cpu": ["eager", "torchscript", "compile"],
    "cuda": ["eager", "torchscript", "compile", "compile-reduce-overhead", "compile-max-autotune"],
}
COMPILE_MODES = {"compile": None, "compile-reduce-overhead": "reduce-overhead", "compile-max-autotune": "max-autotune"}


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# --8<-- [start:measure]
def measure(fns: dict, x, device, min_run_time: float, rounds: int) -> dict:
    """Steady-state time of each fn(x): the median over timed blocks, taken in
    rounds that alternate between the variants, so that a burst of other
    activity on the machine hits all of them alike."""
    timers = {
        name: benchmark.Timer(
            stmt="fn(x)",
            globals={"fn": fn, "x": x},
            num_threads=torch.get_num_threads(),  # Timer's default is 1
        )
        for name, fn in fns.items()
    }
    times = {name: [] for name in fns}  # seconds per call, one per block
    for _ in range(rounds):
        for name, timer in timers.items():
            # Calls fn(x) in blocks of n calls until the time has passed. On
            # CUDA the timer synchronises the device before reading the clock,
            # so the GPU's work is included, not just Python queueing it.
            m = timer.blocked_autorange(min_run_time=min_run_time / rounds)
            times[name] += m.times
    out = {}
    for name, ts in times.items():
        q = statistics.quantiles(ts, n=4) if len(ts) > 1 else ts * 3
        out[name] = {"median_s": statistics.median(ts),
                     "iqr_s": q[2] - q[0], "blocks": len(ts)}
    return out
# --8<-- [end:measure]


def timed_call(fn, x: torch.Tensor, device: torch.device) -> tuple[float, torch.Tensor]:
    sync(device)
    start = time.perf_counter()
    out = fn(x)
    sync(device)
    return time.perf_counter() - start, out


def check_close(name: str, out: torch.Tensor, expected: torch.Tensor) -> float:
    """Max abs difference from eager; raises if the variant computes something else."""
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-4, msg=lambda m: f"{name} differs from eager: {m}")
    return float((out.double() - expected.double()).abs().max())


def prepare(variant: str, module: torch.nn.Module, x: torch.Tensor):
    """Returns (callable, seconds spent preparing it before the first call)."""
    start = time.perf_counter()
    if variant == "eager":
        fn = module
    elif variant == "torchscript":
        fn = torch.jit.freeze(torch.jit.script(module))
    else:
        fn = torch.compile(module, mode=COMPILE_MODES[variant], dynamic=False)
    return fn, time.perf_counter() - start


def run_case(case: C.Case, variants: list[str], device: torch.device, min_run_time: float, rounds: int) -> list[dict]:
    torch.manual_seed(0)
    module = case.make_module().to(device).eval()
    x = case.make_input(device)
    expected = module(x).clone()
    torch._dynamo.reset()  # this case's compiles start from an empty Dynamo cache
    fns, rows = {}, {}
    for variant in variants:
        name = f"{case.name} {case.size} {variant}"
        fn, prepare_s = prepare(variant, module, x)
        # First call: for torch.compile this is where Dynamo traces and Inductor compiles.
        first_call_s, out = timed_call(fn, x, device)
        err = check_close(name, out.clone(), expected)
        # Warm-up: lazy init, TorchScript's profiling runs, CUDA graph recording.
        for _ in range(3):
            fn(x)
        sync(device)
        fns[variant] = fn
        rows[variant] = {"case": case.name, "size": case.size, "variant": variant,
                         "prepare_s": prepare_s, "first_call_s": first_call_s, "max_abs_err": err}
    timed = dict(fns)
    if case.min_bytes:
        # A plain copy of a tensor of the same size, timed in the same rounds: the
        # bandwidth limit at this size under the same conditions (cache, machine load).
        dst = torch.empty_like(x)
        timed["copy"] = lambda t: dst.copy_(t)
    measured = measure(timed, x, device, min_run_time, rounds)
    for variant in variants:
        rows[variant].update(measured[variant])
        rows[variant]["copy_same_size_s"] = measured["copy"]["median_s"] if case.min_bytes else None
    for variant, fn in fns.items():
        # After all the timed calls (and CUDA graph replays) the result must still be right.
        err = check_close(f"{case.name} {case.size} {variant}", fn(x).clone(), expected)
        rows[variant]["max_abs_err"] = max(rows[variant]["max_abs_err"], err)
    for variant in variants:
        row = rows[variant]
        if variant.startswith("compile"):
            # Compile again from scratch in this process: Dynamo traces again, but Inductor
            # finds the compiled code in its on-disk cache (FX graph cache).
            torch._dynamo.reset()
            again = torch.compile(module, mode=COMPILE_MODES[variant], dynamic=False)
            row["recompile_warm_cache_s"], _ = timed_call(again, x, device)
        row["min_bytes"] = case.min_bytes
        row["flops"] = case.flops
        log(f"  {case.name:<9} {case.size:<16} {variant:<24} median {row['median_s'] * 1e3:9.3f} ms"
            f"   first call {row['first_call_s']:7.2f} s")
    return [rows[v] for v in variants]


def copy_bandwidth(device: torch.device, numel: int, min_run_time: float) -> dict:
    """The machine's practical memory bandwidth: one large tensor copy (read + write)."""
    src = torch.randn(numel, device=device)
    dst = torch.empty_like(src)
    m = measure({"copy": lambda s: dst.copy_(s)}, src, device, min_run_time, rounds=1)["copy"]
    nbytes = 2 * src.numel() * src.element_size()
    return {"bytes": nbytes, "median_s": m["median_s"], "iqr_s": m["iqr_s"], "bandwidth_GBps": nbytes / m["median_s"] / 1e9}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def environment(device: torch.device) -> dict:
    return {
        "device": device.type,
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_model(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--", "bench")),
    }


def run_suite(
    suite: str,
    device: torch.device,
    min_run_time: float,
    only: list[str] | None = None,
    variants: list[str] | None = None,
    rounds: int = 5,
) -> dict:
    """Run one suite in this process and return the JSON-ready result."""
    variants = variants or VARIANTS[device.type]
    unknown = set(variants) - set(VARIANTS[device.type])
    if unknown or "eager" not in variants:
        raise ValueError(f"variants on {device.type} are {VARIANTS[device.type]} and must include eager, not {sorted(unknown)}")
    chosen = [c for c in C.suite(suite) if not only or c.name in only]
    started = dt.datetime.now(dt.timezone.utc)
    load_before = list(os.getloadavg())
    cache_dir = Path(os.environ.get("TORCHINDUCTOR_CACHE_DIR", "/nonexistent"))
    cache_was_empty = not cache_dir.is_dir() or not any(cache_dir.iterdir())
    t0 = time.perf_counter()
    copy = copy_bandwidth(device, (1 << 10) if suite == "tiny" else (1 << 28 if device.type == "cuda" else 1 << 26), min_run_time)
    log(f"copy bandwidth: {copy['bandwidth_GBps']:.1f} GB/s")
    rows = []
    with torch.no_grad():
        # The first torch.compile in a process also pays once for importing Inductor, starting
        # its compile workers and building shared C++ headers. Pay it on a trivial function,
        # so that every case's first-call time is its own compile.
        startup_s, _ = timed_call(torch.compile(lambda t: t + 1, dynamic=False), torch.ones(8, device=device), device)
        log(f"first torch.compile in this process (x + 1): {startup_s:.1f} s")
        for case in chosen:
            rows += run_case(case, variants, device, min_run_time, rounds)
    env = environment(device)
    env.update(
        date=started.isoformat(timespec="seconds").replace("+00:00", "Z"),
        loadavg_before=load_before,
        loadavg_after=list(os.getloadavg()),
        duration_s=time.perf_counter() - t0,
        compile_startup_s=startup_s,
        min_run_time_s=min_run_time,
        rounds=rounds,
        inductor_cache_dir_was_empty=cache_was_empty,
    )
    return {"schema": SCHEMA_VERSION, "suite": suite, "env": env, "copy": copy, "results": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", choices=["cpu", "cuda", "tiny"], default="cpu")
    parser.add_argument("--min-run-time", type=float, default=None, help="seconds of timed calls per variant (default 2)")
    parser.add_argument("--only", nargs="*", choices=["pointwise", "mlp", "block"], help="run only these cases")
    parser.add_argument("--variants", nargs="*", help=f"a subset of the variants (default: all; CPU {VARIANTS['cpu']}, CUDA {VARIANTS['cuda']})")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the JSON file")
    args = parser.parse_args(argv)

    if args.suite == "cuda" and not torch.cuda.is_available():
        parser.error("--suite cuda needs a CUDA device (torch.cuda.is_available() is False)")
    device = torch.device("cuda" if args.suite == "cuda" else "cpu")
    min_run_time = args.min_run_time or (0.02 if args.suite == "tiny" else 2.0)

    # An empty Inductor cache, so that first-call times are true cold compiles.
    with tempfile.TemporaryDirectory(prefix="bench-inductor-") as cache:
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache
        os.environ.pop("TRITON_CACHE_DIR", None)
        data = run_suite(args.suite, device, min_run_time, args.only, args.variants)

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = data["env"]["date"].replace(":", "").replace("-", "")
    path = args.out / f"{args.suite}-{stamp}.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} in {data['env']['duration_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
