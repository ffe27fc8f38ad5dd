r"""Turn each chapter page into a notebook: the page's prose, and its snippets as code cells.

Single source: a chapter page (docs/<page>.md) and the snippet files it embeds
(snippets/<chapter>/<name>.py, whole or `:section`) are the only inputs. The page's
headings and prose become markdown cells; every embedded snippet becomes code; captured
outputs (`*.out`) are dropped (the notebook carries outputs from its own run), mermaid
diagrams are replaced by a link to the page (notebook viewers do not draw them offline).
The result is written with jupytext as a `py:percent` script (docs/playground/<page>.py)
and as a notebook (docs/playground/<page>.ipynb) that `make notebooks` executes with a real
kernel (nbclient); the build renders the executed notebook under 实验场 (sitekit.notebookpages,
with mkdocs-jupyter's converter) without executing anything.

    python -m sitekit notebooks            # regenerate + execute every notebook (`make notebooks`)
    python -m sitekit notebooks --check    # exit 1 if a committed notebook is stale

Which pages: every page in mkdocs.yml's nav (except the home page and the 实验场) that
embeds at least one Python script from snippets/. Sections of a snippet are emitted so that the notebook always runs the whole
file in order: a section's cell also carries the file's code before it that the page did
not show (imports), and cells are only cut where the code parses on its own.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sitekit import config as site_config, hardware, includes, runner
from sitekit.config import ROOT
from sitekit.snippets import Snippet, clean

DOCS = site_config.DOCS
SNIPPETS = site_config.SNIPPETS
OUT_DIR = DOCS / "playground"

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
MD_LINK = re.compile(r"\]\((?!https?:|#|mailto:)(?P<target>[^)\s]+?)\.md(?P<anchor>#[^)\s]*)?\)")
# In-page links of the chapter: the notebook has no such anchors, so they point back at the chapter.
ANCHOR_LINK = re.compile(r"\]\((?P<anchor>#[^)\s]+)\)")
CODE_LANGS = {"py", "python", "python3"}
# attr_list ids/classes ("## 标题 {#id}", "{ .annotate }"): Jupyter's Markdown has no such thing
ATTR_LIST = re.compile(r"[ \t]*\{:?[ \t]*[#.][^}\n]*\}[ \t]*(\r?\n|$)")


# ---------------------------------------------------------------- config ----------------

def chapter_pages(config: dict | None = None) -> list[tuple[str, str]]:
    """[(nav title, page relative to docs/)] of the pages that get a notebook, in nav order:
    every nav page (not the home page, not the 实验场 itself) that embeds a Python script
    from snippets/."""
    config = config or site_config.load()
    return [(t, p) for t, p in site_config.nav_pages(config.get("nav")) if embeds_python(p)]


def embeds_python(page: str) -> bool:
    if not page.endswith(".md") or page == "index.md" or page.startswith("playground/"):
        return False
    path = DOCS / page
    if not path.exists():
        return False
    return any(
        inc.path.endswith(".py") and (SNIPPETS / inc.path).exists()
        for inc in includes.find(path.read_text("utf-8"), page)
    )


def bases() -> list[Path]:
    """Where includes are looked up: snippets/ first, then mkdocs.yml's other base paths."""
    others = site_config.snippet_base_paths(site_config.load())
    return [SNIPPETS] + [b for b in others if b.resolve() != site_config.SNIPPETS.resolve()]


# ---------------------------------------------------------------- snippets --------------

def section_chunks(text: str) -> list[tuple[str | None, str]]:
    """Split a snippet into runnable pieces [(section name or None, code)], in file order.

    Each piece starts at a section start marker; code before the first section is glued
    to the first piece, and a piece is only closed where everything so far parses on its
    own (so a section inside a function body never becomes a broken cell).
    """
    raw: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines(keepends=True):
        m = includes.SECTION_MARK.match(line)
        if m:
            if m["kind"] == "start":
                raw.append((m["name"], []))
            continue
        raw[-1][1].append(line)
    if len(raw) > 1 and not "".join(raw[0][1]).strip():
        raw.pop(0)
    elif len(raw) > 1:
        # the imports and setup before the first section run with the first section
        head = raw.pop(0)[1]
        raw[0] = (raw[0][0], head + raw[0][1])
    chunks: list[tuple[list[str | None], str]] = []
    pending_names: list[str | None] = []
    pending = ""
    for name, lines in raw:
        pending_names.append(name)
        pending += "".join(lines)
        if _parses(pending):
            chunks.append((pending_names, pending))
            pending_names, pending = [], ""
    if pending:
        chunks.append((pending_names, pending))
    # a chunk answers for every section it contains
    return [(",".join(n for n in names if n) or None, code) for names, code in chunks]


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
        return True
    except SyntaxError:
        return False


