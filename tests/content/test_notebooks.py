"""The 实验场 notebooks: generated from the pages (single source), current, and run clean.

- the generator turns a page's prose, admonitions, tabs and embedded snippets (whole files
  and sections) into cells, and the result runs top to bottom with a real kernel;
- the committed docs/playground/*.ipynb/.py are exactly what the pages generate now;
- every committed notebook runs clean with nbclient (once), and on CPU its outputs are what
  the committed notebook shows (volatile parts as declared in snippets.toml);
- every "在 Colab 中打开" / "在 Binder 中启动" link of the built site points, through
  mkdocs.yml's extra.repository, at a notebook that exists in the repository;
- notebook pages load nothing from third-party hosts (mkdocs-jupyter's CDN scripts removed).
"""

from __future__ import annotations

import difflib

import html.parser
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from sitekit import config, notebooks, runner, snippets
from sitekit.config import ROOT, SNIPPETS

# Where a kernel says a cell's code lives: /tmp/ipykernel_<pid>/<hash>.py, or its tail when
# torch shortens long paths in a guard listing ("mp/ipykernel_13284/3261255092.py").
CELL_FILE = re.compile(r"\S*ipykernel_\d+/\d+\.py|File <[^>]*>|Cell In\[\d+\]")


# ------------------------------------------------------------- generator ---------------

PAGE = '''---
description: test page
---

# 标题

!!! info "运行环境"
    只需要 CPU。

一段文字,链接到[另一页](other.md#x)。

```python title="snippets/demo/whole.py"
--8<-- "demo/whole.py"
```

``` { .text .output title="输出" }
--8<-- "demo/whole.out"
```

```mermaid
flowchart LR
  A --> B
```

=== "第二节"

    ```python
    --8<-- "demo/parts.py:second"
    ```

## 小节 {#part}

```python
--8<-- "demo/parts.py:third"
```

```python
--8<-- "demo/parts.py:second"
```
'''

WHOLE = 'print("whole")\n'
PARTS = '''import math

# --8<-- [start:first]
x = 1
# --8<-- [end:first]
y = math.sqrt(16)
# --8<-- [start:second]
def f():
    print("f", x, y)
# --8<-- [end:second]
# --8<-- [start:third]
f()
# --8<-- [end:third]
'''


@pytest.fixture
def demo(tmp_path, monkeypatch):
    docs, snippet_dir = tmp_path / "docs", tmp_path / "snippets"
    (snippet_dir / "demo").mkdir(parents=True)
    docs.mkdir()
    (docs / "page.md").write_text(PAGE, "utf-8")
    (snippet_dir / "demo" / "whole.py").write_text(WHOLE, "utf-8")
    (snippet_dir / "demo" / "whole.out").write_text("whole\n", "utf-8")
    (snippet_dir / "demo" / "parts.py").write_text(PARTS, "utf-8")
    monkeypatch.setattr(notebooks, "DOCS", docs)
    monkeypatch.setattr(notebooks, "SNIPPETS", snippet_dir)
    return tmp_path


def test_page_becomes_cells_that_run_in_order(demo):
    cells = notebooks.build_cells("page.md")
    code = [c.source for c in cells if c.kind == "code"]
    prose = "\n".join(c.source for c in cells if c.kind == "markdown")
    # the whole file, then the section with the file's earlier code it needs, then the rest
    assert code[0] == WHOLE
    assert code[1].startswith("import math\n") and "def f():" in code[1] and "x = 1" in code[1]
    assert code[2] == "f()\n"
    assert len(code) == 3, "a section shown twice is run once"
    assert "# 标题" in prose and "**运行环境**" in prose and "**第二节**" in prose and "## 小节" in prose
    assert "(../../other/#x)" in prose
    assert "{#part}" not in prose, "attr_list ids mean nothing in a notebook"
    assert "flowchart" not in prose and "网页版" in prose
    assert "whole.out" not in prose and "--8<--" not in prose

    nb = notebooks.notebook_from_script(notebooks.percent_script("page.md", cells))
    run = notebooks.execute(nb, demo)
    printed = [o["text"] for c in run.cells if c.cell_type == "code" for o in c.outputs if o["output_type"] == "stream"]
    assert printed == ["whole\n", "f 1 4.0\n"]


