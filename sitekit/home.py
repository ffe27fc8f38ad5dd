"""The home page's chapter table and test matrix, from the repository, not typed by hand.

docs/index.md holds two markers that the plugin replaces when the site is built:

- `<!-- chapters -->`: one row per chapter in nav order, with the `description` from that
  page's front matter (what the chapter covers, under the header 讲了什么) and the number of tested snippets under
  snippets/<page name>/ (how many of them need CUDA or TensorFlow, from snippets.toml).
- `<!-- tested-on -->`: every supported PyTorch build, and when and where its outputs were
  captured (sitekit.versionpages.tested_on, from snippets/captured.toml).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.utils.meta import get_data

from sitekit import config as site_config, snippets, versionpages

MARKERS = ("<!-- chapters -->", "<!-- tested-on -->")


def _snippet_counts(chapter: str) -> str:
    folder = snippets.SNIPPETS / chapter
    scripts = sorted(folder.glob("*.py"))
    if not scripts:
        return "—"
    meta = snippets.table(folder)
    needs: dict[str, int] = {}
    for script in scripts:
        for requirement in meta.get(script.name, {}).get("requires", []):
            needs[requirement] = needs.get(requirement, 0) + 1
    extra = "、".join(f"{n} 个需要 {snippets.REQUIREMENTS[r]}" for r, n in sorted(needs.items()))
    return f"{len(scripts)}" + (f"（其中 {extra}）" if extra else "")


def chapters_table(config) -> str:
    rows = ["| 章节 | 讲了什么 | 测试过的代码片段 |", "| --- | --- | --- |"]
    for title, target in site_config.nav_pages(config["nav"]):
        if target == "index.md" or not target.endswith(".md"):
            continue
        _, meta = get_data((Path(config["docs_dir"]) / target).read_text("utf-8"))
        # tests/content/test_docs.py requires the description; the build itself does not stop on it.
        description = meta.get("description", "—")
        rows.append(f"| [{title}]({target}) | {description} | {_snippet_counts(Path(target).stem)} |")
    return "\n".join(rows)


def fill(markdown: str, config) -> str:
    """docs/index.md with its markers replaced; ValueError if one went missing."""
    for marker in MARKERS:
        if marker not in markdown:
            raise ValueError(f"docs/index.md lost its {marker} marker")
    return markdown.replace(MARKERS[0], chapters_table(config)).replace(MARKERS[1], versionpages.tested_on())