# ---------------------------------------------------------------- page -> cells ---------

@dataclass
class Cell:
    kind: str  # "markdown" | "code"
    source: str
    metadata: dict = field(default_factory=dict)


@dataclass
class Builder:
    page: str
    cells: list[Cell] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    emitted: dict[str, set] = field(default_factory=dict)  # snippet -> emitted chunk indexes
    bases: list[Path] = field(default_factory=lambda: bases())  # mkdocs.yml read once per page

    def text(self, line: str) -> None:
        self.prose.append(line)

    def flush(self) -> None:
        text = "".join(self.prose).strip("\n")
        self.prose = []
        if text.strip():
            self.cells.append(Cell("markdown", text + "\n"))

    def code(self, inc: includes.Include) -> None:
        rel, section = inc.path, inc.section
        path = includes.locate(inc, self.bases)
        source = path.read_text("utf-8")
        chunks = section_chunks(source)
        done = self.emitted.setdefault(rel, set())
        if section is None:
            wanted = [i for i in range(len(chunks)) if i not in done]
            if not done:
                wanted = list(range(len(chunks)))
        else:
            index = next((i for i, (names, _) in enumerate(chunks) if names and section in names.split(",")), None)
            if index is None:
                raise ValueError(f"docs/{self.page}: section {section!r} not in snippets/{rel}")
            wanted = [i for i in range(index + 1) if i not in done]
        if not wanted:
            return  # already in the notebook (the page shows it twice)
        self.flush()
        meta = Snippet(path).meta
        code = "".join(chunks[i][1] for i in wanted) if section is not None or done else includes.strip_markers(source)
        cell_meta = {"snippet": rel}
        if "cuda" in meta.get("requires", []):
            cell_meta["tags"] = ["requires-cuda"]
            self.cells.append(Cell("markdown", "> 下一格需要 NVIDIA GPU（CUDA）。在只有 CPU 的环境里它会报错，可以跳过。\n"))
        tensorflow = "tensorflow" in meta.get("requires", [])
        if (meta.get("fresh_interpreter") or tensorflow) and section is None:
            # A script that sets an environment variable torch reads when it is imported
            # shows its effect only in a new process; one that relaunches itself needs a file. TensorFlow runs in one too: TensorFlow
            # and Triton (which torch.compile imports) each bring their own LLVM, and the
            # second one to load aborts the process ("LLVM ERROR: inconsistency in
            # registered CommandLine options").
            name = Path(rel).name
            why = ("TensorFlow 和 `torch.compile` 用到的 Triton 各自带着一份 LLVM，装进同一个进程会直接崩溃"
                   if tensorflow else "它要作为独立的脚本运行（在 `import torch` 之前设置环境变量，或者用自己的文件名再启动一次自己）")
            self.cells.append(Cell("markdown", f"> {why}，所以把下面的脚本写成文件 `{name}`，在一个新的 Python 进程里运行。\n"))
            self.cells.append(Cell("code", f"%%writefile {name}\n" + code.strip("\n") + "\n", cell_meta))
            self.cells.append(Cell("code", (
                "import subprocess, sys\n"
                f"print(subprocess.run([sys.executable, {name!r}], stdout=subprocess.PIPE, "
                "stderr=subprocess.STDOUT, text=True).stdout, end=\"\")\n"), {"snippet": rel, "runs": name}))
        else:
            self.cells.append(Cell("code", code.strip("\n") + "\n", cell_meta))
        done.update(wanted)

    def other_file(self, inc: includes.Include, lang: str) -> None:
        body = includes.text_of(inc, self.bases).rstrip("\n")
        self.prose.append(f"`snippets/{inc.path}`:\n\n```{lang}\n{body}\n```\n\n")


def page_url(page: str) -> str:
    """Site URL of a page, relative to a notebook page at playground/<name>/."""
    stem = page[:-3]
    if stem == "index":
        return "../../"
    return f"../../{stem.removesuffix('/index')}/"


