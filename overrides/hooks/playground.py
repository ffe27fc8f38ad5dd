"""The 实验场 (playground): notebook pages in the nav, launch links, Thebe assets, offline notebook pages.

- on_config: lists the generated notebooks (docs/playground/*.ipynb, see
  playground/notebooks.py) under the nav's 实验场 section, in chapter order; copies the pinned
  Thebe build (fetched by `make thebe` into .cache/thebe/, never committed) into
  docs/assets/vendor/thebe/ (git-ignored), like vendor_assets.py does for mermaid.
- on_page_markdown: keeps notebook pages (copies of a chapter's prose) out of the search index.
- on_page_context: tells the template which notebook belongs to the page (chapter pages and
  the notebook pages themselves), so overrides/main.html can draw "在 Colab 中打开" and
  "在 Binder 中启动" from the one `extra.repository` setting.
- on_post_page: notebook pages rendered by mkdocs-jupyter carry nbconvert's CDN scripts
  (MathJax always, a mermaid ESM import, require.js); the site loads nothing from third-party
  hosts, so they are removed (the generated notebooks contain neither LaTeX nor mermaid).
  It runs before mermaid2's on_post_page and also drops nbconvert's "End of mermaid
  configuration" comment: mermaid2 re-parses with BeautifulSoup every page whose HTML
  contains the word "mermaid", ~0.5 s per 700 kB notebook page, for no diagram.
"""

from __future__ import annotations

import filecmp
import re
import shutil
from html import unescape
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parents[2]
THEBE_VERSION = "0.9.3"
THEBE_SRC = ROOT / ".cache" / "thebe" / THEBE_VERSION / "package" / "lib"
PLAYGROUND_SECTION = "实验场"

# nbconvert template scripts that would reach a CDN
_CDN_SCRIPTS = [
    re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S),
    re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) => \{\s*const diagrams = document\.querySelectorAll\("\.jp-Mermaid.*?</script>', re.S),
    re.compile(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/[^"]*"></script>'),
    re.compile(r"<!-- End of mermaid configuration -->"),
]


def _chapters(nav) -> list[tuple[str, str]]:
    out = []
    for item in nav or []:
        if isinstance(item, dict):
            for title, target in item.items():
                if isinstance(target, list):
                    out.extend(_chapters(target))
                elif isinstance(target, str) and target.endswith(".md"):
                    out.append((str(title), target))
    return out


def notebook_for(page_src: str) -> str | None:
    """playground/<name>.ipynb (relative to docs/) of a page, if one was generated for it."""
    name = Path(page_src).with_suffix("").as_posix().replace("/", "-")
    rel = f"playground/{name}.ipynb"
    return rel if (ROOT / "docs" / rel).exists() else None


def _copy_thebe(docs_dir: Path) -> None:
    if not (THEBE_SRC / "index.js").exists():
        raise PluginError(
            f"Thebe {THEBE_VERSION} is missing under .cache/thebe/: run `make build` "
            "(its `thebe` step fetches the pinned package with `npm pack`)."
        )
    dest_dir = docs_dir / "assets" / "vendor" / "thebe"
    wanted = {p.name for p in THEBE_SRC.iterdir() if p.is_file() and p.suffix in {".js", ".css", ".txt"}}
    wanted |= {"LICENSE"} if (THEBE_SRC.parent / "LICENSE").exists() else set()
    dest_dir.mkdir(parents=True, exist_ok=True)
    for name in wanted:
        src = THEBE_SRC / name if (THEBE_SRC / name).exists() else THEBE_SRC.parent / name
        dest = dest_dir / name
        if not dest.exists() or not filecmp.cmp(src, dest, shallow=False):
            shutil.copyfile(src, dest)
    for stale in dest_dir.iterdir():
        if stale.name not in wanted:
            stale.unlink()


def on_config(config):
    repo = config["extra"].get("repository") or {}
    missing = [key for key in ("owner", "name", "branch") if not repo.get(key)]
    if missing:
        raise PluginError(
            f"mkdocs.yml: extra.repository needs {missing} (the GitHub repository and branch "
            "that the Colab/Binder links and the Binder kernel use)"
        )
    docs_dir = Path(config["docs_dir"])
    _copy_thebe(docs_dir)
    for item in config["nav"] or []:
        if isinstance(item, dict) and PLAYGROUND_SECTION in item:
            section = item[PLAYGROUND_SECTION]
            if not isinstance(section, list):
                section = item[PLAYGROUND_SECTION] = [{PLAYGROUND_SECTION: section}]
            listed = {next(iter(e.values())) if isinstance(e, dict) else e for e in section}
            for title, page in _chapters(config["nav"]):
                nb = notebook_for(page)
                if nb and nb not in listed:
                    section.append({title: nb})
            break
    return config


def on_page_markdown(markdown, page, config, files):
    # A notebook repeats its chapter's prose: keep it out of the search index so that a
    # search lands on the chapter that teaches the term, not on its notebook copy.
    if page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    return markdown


_HEADING = re.compile(r'<h(?P<level>[1-6])(?P<before>[^>]*?)\bid="(?P<id>[^"]*)"(?P<after>[^>]*)>(?P<html>.*?)</h(?P=level)>', re.S)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("¶", "").strip()


def _fix_notebook_anchors(page) -> None:
    """nbconvert's slugs drop Chinese characters (`id=""` for most headings) while mkdocs-jupyter's
    table of contents links to Python-Markdown slugs (`#_1`, `#_2`): give each heading the id
    its table-of-contents entry links to, so both the sidebar and the ¶ links resolve."""
    wanted: dict[str, list[str]] = {}

    def walk(items):
        for item in items:
            wanted.setdefault(_text(item.title), []).append(item.id)
            walk(item.children)

    walk(page.toc)

    def repl(m):
        ids = wanted.get(_text(m["html"]))
        if not ids:
            return m[0]
        new = ids.pop(0)
        html = m["html"].replace(f'href="#{m["id"]}"', f'href="#{new}"')
        return f'<h{m["level"]}{m["before"]}id="{new}"{m["after"]}>{html}</h{m["level"]}>'

    page.content = _HEADING.sub(repl, page.content or "")


def on_page_context(context, page, config, nav):
    src = page.file.src_uri
    if src.endswith(".ipynb"):
        _fix_notebook_anchors(page)
    if src.endswith(".ipynb"):
        context["playground_notebook"] = src
    else:
        context["playground_notebook"] = notebook_for(src)
    return context


@event_priority(50)  # before mermaid2 (priority 0)
def on_post_page(output, page, config):
    if page.file.src_uri.endswith(".ipynb"):
        for pattern in _CDN_SCRIPTS:
            output = pattern.sub("", output)
        # Code cells scroll sideways: make them reachable by keyboard (axe: scrollable-region-focusable).
        output = output.replace('<div class="highlight-ipynb ', '<div tabindex="0" class="highlight-ipynb ')
        output = output.replace('<div class="highlight"><pre>', '<div class="highlight"><pre tabindex="0">')
    return output
