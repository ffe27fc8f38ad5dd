"""CPU time of the site's strict build against a bare Material build of the same chapters.

    python -m bench.build_time              # `make bench-build`: 5 paired rounds, ~1 minute on 2 cores
    python -m bench.build_time --rounds 9   # more rounds where other work shares the CPUs
    python -m bench.build_time --root ../other-checkout --out /tmp/other   # compare two trees

A benchmark, not a test: it asserts nothing. The target (the site build within 1.5x the CPU
time of the bare build) is read off bench/build/results.md, which each run rewrites together
with bench/build/results.json.

Two builds, each a child process whose user+sys CPU time is read with getrusage(RUSAGE_CHILDREN)
(the child's own children included), timed in pairs that alternate which goes first, so that
what else the machine is doing hits both alike; the medians of the rounds are reported (CPU
time still varies by ~10% from round to round on a shared 2-core machine: read the medians):

- site: `mkdocs build --strict` with mkdocs.yml, exactly as `make build` runs it (into a
  temporary site dir instead of site/). A first, untimed build warms the OS file cache and
  what the build keeps in .cache/sitekit/ (the rendered notebooks, keyed by notebook, settings
  and versions: sitekit/notebookpages.py; the compiled Jinja templates, checked against their
  source: sitekit/build.py), as every later build and every rebuild under `make serve` finds
  them; its CPU time is recorded as `first_site_cpu_s` (with those caches empty it includes
  converting the notebooks with nbconvert, seconds each).
- bare: Material alone on a copy of the chapter Markdown (docs/*.md; the notebooks and
  docs/playground/ left out): a generated mkdocs.yml with theme material (same language,
  features, `font: false`, no custom_dir), the same nav restricted to those pages, the search
  plugin only with the site's search options (jieba segmentation of the Chinese text is the
  same work in both), and mkdocs.yml's markdown_extensions, changed only where they need
  another plugin: the mermaid custom fence (mermaid2's formatter) becomes Material's own
  documented mermaid fence (pymdownx.superfences.fence_code_format). pymdownx.snippets stays,
  with its base paths made absolute: the included snippets and outputs are most of a
  chapter's text and code, so without them the bare build would render much less than the same
  chapters. No sitekit, no mermaid2, no mkdocs-jupyter, no assets, not strict (links to the
  left-out notebooks and assets are reported, not fatal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "build"
TARGET_RATIO = 1.5
# The venv's mkdocs script, as the Makefile runs it ($(BIN)/mkdocs)
MKDOCS = [str(Path(sys.executable).parent / "mkdocs")]


# ------------------------------------------------------------- mkdocs.yml, tags kept ----

class _Tagged:
    """A YAML node with a tag (`!!python/name:...`), kept as written."""

    def __init__(self, tag: str, value):
        self.tag, self.value = tag, value


class _Loader(yaml.SafeLoader):
    pass


def _construct_tagged(loader, suffix, node):
    tag = node.tag
    if isinstance(node, yaml.MappingNode):
        return _Tagged(tag, loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return _Tagged(tag, loader.construct_sequence(node, deep=True))
    return _Tagged(tag, loader.construct_scalar(node))


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda l, s, n: _construct_tagged(l, s, n))
_Loader.add_multi_constructor("!", lambda l, s, n: _construct_tagged(l, s, n))


class _Dumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper, data: _Tagged):
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_Dumper.add_representer(_Tagged, _represent_tagged)


def _extension_name(ext) -> str:
    return ext if isinstance(ext, str) else next(iter(ext))


def bare_config(site: dict, docs_dir: Path, pages: set[str]) -> dict:
    """The bare Material config for the chapter pages `pages` copied into docs_dir."""
    theme = site["theme"]
    extensions = []
    for ext in site.get("markdown_extensions") or []:
        name = _extension_name(ext)
        options = {} if isinstance(ext, str) else dict(ext[name] or {})
        if name == "pymdownx.superfences":
            # mermaid2's fence formatter -> Material's own mermaid fence (no plugin needed)
            fences = []
            for fence in options.get("custom_fences") or []:
                fence = dict(fence)
                if isinstance(fence.get("format"), _Tagged) and "mermaid2" in fence["format"].tag:
                    fence["format"] = _Tagged("tag:yaml.org,2002:python/name:pymdownx.superfences.fence_code_format", "")
                fences.append(fence)
            options["custom_fences"] = fences
        if name == "pymdownx.snippets":
            base = options.get("base_path", ["."])
            options["base_path"] = [str(ROOT / b) for b in ([base] if isinstance(base, str) else base)]
        extensions.append({name: options} if options else name)
    search = next((p["search"] for p in site.get("plugins") or [] if isinstance(p, dict) and "search" in p), None) or {}
    search = dict(search)
    if "jieba_dict_user" in search:
        search["jieba_dict_user"] = str(ROOT / search["jieba_dict_user"])
    return {
        "site_name": site["site_name"],
        "docs_dir": str(docs_dir),
        "theme": {key: theme[key] for key in ("name", "language", "font", "features") if key in theme},
        "plugins": [{"search": search}],
        "markdown_extensions": extensions,
        "nav": _nav(site.get("nav") or [], pages),
    }


def _nav(nav: list, pages: set[str]) -> list:
    out = []
    for item in nav:
        if isinstance(item, dict):
            (title, target), = item.items()
            if isinstance(target, list):
                inner = _nav(target, pages)
                if inner:
                    out.append({title: inner})
            elif target in pages:
                out.append(item)
        elif item in pages:
            out.append(item)
    return out


def prepare_bare(tmp: Path) -> Path:
    """A copy of the chapter Markdown and its bare Material config; returns the config file."""
    docs = tmp / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    pages = set()
    for page in sorted((ROOT / "docs").glob("*.md")):
        shutil.copy2(page, docs / page.name)
        pages.add(page.name)
    site = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=_Loader)
    config = tmp / "mkdocs.yml"
    config.write_text(yaml.dump(bare_config(site, docs, pages), Dumper=_Dumper, allow_unicode=True, sort_keys=False), "utf-8")
    return config


# ------------------------------------------------------------- timing -------------------

def cpu_of(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """(user+sys CPU seconds, wall seconds, log) of one child process, which must succeed."""
    # PYTHONPATH: the sitekit of the tree being built (another checkout, with --root)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-4000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, result.stdout


def site_command(dest: Path) -> list[str]:
    # the Makefile's `build` target: $(BIN)/mkdocs build --strict --site-dir site
    return [*MKDOCS, "build", "--strict", "--site-dir", str(dest)]


def bare_command(config: Path, dest: Path) -> list[str]:
    return [*MKDOCS, "build", "--config-file", str(config), "--site-dir", str(dest)]


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def run(rounds: int) -> dict:
    load_before = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        tmp = Path(tmp)
        first_cpu, first_wall, _ = cpu_of(site_command(tmp / "site"), ROOT)
        print(f"first site build (warms caches, not in the medians): {first_cpu:.2f} s CPU", file=sys.stderr)
        rows = []
        for i in range(rounds):
            config = prepare_bare(tmp / "bare")  # a fresh copy each round: pages change while others edit
            order = ["site", "bare"] if i % 2 == 0 else ["bare", "site"]
            row = {"round": i + 1, "order": order}
            for which in order:
                command = site_command(tmp / "site") if which == "site" else bare_command(config, tmp / "bare-site")
                cpu, wall, _ = cpu_of(command, ROOT)
                row[f"{which}_cpu_s"], row[f"{which}_wall_s"] = round(cpu, 3), round(wall, 3)
            row["ratio"] = round(row["site_cpu_s"] / row["bare_cpu_s"], 3)
            rows.append(row)
            print(f"round {i + 1}: site {row['site_cpu_s']:.2f} s, bare {row['bare_cpu_s']:.2f} s CPU, "
                  f"ratio {row['ratio']:.2f}", file=sys.stderr)
    median = {key: round(statistics.median(r[key] for r in rows), 3)
              for key in ("site_cpu_s", "bare_cpu_s", "site_wall_s", "bare_wall_s", "ratio")}
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "root": str(ROOT),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--", "sitekit", "mkdocs.yml", "docs", "overrides")),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "duration_s": round(time.perf_counter() - started, 1),
        "target_ratio": TARGET_RATIO,
        "first_site_cpu_s": round(first_cpu, 3),
        "first_site_wall_s": round(first_wall, 3),
        "rounds": rows,
        "median": median,
        # the medians of the site and bare CPU times, divided (the per-round ratios' median is median.ratio)
        "ratio_of_medians": round(median["site_cpu_s"] / median["bare_cpu_s"], 3),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def markdown(data: dict) -> str:
    m = data["median"]
    verdict = "within" if m["ratio"] <= data["target_ratio"] else "NOT within"
    lines = [
        "# Build time: the site's strict build against a bare Material build",
        "",
        "Written by `make bench-build` (`python -m bench.build_time`, see its docstring for what each build is).",
        "CPU time is user+sys of the build's process tree; rounds alternate which build goes first.",
        "",
        f"**Median of {len(data['rounds'])} rounds: site {m['site_cpu_s']:.2f} s, bare {m['bare_cpu_s']:.2f} s of CPU, "
        f"ratio {m['ratio']:.2f}x** ({verdict} the {data['target_ratio']}x target).",
        "",
        "| round | order | site CPU s | bare CPU s | ratio | site wall s | bare wall s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in data["rounds"]:
        lines.append(f"| {r['round']} | {' then '.join(r['order'])} | {r['site_cpu_s']:.2f} | {r['bare_cpu_s']:.2f} | "
                     f"{r['ratio']:.2f} | {r['site_wall_s']:.2f} | {r['bare_wall_s']:.2f} |")
    lines += [
        f"| median | | {m['site_cpu_s']:.2f} | {m['bare_cpu_s']:.2f} | {m['ratio']:.2f} | {m['site_wall_s']:.2f} | {m['bare_wall_s']:.2f} |",
        "",
        f"- First site build, caches as found (not in the medians): {data['first_site_cpu_s']:.2f} s CPU.",
        f"- Machine: {data['cpu_model']}, {data['cpu_count']} logical CPUs, Python {data['python']}; "
        f"load average (1/5/15 min) {' / '.join(map(str, data['loadavg_before']))} before, "
        f"{' / '.join(map(str, data['loadavg_after']))} after"
        + (" (the machine was busy: CPU times are noisier than on an idle one)."
           if data["loadavg_before"][0] > 0.5 * (data["cpu_count"] or 1) else "."),
        f"- {data['date']}, git `{(data['git_commit'] or 'unknown')[:10]}`"
        + (" with uncommitted changes to sitekit/, docs/ or the config." if data["git_dirty"] else "."),
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    global ROOT
    parser = argparse.ArgumentParser(prog="python -m bench.build_time", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds (default 5)")
    parser.add_argument("--out", type=Path, default=OUT, help="where results.json and results.md go")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the tree to build (default: this checkout; another copy compares two versions)")
    args = parser.parse_args(argv)
    ROOT = args.root.resolve()
    data = run(args.rounds)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (args.out / "results.md").write_text(markdown(data), "utf-8")
    print(markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