def convert_lines(lines: list[str], b: Builder) -> None:
    i = 0
    while i < len(lines):
        line = lines[i]
        inc = includes.parse_line(line, b.page)
        if inc is not None and inc.path.endswith(".md"):  # shared Markdown (about/no_gpu_output.md)
            convert_lines(includes.text_of(inc, b.bases).splitlines(), b)
            i += 1
            continue
        m = FENCE_OPEN.match(line)
        if m:
            indent, fence = m["indent"], m["fence"]
            j = i + 1
            while j < len(lines) and not re.match(rf"^{re.escape(indent)}{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[j]):
                j += 1
            body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[i + 1 : j]]
            fence_block(m["info"], body, b)
            i = j + 1
            continue
        if not line[:1].isspace():
            title, kind = _block_title(line)
            if title is not None:
                j = i + 1
                block = []
                while j < len(lines) and (not lines[j].strip() or lines[j].startswith("    ")):
                    block.append(lines[j][4:] if lines[j].startswith("    ") else lines[j])
                    j += 1
                b.text(f"**{title}**\n\n" if title else "")
                convert_lines(block, b)
                b.text("\n")
                i = j
                continue
        b.text(rewrite_links(ATTR_LIST.sub(r"\1", line), b.page))
        i += 1


def _block_title(line: str) -> tuple[str | None, str]:
    m = re.match(r'^(!!!|\?\?\?\+?)\s+(\w[\w-]*)(?:\s+[^"]*)?(?:\s+"(?P<title>[^"]*)")?\s*$', line)
    if m:
        return (m["title"] if m["title"] is not None else m[2].capitalize()), "admonition"
    m = re.match(r'^===\+?\s+"(?P<title>[^"]*)"\s*$', line)
    if m:
        return m["title"], "tab"
    return None, ""


def fence_block(info: str, body: list[str], b: Builder) -> None:
    info = info.strip()
    lang = re.match(r"^\{?\s*\.?([\w+-]*)", info)[1].lower() if info else ""
    found = [includes.parse_line(l, b.page) for l in body if l.strip()]
    if lang == "mermaid":
        b.text(f"（这里在 [网页版]({page_url(b.page)}) 上有一张示意图。）\n\n")
        return
    if found and all(found):
        for inc in found:
            if inc.path.endswith(".out"):
                continue  # the notebook shows the output of its own run
            if inc.path.endswith(".py") and lang in CODE_LANGS:
                b.code(inc)
            else:
                b.other_file(inc, lang or "text")
        return
    # any other fence (text, tables of numbers...) stays as written
    b.text(f"```{lang}\n" + "".join(body) + "```\n")


def rewrite_links(line: str, page: str) -> str:
    """Links between pages point at the site pages (relative to playground/<name>/)."""
    def repl(m):
        target = (Path(page).parent / m["target"]).as_posix()
        return f"]({page_url(target + '.md')}{m['anchor'] or ''})"

    line = MD_LINK.sub(repl, line)
    return ANCHOR_LINK.sub(lambda m: f"]({page_url(page)}{m['anchor']})", line)


def strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5 :]
    return text


def build_cells(page: str) -> list[Cell]:
    text = strip_front_matter((DOCS / page).read_text("utf-8"))
    b = Builder(page)
    convert_lines(text.splitlines(keepends=True), b)
    b.flush()
    return b.cells


# ---------------------------------------------------------------- notebooks -------------

def notebook_name(page: str) -> str:
    return Path(page).with_suffix("").as_posix().replace("/", "-")


def notebook_paths(page: str) -> tuple[Path, Path]:
    name = notebook_name(page)
    return OUT_DIR / f"{name}.ipynb", OUT_DIR / f"{name}.py"


def percent_script(page: str, cells: list[Cell]) -> str:
    """The notebook as a jupytext py:percent script (also the `.py` download)."""
    import jupytext
    import nbformat

    nb = nbformat.v4.new_notebook()
    intro = (
        f"> 本笔记本由网页 [{page}]({page_url(page)}) 生成：文字与页面相同，代码格就是页面嵌入的"
        f" `snippets/` 脚本。不要直接修改它，修改页面或脚本后运行 `make notebooks`。\n"
    )
    nb.cells.append(nbformat.v4.new_markdown_cell(intro))
    for cell in cells:
        if cell.kind == "code":
            c = nbformat.v4.new_code_cell(cell.source)
        else:
            c = nbformat.v4.new_markdown_cell(cell.source)
        c.metadata.update(cell.metadata)
        nb.cells.append(c)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    return jupytext.writes(nb, fmt="py:percent")


def notebook_from_script(script: str):
    import jupytext

    nb = jupytext.reads(script, fmt="py:percent")
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


def generate(pages: list[str] | None = None) -> dict[str, str]:
    """{page: py:percent script} for every page that gets a notebook."""
    config = site_config.load()
    pages = pages or [p for _, p in chapter_pages(config)]
    scripts = {}
    for page in pages:
        if not (DOCS / page).exists():
            continue
        cells = build_cells(page)
        if any(c.kind == "code" for c in cells):
            scripts[page] = percent_script(page, cells)
    return scripts


