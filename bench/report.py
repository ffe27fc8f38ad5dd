"""Turn the newest bench/results/<suite>-*.json of each suite into the page's tables and plots.

    python bench/report.py      # writes bench/report/<suite>.md and docs/assets/bench/<suite>-*.svg

docs/benchmarks.md embeds bench/report/<suite>.md (pymdownx.snippets), which shows the SVGs.
Nothing here is typed by hand: rerunning this on the same JSON gives byte-identical files
(tests/test_bench.py checks that the committed ones match the committed JSON).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
MD_DIR = ROOT / "bench" / "report"
SVG_DIR = ROOT / "docs" / "assets" / "bench"
# How docs/benchmarks.md (which embeds the generated Markdown) reaches SVG_DIR.
SVG_LINK = "assets/bench"
SUITES = ("cpu", "cuda")

LABELS = {
    "eager": "eager",
    "torchscript": "TorchScript",
    "compile": "torch.compile",
    "compile-reduce-overhead": "compile (reduce-overhead)",
    "compile-max-autotune": "compile (max-autotune)",
}
CASE_TITLES = {"pointwise": "逐元素运算链（8 个逐元素运算）", "mlp": "MLP（3 个 Linear + GELU）", "block": "Transformer 块（注意力 + MLP）"}

# Deterministic SVG: no timestamp, fixed ids, text kept as text (DejaVu Sans metrics,
# no dependency on the fonts installed where this runs).
STYLE = {
    "svg.hashsalt": "pytorch-bench",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "figure.facecolor": "white",  # a white card: readable in light and dark mode
    "axes.facecolor": "white",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.axisbelow": True,
}


def load_latest(results: Path) -> dict[str, dict]:
    """{suite: data} for the newest file of each suite (by the date inside)."""
    latest: dict[str, dict] = {}
    for path in sorted(results.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        data["_file"] = path.name
        suite = data["suite"]
        if suite not in latest or data["env"]["date"] > latest[suite]["env"]["date"]:
            latest[suite] = data
    return latest


def fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.1f} s"


def fmt_bytes(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} B"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def index(data: dict) -> tuple[list[str], dict[str, list[str]], dict[tuple[str, str, str], dict]]:
    """(variants in run order, {case: sizes in run order}, {(case, size, variant): row})."""
    variants: list[str] = []
    sizes: dict[str, list[str]] = {}
    rows = {}
    for r in data["results"]:
        if r["variant"] not in variants:
            variants.append(r["variant"])
        if r["size"] not in sizes.setdefault(r["case"], []):
            sizes[r["case"]].append(r["size"])
        rows[r["case"], r["size"], r["variant"]] = r
    return variants, sizes, rows


def machine_was_busy(env: dict) -> bool:
    """Whether other work competed with a CPU run. Judged by the 1-minute load average when
    the run started: at the end it mostly counts the benchmark's own threads (a 90 s run on
    2 threads ends near 2 on an otherwise idle machine)."""
    return env["loadavg_before"][0] > 0.5 * env["cpu_count"]


def environment_md(data: dict) -> str:
    env = data["env"]
    load = lambda xs: " / ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    rows = [
        ["设备", "：".join([env["device"], env["device_name"]])],
        ["CPU", f"{env['cpu_model']}，{env['cpu_count']} 个逻辑核，PyTorch 用 {env['torch_threads']} 个线程（{env['cpu_capability']}）"],
        ["软件", "，".join([f"PyTorch {env['torch']}"] + ([f"CUDA {env['cuda']}"] if env["cuda"] else []) + [f"Python {env['python']}"])
         + (f"；float32 矩阵乘法精度 `{env['float32_matmul_precision']}`" if "float32_matmul_precision" in env else "")],
        ["时间与提交", "，".join([env["date"], f"git `{(env['git_commit'] or 'unknown')[:10]}`"]) + ("（bench/ 有未提交修改）" if env["git_dirty"] else "")],
        ["负载（1/5/15 分钟平均）", f"开始 {load(env['loadavg_before'])}，结束 {load(env['loadavg_after'])}"],
        ["耗时", f"整套 {env['duration_s']:.0f} s；每个变体至少计时 {env['min_run_time_s']:g} s，分 {env['rounds']} 轮与其他变体交替"],
        ["结果文件", f"`bench/results/{data['_file']}`"],
    ]
    text = table(["项目", "值"], rows)
    if env["device"] == "cpu" and machine_was_busy(env):
        text += (
            "\n\n!!! warning \"测量时机器并不空闲\"\n"
            "    开始时的 1 分钟平均负载超过了逻辑核数的一半：别的进程在和基准抢 CPU。"
            "多线程的内核（矩阵乘法、Inductor 生成的 OpenMP 循环）受影响最大，"
            "这些数字比空闲机器上的慢、波动也大。在空闲的机器上运行 `make bench` 可以得到更干净的数字。"
        )
    return text


def speed_table(case: str, variants, sizes, rows) -> str:
    header = ["尺寸"] + [LABELS[v] for v in variants]
    if case != "pointwise":
        header.append("eager 算力")
    out = []
    for size in sizes[case]:
        eager = rows[case, size, "eager"]["median_s"]
        cells = [f"`{size}`"]
        for v in variants:
            t = rows[case, size, v]["median_s"]
            cells.append(fmt_time(t) if v == "eager" else "".join((fmt_time(t), "（", f"{eager / t:.2f}×", "）")))
        if case != "pointwise":
            cells.append(f"{rows[case, size, 'eager']['flops'] / eager / 1e9:.1f} GFLOP/s")
        out.append(cells)
    return table(header, out)


def copy_gbps(rows, size) -> float:
    """Bandwidth of a plain copy of the same size, timed in the same rounds as the chain."""
    r = rows["pointwise", size, "eager"]
    return r["min_bytes"] / r["copy_same_size_s"] / 1e9


def bandwidth_table(data, variants, sizes, rows) -> str:
    header = ["尺寸", "最少要搬的数据", "同尺寸复制"] + [f"{LABELS[v]}" for v in variants]
    out = []
    for size in sizes["pointwise"]:
        nbytes = rows["pointwise", size, "eager"]["min_bytes"]
        copy = copy_gbps(rows, size)
        cells = [f"`{size}`", fmt_bytes(nbytes), f"{copy:.1f} GB/s"]
        for v in variants:
            bw = nbytes / rows["pointwise", size, v]["median_s"] / 1e9
            cells.append(f"{bw:.1f} GB/s({bw / copy:.0%})")
        out.append(cells)
    return table(header, out)


def compile_table(variants, sizes, rows) -> str:
    compiled = [v for v in variants if v.startswith("compile")]
    header = ["用例", "TorchScript 准备 + 首次调用"]
    for v in compiled:
        header += [f"{LABELS[v]} 首次调用（冷缓存）", "再次编译（缓存已热）", "相对 eager 回本所需调用次数"]
    out = []
    for case, case_sizes in sizes.items():
        for size in case_sizes:
            ts = rows.get((case, size, "torchscript"))
            cells = [f"{case} `{size}`", fmt_time(ts["prepare_s"] + ts["first_call_s"]) if ts else "—"]
            eager = rows[case, size, "eager"]["median_s"]
            for v in compiled:
                r = rows[case, size, v]
                saved = eager - r["median_s"]
                extra = r["prepare_s"] + r["first_call_s"] - r["median_s"]
                cells += [
                    fmt_time(r["prepare_s"] + r["first_call_s"]),
                    fmt_time(r["recompile_warm_cache_s"]),
                    f"{extra / saved:,.0f}" if saved > 0 else "不回本（不比 eager 快）",
                ]
            out.append(cells)
    return table(header, out)


def findings_md(data, variants, sizes, rows) -> str:
    """The headline numbers of this run, in words (computed, so they follow the JSON). Each
    line is a snippet section (`--8<-- "report/cpu.md:<key>"`), so a chapter quotes the
    numbers of the newest run instead of typing them."""
    compiled = [v for v in variants if v.startswith("compile")]
    best = compiled[0]
    lines: list[tuple[str, str]] = []
    if "pointwise" in sizes:
        big = sizes["pointwise"][-1]
        bw = {v: rows["pointwise", big, v]["min_bytes"] / rows["pointwise", big, v]["median_s"] / 1e9 for v in variants}
        copy = copy_gbps(rows, big)
        lines.append(("pointwise-bandwidth",
            f"逐元素运算链，最大尺寸 `{big}`：{LABELS[best]} 的有效带宽是同尺寸复制的 {bw[best] / copy:.0%}，"
            f"eager 是 {bw['eager'] / copy:.0%}"
            + (f"，TorchScript 是 {bw['torchscript'] / copy:.0%}" if "torchscript" in bw else "")
            + f"；{LABELS[best]} 比 eager 快 {bw[best] / bw['eager']:.1f} 倍。"
        ))
    for case in ("pointwise", "mlp", "block"):
        if case not in sizes:
            continue
        for v in [v for v in variants if v != "eager"]:
            sp = [rows[case, s, "eager"]["median_s"] / rows[case, s, v]["median_s"] for s in sizes[case]]
            lines.append((f"speedup-{case}-{v}",
                          f"{CASE_TITLES[case]}：{LABELS[v]} 相对 eager 的加速比在 {min(sp):.2f}× 到 {max(sp):.2f}× 之间。"))
    for v in compiled:
        cold = [rows[c, s, v]["prepare_s"] + rows[c, s, v]["first_call_s"] for c, ss in sizes.items() for s in ss]
        warm = [rows[c, s, v]["recompile_warm_cache_s"] for c, ss in sizes.items() for s in ss]
        lines.append((f"first-call-{v}",
            f"{LABELS[v]} 的第一次调用（冷缓存）要 {min(cold):.1f}–{max(cold):.1f} 秒，"
            f"缓存已热时重新编译要 {min(warm):.1f}–{max(warm):.1f} 秒。"
        ))
    return "\n".join(f"# --8<-- [start:{key}]\n- {line}\n# --8<-- [end:{key}]" for key, line in lines)


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def plot_bandwidth(data, variants, sizes, rows, path: Path) -> None:
    big_copy = data["copy"]["bandwidth_GBps"]
    labels = sizes["pointwise"]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.8 / len(variants)
    for i, v in enumerate(variants):
        bws = [rows["pointwise", s, v]["min_bytes"] / rows["pointwise", s, v]["median_s"] / 1e9 for s in labels]
        ax.bar([j + (i - (len(variants) - 1) / 2) * width for j in range(len(labels))], bws, width, label=LABELS[v])
    copies = [copy_gbps(rows, s) for s in labels]
    ax.hlines(copies, [j - 0.45 for j in range(len(labels))], [j + 0.45 for j in range(len(labels))],
              colors="black", linewidth=1.5, label="copy, same size, same rounds")
    ax.axhline(big_copy, color="gray", linestyle="--", linewidth=1, label=f"copy of {fmt_bytes(data['copy']['bytes'] // 2)}: {big_copy:.1f} GB/s")
    values = [big_copy, *copies, *(p.get_height() for p in ax.patches)]
    ax.set_yscale("log")  # eager and compiled differ by an order of magnitude or more
    ax.set_ylim(min(values) / 2, max(values) * 8)  # headroom for the legend
    ax.set_xticks(range(len(labels)), [f"{s} floats" for s in labels])
    ax.set_ylabel("effective bandwidth (GB/s, log scale)\n= min bytes / time")
    ax.set_title(f"Pointwise chain, {data['env']['device_name']} ({data['env']['device']})", fontsize=10)
    ax.legend(fontsize=8, ncols=2)
    _save(fig, path)


def plot_speedup(data, variants, sizes, rows, path: Path) -> None:
    keys = [(c, s) for c, ss in sizes.items() for s in ss]
    others = [v for v in variants if v != "eager"]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / len(others)
    for i, v in enumerate(others):
        sp = [rows[c, s, "eager"]["median_s"] / rows[c, s, v]["median_s"] for c, s in keys]
        ax.bar([j + (i - (len(others) - 1) / 2) * width for j in range(len(keys))], sp, width, label=LABELS[v])
    ax.axhline(1.0, color="black", linewidth=1)
    ax.set_yscale("log", base=2)
    ax.set_xticks(range(len(keys)), [f"{c}\n{s}" for c, s in keys], fontsize=8)
    ax.set_ylabel("speed-up over eager (x, log scale)")
    ax.set_title(f"Steady state, {data['env']['device_name']} ({data['env']['device']}); above 1 = faster than eager", fontsize=10)
    ax.legend(fontsize=8)
    _save(fig, path)


def plot_compile(data, variants, sizes, rows, path: Path) -> None:
    keys = [(c, s) for c, ss in sizes.items() for s in ss]
    compiled = [v for v in variants if v.startswith("compile")]
    series = []
    if "torchscript" in variants:
        series.append(("TorchScript: script + freeze + 1st call", lambda c, s: rows[c, s, "torchscript"]["prepare_s"] + rows[c, s, "torchscript"]["first_call_s"]))
    for v in compiled:
        series.append((f"{LABELS[v]}: 1st call, cold cache", lambda c, s, v=v: rows[c, s, v]["prepare_s"] + rows[c, s, v]["first_call_s"]))
        series.append((f"{LABELS[v]}: again, warm cache", lambda c, s, v=v: rows[c, s, v]["recompile_warm_cache_s"]))
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / len(series)
    for i, (label, get) in enumerate(series):
        ax.bar([j + (i - (len(series) - 1) / 2) * width for j in range(len(keys))], [get(c, s) for c, s in keys], width, label=label)
    ax.set_xticks(range(len(keys)), [f"{c}\n{s}" for c, s in keys], fontsize=8)
    ax.set_ylabel("seconds before the 1st result")
    ax.set_title(f"One-time cost, {data['env']['device_name']} ({data['env']['device']})", fontsize=10)
    ax.legend(fontsize=8)
    _save(fig, path)


def suite_md(suite: str, data: dict, svg_dir: Path, svg_link: str) -> str:
    variants, sizes, rows = index(data)
    with plt.rc_context(STYLE):
        plot_bandwidth(data, variants, sizes, rows, svg_dir / f"{suite}-pointwise.svg")
        plot_speedup(data, variants, sizes, rows, svg_dir / f"{suite}-speedup.svg")
        plot_compile(data, variants, sizes, rows, svg_dir / f"{suite}-compile.svg")
    copy = data["copy"]
    parts = [
        "<!-- Generated by `python bench/report.py` from " + data["_file"] + "; do not edit. -->",
        "### 测量环境\n\n" + environment_md(data),
        "### 要点\n\n以下几句由脚本从结果文件算出，随结果一起更新。\n\n" + findings_md(data, variants, sizes, rows),
        "### 稳定状态：每次调用的时间\n\n"
        "中位数；括号里是相对 eager 的加速比（大于 1 表示更快）。\n\n"
        f"![{suite}：各变体相对 eager 的加速比]({svg_link}/{suite}-speedup.svg)",
    ]
    for case in sizes:
        parts.append(f"**{CASE_TITLES.get(case, case)}**\n\n" + speed_table(case, variants, sizes, rows))
    parts.append(
        "### 逐元素运算链：离带宽上限有多远\n\n"
        f"同一次运行里，复制一个 {fmt_bytes(copy['bytes'] // 2)} 的张量（读 + 写共 {fmt_bytes(copy['bytes'])}）"
        f"用时 {fmt_time(copy['median_s'])}，即 **{copy['bandwidth_GBps']:.1f} GB/s**：这台机器从内存搬数据的实际上限（图中灰色虚线）。"
        "每种尺寸还在与各变体相同的计时轮次里复制一个同样大小的张量（“同尺寸复制”，图中黑色短线）："
        "小张量能留在 CPU 缓存里，复制得比大张量快；机器忙的时候，它和各变体一起变慢。"
        "下表的“有效带宽”= 融合后最少要搬的数据（读一遍输入、写一遍输出）÷ 每次调用的时间，"
        "括号里是它占同尺寸复制带宽的比例：100% 就是把数据原样复制一遍的速度。\n\n"
        + bandwidth_table(data, variants, sizes, rows)
        + f"\n\n![{suite}：逐元素运算链的有效带宽]({svg_link}/{suite}-pointwise.svg)"
    )
    parts.append(
        "### 一次性的代价：第一次调用之前\n\n"
        "“首次调用（冷缓存）”从 `torch.compile(...)` 算到第一次调用返回，Inductor 缓存目录是空的；"
        "“再次编译（缓存已热）”是在同一进程里 `torch._dynamo.reset()` 后重新编译，Dynamo 重新追踪，"
        "Inductor 从磁盘缓存取回编译好的代码。“回本所需调用次数”= （首次调用 − 稳定时每次调用）÷ 每次调用比 eager 省下的时间。"
        f"另外，进程里的**第一次** `torch.compile` 还要一次性地导入 Inductor、启动编译工作进程、准备公共的 C++ 头文件："
        f"基准在所有用例之前先编译了一个只做 `x + 1` 的函数，这一步用了 **{fmt_time(data['env']['compile_startup_s'])}**，"
        "没有算进下表任何一个用例。\n\n"
        + compile_table(variants, sizes, rows)
        + f"\n\n![{suite}：第一次调用之前的一次性代价]({svg_link}/{suite}-compile.svg)"
    )
    return "\n\n".join(parts) + "\n"


PENDING = {
    "cuda": (
        "<!-- Generated by `python bench/report.py`: no CUDA result committed yet. -->\n"
        "!!! note \"GPU 结果尚未测量\"\n"
        "    仓库里还没有 CUDA 的结果文件（`bench/results/cuda-*.json`）。"
        "这里不放从别处抄来的数字：在有 NVIDIA GPU 的机器上运行 `make bench-gpu`，"
        "提交它写出的 JSON 和重新生成的图表后，本节会显示真实的测量。\n"
    ),
}


def render(results: Path = RESULTS, md_dir: Path = MD_DIR, svg_dir: Path = SVG_DIR, svg_link: str = SVG_LINK) -> list[Path]:
    """Write <suite>.md and the SVGs for every suite found; returns the files written."""
    md_dir.mkdir(parents=True, exist_ok=True)
    svg_dir.mkdir(parents=True, exist_ok=True)
    latest = load_latest(results)
    written = []
    for suite in sorted(set(latest) | set(SUITES)):
        md = md_dir / f"{suite}.md"
        if suite in latest:
            md.write_text(suite_md(suite, latest[suite], svg_dir, svg_link), encoding="utf-8")
            written += [svg_dir / f"{suite}-{kind}.svg" for kind in ("speedup", "pointwise", "compile")]
        else:
            md.write_text(PENDING.get(suite, ""), encoding="utf-8")
        written.append(md)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    for path in render(args.results):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
