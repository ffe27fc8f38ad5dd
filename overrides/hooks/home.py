"""Fill the home page's chapter table and test matrix from the repository, not by hand.

docs/index.md holds two markers that this hook replaces when the site is built:

- `<!-- chapters -->`: one row per chapter in nav order, with the `description` from that
  page's front matter (what the chapter proves) and the number of tested snippets under
  snippets/<page name>/ (how many of them need CUDA or TensorFlow, from snippets.toml).
- `<!-- tested-on -->`: the PyTorch build each captured output set came from, read from
  snippets/about/environment.out (CPU) and environment.cuda.out (CUDA, once captured).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils.meta import get_data

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"
VERSION_LINE = re.compile(r"^PyTorch\s*:\s*(\S+)", re.M)


def _nav_pages(nav, out):
    for item in nav:
        if isinstance(item, dict):
            for title, target in item.items():
                if isinstance(target, list):
                    _nav_pages(target, out)
                else:
                    out.append((title, target))
        elif isinstance(item, str):
            out.append((Path(item).stem, item))
    return out


def _snippet_counts(chapter: str) -> str:
    folder = SNIPPETS / chapter
    scripts = sorted(folder.glob("*.py"))
    if not scripts:
        return "—"
    meta = tomllib.loads((folder / "snippets.toml").read_text("utf-8")) if (folder / "snippets.toml").exists() else {}
    needs = {}
    for script in scripts:
        for requirement in meta.get(script.name, {}).get("requires", []):
            needs[requirement] = needs.get(requirement, 0) + 1
    extra = "、".join(f"{n} 个需要 {'CUDA' if r == 'cuda' else 'TensorFlow'}" for r, n in sorted(needs.items()))
    return f"{len(scripts)}" + (f"(其中 {extra})" if extra else "")


def chapters_table(config) -> str:
    rows = ["| 章节 | 它证明了什么 | 测试过的代码片段 |", "| --- | --- | --- |"]
    for title, target in _nav_pages(config["nav"], []):
        if target in ("index.md",) or not target.endswith(".md"):
            continue
        source = Path(config["docs_dir"]) / target
        _, meta = get_data(source.read_text("utf-8"))
        # tests/test_docs.py requires the description; the build itself does not stop on it.
        description = meta.get("description", "—")
        rows.append(f"| [{title}]({target}) | {description} | {_snippet_counts(Path(target).stem)} |")
    return "\n".join(rows)


def tested_on() -> str:
    rows = ["| 输出来自 | PyTorch |", "| --- | --- |"]
    for label, name in (("CPU", "environment.out"), ("CUDA", "environment.cuda.out")):
        path = SNIPPETS / "about" / name
        match = VERSION_LINE.search(path.read_text("utf-8")) if path.exists() else None
        rows.append(f"| {label} | {match.group(1) if match else '尚未在 GPU 上捕获(CUDA 片段在 CPU 上跳过)'} |")
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != "index.md":
        return markdown
    for marker in ("<!-- chapters -->", "<!-- tested-on -->"):
        if marker not in markdown:
            raise PluginError(f"docs/index.md lost its {marker} marker")
    return markdown.replace("<!-- chapters -->", chapters_table(config)).replace("<!-- tested-on -->", tested_on())