def test_section_inside_a_function_is_never_cut_out_of_it():
    chunks = notebooks.section_chunks("def g():\n    # --8<-- [start:body]\n    return 1\n    # --8<-- [end:body]\nprint(g())\n")
    assert len(chunks) == 1 and "return 1" in chunks[0][1] and "print(g())" in chunks[0][1]


def test_committed_notebooks_are_current():
    proc = subprocess.run([sys.executable, "-m", "sitekit", "notebooks", "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + "\nregenerate with `make notebooks` and review the diff"
    generated = notebooks.generate()
    assert generated, "no page embeds a Python snippet: the 实验场 would be empty"
    for page, script in generated.items():
        ipynb, py = notebooks.notebook_paths(page)
        committed = notebooks.notebook_from_script(py.read_text("utf-8"))
        import nbformat

        stored = nbformat.reads(ipynb.read_text("utf-8"), as_version=4)
        assert [c.source for c in stored.cells] == [c.source for c in committed.cells], f"{ipynb} differs from {py}"


# ------------------------------------------------------------- execution ---------------

def _committed():
    return sorted(notebooks.OUT_DIR.glob("*.ipynb"))


def norm(text: str, snippet: snippets.Snippet) -> str:
    return snippet.normalise(CELL_FILE.sub("<cell>", snippets.clean(text)))


def _outputs(nb) -> list[list[tuple[str, str]]]:
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        snippet = snippets.Snippet(SNIPPETS / cell.metadata["snippet"])
        # How a kernel chops a stream into messages, and how stdout and stderr messages
        # interleave, depends on timing: compare each stream's whole text, then the rest.
        streams = {"stdout": "", "stderr": ""}
        others = []
        for o in cell.outputs:
            if o["output_type"] == "stream":
                streams[o["name"]] += o["text"]
            elif o["output_type"] == "execute_result":
                continue  # not part of what the script prints; dropped from committed notebooks
            else:
                others.append((o["output_type"], o.get("data", {}).get("text/plain", "") or o.get("ename", "")))
        items = [(kind, norm(text, snippet)) for kind, text in list(streams.items()) + others]
        out.append(items)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", _committed(), ids=lambda p: p.name)
def test_notebook_runs_clean_with_a_real_kernel(path: Path, device: str, tmp_path):
    import nbformat

    committed = nbformat.reads(path.read_text("utf-8"), as_version=4)
    needs = set()
    for cell in committed.cells:
        if cell.cell_type == "code":
            needs |= snippets.Snippet(SNIPPETS / cell.metadata["snippet"]).requires
    if "tensorflow" in needs:
        from conftest import requirement_skip

        requirement_skip(["tensorflow"] if not snippets.tensorflow_installed() else [])
    fresh = notebooks.execute(committed, tmp_path, device=device)  # raises CellExecutionError on any error
    errors = [o for c in fresh.cells if c.cell_type == "code" for o in c.outputs if o["output_type"] == "error"]
    assert not errors
    if device == "cpu":
        # The committed notebooks show the ISA the pages show (sitekit/hardware.py); on another
        # ISA the cells of ISA-dependent snippets are compared by the snippet tests instead,
        # with that ISA's own outputs.
        other_isa = bool(runner.interpreter().build.isa)
        cells = [c for c in committed.cells if c.cell_type == "code"]
        diffs = [
            f"code cell {i} ({kind}):\n" + "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), "committed", "this run"))
            for i, (cell, old, new) in enumerate(zip(cells, _outputs(committed), _outputs(fresh)))
            if not (other_isa and snippets.Snippet(SNIPPETS / cell.metadata["snippet"]).isa_dependent)
            for (kind, a), (_, b) in zip(old, new)
            if a != b
        ]
        assert not diffs, (
            f"{path.name}: outputs differ from the committed notebook; if the change is legitimate, "
            "run `make notebooks` and review the diff\n" + "\n".join(diffs)
        )


# ------------------------------------------------------------- built site --------------

class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.launch, self.scripts = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and re.search(r"playground-launch__(colab|binder)", a.get("class") or ""):
            self.launch.append(a["href"])
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])


def _tracked(path: str) -> bool:
    if not (ROOT / ".git").exists():
        return True
    proc = subprocess.run(["git", "ls-files", "--error-unmatch", path], cwd=ROOT, capture_output=True)
    return proc.returncode == 0


