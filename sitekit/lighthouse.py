"""Lighthouse on a phone: every page of the built site, scored as a reader on a phone gets it.

    make lighthouse                  # builds the site, runs every page, writes bench/lighthouse/
    python -m sitekit lighthouse [--site site/] [--runs 3] [--page compile/ ...] [--no-save]

A benchmark, not a test. Lighthouse (pinned in package.json, run from node_modules) drives
the system chromium (CHROME_PATH; the flags of sitekit.browser) with its defaults: mobile
form factor, simulated slow 4G and 4x CPU slowdown. The site is served gzip-compressed from
127.0.0.1 (sitekit.browser.serve), as GitHub Pages serves it. Each page is run --runs times
(rounds over all pages, so that a busy minute on the machine does not fall on one page) and
each column is the median of its runs. Simulated throttling scales the task durations it
observes, so a busy machine lowers the scores: the 1-minute load average is recorded beside
every run. The table goes to the output and, unless --no-save, to bench/lighthouse/results.md
with every run in results.json beside it. Targets: performance >= 95, total blocking time
<= 200 ms, accessibility 100; --check exits 1 when a page misses one.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from sitekit import browser as site_browser
from sitekit.build import build as build_site
from sitekit.config import ROOT

CLI = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
OUT = ROOT / "bench" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# audit id -> column of the table
METRICS = {
    "first-contentful-paint": "fcp_ms",
    "largest-contentful-paint": "lcp_ms",
    "total-blocking-time": "tbt_ms",
    "cumulative-layout-shift": "cls",
    "dom-size": "dom_elements",
    "total-byte-weight": "transferred_bytes",
    # TBT counts only the part of each task over 50 ms; a page busy for seconds in many shorter
    # tasks scores a low TBT. The main thread's total work (4x CPU) shows that too.
    "mainthread-work-breakdown": "main_thread_ms",
}
TARGETS = {"performance": 95, "accessibility": 100, "tbt_ms": 200}
ATTEMPTS = 3  # a run without a performance score is run again, at most this often


def lighthouse_version() -> str:
    return json.loads((CLI.parent.parent / "package.json").read_text("utf-8"))["version"]


def run_once(url: str, chromium: str, report: Path) -> dict:
    """One Lighthouse run of one URL; the scores, metrics and failed accessibility audits."""
    node = shutil.which("node")
    if node is None:
        sys.exit("node is not installed (Lighthouse runs on Node.js >= 18)")
    command = [
        node, str(CLI), url,
        "--output=json", f"--output-path={report}", "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=" + " ".join(site_browser.CHROMIUM_FLAGS),
    ]
    load = os.getloadavg()[0]
    proc = subprocess.run(command, env={**os.environ, "CHROME_PATH": chromium},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode or not report.exists():
        raise RuntimeError(f"lighthouse failed on {url} (exit {proc.returncode}):\n{proc.stdout[-3000:]}")
    lhr = json.loads(report.read_text("utf-8"))
    if lhr.get("runtimeError"):
        raise RuntimeError(f"lighthouse: {url}: {lhr['runtimeError']}")
    return summary(lhr, load)


def summary(lhr: dict, load: float) -> dict:
    """The table's columns from one Lighthouse report (and the load when it started)."""
    row = {"load_1min": round(load, 2)}
    for cat in CATEGORIES:
        score = lhr["categories"][cat]["score"]
        row[cat] = None if score is None else round(score * 100)
    for audit, column in METRICS.items():
        value = lhr["audits"][audit].get("numericValue")
        row[column] = None if value is None else round(value, 3 if column == "cls" else 0)
    row["accessibility_failures"] = sorted(
        ref["id"] for ref in lhr["categories"]["accessibility"]["auditRefs"]
        if ref.get("weight") and lhr["audits"][ref["id"]].get("score") not in (None, 1)
    )
    return row


def median_row(runs: list[dict]) -> dict:
    row = {}
    for key in (*CATEGORIES, *METRICS.values(), "load_1min"):
        values = [r[key] for r in runs if r.get(key) is not None]
        row[key] = statistics.median(values) if values else None
    row["accessibility_failures"] = sorted({f for r in runs for f in r["accessibility_failures"]})
    return row


def misses(row: dict) -> list[str]:
    out = []
    if row["performance"] is not None and row["performance"] < TARGETS["performance"]:
        out.append(f"performance {row['performance']:g} < {TARGETS['performance']}")
    if row["tbt_ms"] is not None and row["tbt_ms"] > TARGETS["tbt_ms"]:
        out.append(f"TBT {row['tbt_ms']:g} ms > {TARGETS['tbt_ms']} ms")
    if row["accessibility"] is not None and row["accessibility"] < TARGETS["accessibility"]:
        out.append(f"accessibility {row['accessibility']:g} ({', '.join(row['accessibility_failures'])})")
    return out


def _n(value, fmt: str = "{:g}") -> str:
    return "–" if value is None else fmt.format(value)