def execute(nb, cwd: Path, device: str = "cpu", timeout: int = 600):
    """Run a notebook top to bottom with a real ipykernel; raises on the first error."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "requires-cuda" in tags and device != "cuda" and "skip-execution" not in tags:
            cell.metadata["tags"] = tags + ["skip-execution"]
    env_before = dict(os.environ)
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = runner.inductor_cache(os.environ)
    os.environ["PYTHONHASHSEED"] = "0"
    # ipykernel stops capturing what C++ code writes to fd 2 (c10 warnings) when it sees
    # PYTEST_CURRENT_TEST: the kernel must show a reader's output under pytest too.
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    ipython_dir = tempfile.TemporaryDirectory(prefix="ipython-")
    startup = Path(ipython_dir.name) / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copyfile(Path(__file__).with_name("kernel_startup.py"), startup / "00-kernel_startup.py")
    os.environ["IPYTHONDIR"] = ipython_dir.name  # keeps each cell's C++ output in that cell
    try:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", allow_errors=False, resources={"metadata": {"path": str(cwd)}}
        )
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
        ipython_dir.cleanup()
    # A script written to a file and run in its own process (fresh_interpreter, TensorFlow)
    # names that file by its full path in tracebacks and logs: print it as a reader's
    # `python name.py` would, relative to the notebook's folder.
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = output["text"].replace(str(cwd) + os.sep, "")
    for cell in nb.cells:
        tags = [t for t in cell.metadata.get("tags", []) if t != "skip-execution"]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        cell.metadata.pop("execution", None)
    return nb


def shorten_outputs(nb):
    """What the script prints, with machine-specific path prefixes shortened as in `.out` files."""
    for cell in nb.cells:
        # one output per run of stdout (or stderr) text, however the kernel chopped it up
        merged = []
        for output in cell.get("outputs", []):
            # A script's last expression prints nothing; a notebook would show its value
            # (compile/guards.py ends with a call returning a 64x9 tensor). Keep what the
            # script prints, which is also what the page shows.
            if output.get("output_type") == "execute_result":
                continue
            if merged and output.get("output_type") == "stream" and merged[-1].get("output_type") == "stream" \
                    and merged[-1]["name"] == output["name"]:
                merged[-1]["text"] += output["text"]
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = clean(output["text"])
            elif "data" in output and "text/plain" in output["data"]:
                output["data"]["text/plain"] = clean(output["data"]["text/plain"])
    return nb


def write_notebook(nb, path: Path) -> None:
    import nbformat

    shorten_outputs(nb)
    for cell in nb.cells:
        cell.pop("id", None)
    nb.nbformat_minor = 4  # no cell ids: stable bytes, stable diffs
    nbformat.validate(nb)
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit notebooks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that committed notebooks are current")
    parser.add_argument("pages", nargs="*", help="pages relative to docs/ (default: every chapter)")
    args = parser.parse_args(argv)
    scripts = generate(args.pages or None)
    if not args.check and runner.interpreter().build.isa:
        # The notebooks show what the pages show: outputs from the ISA they name.
        shown = hardware.policy().shown
        print(f"this machine's vector ISA is {runner.interpreter().isa.name}, the pages show {shown.name} "
              f"(snippets/versions.toml [isa]): executing here would put other outputs into the notebooks; "
              f"run it on a machine with {shown.name}", file=sys.stderr)
        return 1
    stale = []
    for page, script in scripts.items():
        ipynb, py = notebook_paths(page)
        if args.check:
            if not py.exists() or py.read_text("utf-8") != script or not ipynb.exists():
                stale.append(page)
            continue
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        nb = notebook_from_script(script)
        with tempfile.TemporaryDirectory(prefix="notebook-") as cwd:
            print(f"executing {ipynb.relative_to(ROOT)} ...", flush=True)
            nb = execute(nb, Path(cwd))
        write_notebook(nb, ipynb)
        py.write_text(script, encoding="utf-8")
    if not args.pages:
        known = {notebook_paths(p)[0] for p in scripts} | {notebook_paths(p)[1] for p in scripts}
        for leftover in sorted(OUT_DIR.glob("*.ipynb")) + sorted(OUT_DIR.glob("*.py")):
            if leftover not in known:
                if args.check:
                    stale.append(f"{leftover.relative_to(ROOT)} (no chapter page generates it)")
                else:
                    leftover.unlink()
    if stale:
        print("stale notebooks (run `make notebooks`):\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0



def notebook_for(page_src: str, docs: Path | None = None) -> str | None:
    """playground/<name>.ipynb (relative to docs/) of a page, if one was generated for it."""
    rel = f"playground/{notebook_name(page_src)}.ipynb"
    return rel if ((docs or DOCS) / rel).exists() else None