def test_launch_links_point_at_notebooks_in_the_repository(built_site):
    repo = config.repository(config.load())
    gh = f"{repo['owner']}/{repo['name']}"
    colab = re.compile(rf"^https://colab\.research\.google\.com/github/{re.escape(gh)}/blob/{re.escape(repo['branch'])}/(?P<path>.+\.ipynb)$")
    binder = re.compile(rf"^https://mybinder\.org/v2/gh/{re.escape(gh)}/{re.escape(repo['branch'])}\?labpath=(?P<path>.+\.ipynb)$")
    pages_with_links, problems = {}, []
    for html_file in sorted(built_site.rglob("index.html")):
        parser = _Links()
        parser.feed(html_file.read_text("utf-8"))
        if not parser.launch:
            continue
        rel = html_file.parent.relative_to(built_site).as_posix()
        kinds = set()
        for href in parser.launch:
            m = colab.match(href) or binder.match(urllib.parse.unquote(href))
            if not m:
                problems.append(f"/{rel}/: {href} is not built from extra.repository")
                continue
            kinds.add("colab" if "colab" in href else "binder")
            target = m["path"]
            if not (ROOT / target).is_file():
                problems.append(f"/{rel}/: {href} -> {target} does not exist")
            elif not _tracked(target):
                problems.append(f"/{rel}/: {href} -> {target} is not committed")
        pages_with_links[rel] = kinds
        if kinds != {"colab", "binder"}:
            problems.append(f"/{rel}/: has {sorted(kinds)}, wants both Colab and Binder")
    assert not problems, "\n".join(problems)
    for page in notebooks.generate():
        name = notebooks.notebook_name(page)
        for rel in (Path(page).with_suffix("").as_posix(), f"playground/{name}"):
            assert rel in pages_with_links, f"/{rel}/ has no launch links"


def test_notebook_pages_are_offline_and_downloadable(built_site):
    for page in notebooks.generate():
        name = notebooks.notebook_name(page)
        page_dir = built_site / "playground" / name
        text = (page_dir / "index.html").read_text("utf-8")
        parser = _Links()
        parser.feed(text)
        external = [s for s in parser.scripts if urllib.parse.urlsplit(s).netloc]
        assert not external, f"/playground/{name}/ loads {external}"
        assert not re.search(r"https://(cdnjs|cdn\.jsdelivr|unpkg)\.", text), f"/playground/{name}/ references a CDN"
        assert (page_dir / f"{name}.ipynb").is_file(), "the .ipynb download is missing"
        assert (built_site / "playground" / f"{name}.py").is_file(), "the .py download is missing"
        assert "jupyter-wrapper" in text and "jp-OutputArea" in text, "the notebook was not rendered with outputs"


def test_binder_environment_matches_the_tested_one():
    """binder/ installs the PyTorch and snippet packages the outputs were captured with, CPU-only, plus g++."""
    def pins(path):
        found = {}
        for line in path.read_text("utf-8").splitlines():
            m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", line.strip())
            if m:
                found[m[1].lower()] = m[2]
        return found

    tested = pins(ROOT / "requirements.txt")
    binder_dir = ROOT / "binder"
    binder = pins(binder_dir / "requirements.txt")
    assert binder["torch"] == tested["torch"] + "+cpu"
    assert "download.pytorch.org/whl/cpu" in (binder_dir / "requirements.txt").read_text("utf-8")
    for name in ("ipykernel", "tensorflow-cpu"):
        assert binder[name] == tested[name], name
    # numpy, onnx*, executorch: the same file as the tested environment and every version's
    assert "-r ../requirements-snippets.txt" in (binder_dir / "requirements.txt").read_text("utf-8")
    assert "-r requirements-snippets.txt" in (ROOT / "requirements.txt").read_text("utf-8")
    apt = (binder_dir / "apt.txt").read_text("utf-8").split()
    assert "g++" in apt
    runtime = re.fullmatch(r"python-3\.(\d+)", (binder_dir / "runtime.txt").read_text("utf-8").strip())
    assert runtime and int(runtime[1]) >= 11, "binder/runtime.txt: Python 3.11+ (what the site is tested on)"