def table(rows: dict[str, dict]) -> str:
    """The results as a Markdown table (one row per page, medians)."""
    lines = [
        "| page | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | DOM size | transferred | main-thread work | load (1 min) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page, r in rows.items():
        lines.append(
            f"| /{page} | {_n(r['performance'])} | {_n(r['accessibility'])} | {_n(r['best-practices'])} | {_n(r['seo'])}"
            f" | {_n(r['fcp_ms'] and r['fcp_ms'] / 1000, '{:.1f} s')} | {_n(r['lcp_ms'] and r['lcp_ms'] / 1000, '{:.1f} s')}"
            f" | {_n(r['tbt_ms'], '{:,.0f} ms')} | {_n(r['cls'], '{:.3f}')} | {_n(r['dom_elements'], '{:,.0f}')}"
            f" | {_n(r['transferred_bytes'] and r['transferred_bytes'] / 1000, '{:,.0f} kB')}"
            f" | {_n(r.get('main_thread_ms') and r['main_thread_ms'] / 1000, '{:.1f} s')} | {_n(r['load_1min'], '{:.2f}')} |"
        )
    return "\n".join(lines)


def report_text(rows: dict[str, dict], meta: dict) -> str:
    missed = {page: m for page, r in rows.items() if (m := misses(r))}
    lines = [
        "# Lighthouse: every page on a phone",
        "",
        f"Generated by `make lighthouse` (`python -m sitekit lighthouse`) on {meta['date']}: Lighthouse "
        f"{meta['lighthouse']}, {meta['chromium']}, mobile form factor with Lighthouse's default simulated "
        "throttling (slow 4G, 4x CPU slowdown), the built site served gzip-compressed from 127.0.0.1. "
        f"Each value is the median of {meta['runs']} runs per page; every run is in results.json. "
        "'load (1 min)' is the machine's 1-minute load average when the runs started: simulated throttling "
        "scales the task durations it observes, so a busy machine lowers performance and raises TBT. "
        "'main-thread work' is the main thread's total time (simulated 4x CPU): TBT counts only the part "
        "of each task over 50 ms, so a page busy for seconds in many shorter tasks can still show a low TBT.",
        "",
        f"Targets: performance ≥ {TARGETS['performance']}, TBT ≤ {TARGETS['tbt_ms']} ms, accessibility {TARGETS['accessibility']}.",
        "",
        table(rows),
        "",
    ]
    if missed:
        lines.append("Pages that miss a target:")
        lines.append("")
        lines += [f"- /{page}: {'; '.join(m)}" for page, m in missed.items()]
    else:
        lines.append("Every page meets every target.")
    return "\n".join(lines) + "\n"


def chromium_version(path: str) -> str:
    proc = subprocess.run([path, "--version"], capture_output=True, text=True)
    return proc.stdout.strip() or path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit lighthouse", description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one now)")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; each column is their median (default 3)")
    parser.add_argument("--page", action="append", default=[], help="only this page (e.g. compile/, '' for the home page); repeatable")
    parser.add_argument("--out", type=Path, default=OUT, help="where results.md and results.json go (default bench/lighthouse/)")
    parser.add_argument("--no-save", action="store_true", help="print the table only")
    parser.add_argument("--reports", type=Path, help="keep every full Lighthouse JSON report in this folder")
    parser.add_argument("--check", action="store_true", help="exit 1 when a page misses a target")
    args = parser.parse_args(argv)

    if not CLI.exists():
        sys.exit("Lighthouse is not installed: run `npm ci` (make lighthouse does)")
    chromium = site_browser.find_chromium()
    if chromium is None:
        sys.exit("no chromium that starts: install Debian's chromium (make browser)")

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            proc = build_site(site)
            if proc.returncode:
                sys.exit(f"mkdocs build --strict failed:\n{proc.stdout}")
        pages = args.page or site_browser.discover_pages(site)
        reports = args.reports or Path(tmp) / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        runs: dict[str, list[dict]] = {page: [] for page in pages}
        with site_browser.serve(site, gzip=True) as url:
            for n in range(args.runs):
                for page in pages:
                    name = (page.strip("/").replace("/", "_") or "home") + f".{n + 1}.json"
                    for attempt in range(ATTEMPTS):
                        row = run_once(url + page, chromium, reports / name)
                        if row["performance"] is not None:
                            break
                        # e.g. NO_FCP: headless chromium on a busy machine sometimes paints nothing
                        print(f"  /{page}: no performance score (attempt {attempt + 1}), again", file=sys.stderr)
                    runs[page].append(row)
                    print(f"run {n + 1}/{args.runs} /{page}: performance {_n(row['performance'])}, TBT {_n(row['tbt_ms'])} ms,"
                          f" accessibility {_n(row['accessibility'])} (load {row['load_1min']:.2f})", file=sys.stderr)

    rows = {page: median_row(r) for page, r in runs.items()}
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "lighthouse": lighthouse_version(),
        "chromium": chromium_version(chromium),
        "runs": args.runs,
        "cpus": os.cpu_count(),
    }
    text = report_text(rows, meta)
    print(text)
    if not args.no_save:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.md").write_text(text, "utf-8")
        data = {"meta": meta, "targets": TARGETS, "pages": {page: {"median": rows[page], "runs": runs[page]} for page in pages}}
        (args.out / "results.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"written: {args.out / 'results.md'}, {args.out / 'results.json'}", file=sys.stderr)
    if args.check and any(misses(r) for r in rows.values()):
        return 1
    return 0
