"""The tlparse report of chapter 4's running example, part of the built site.

Two steps, like a reader's `TORCH_TRACE=/tmp/trace python train.py` then `tlparse <log> -o report`:

- capture (`python -m sitekit.tlparse`, after the snippet changes or torch is upgraded): run
  snippets/compile/trace.py as a reader would (a fresh interpreter in a temporary directory,
  the snippets' environment with an empty Inductor cache) and store its structured trace, normalised, as
  snippets/compile/trace.log (committed). Normalising: records tlparse only copies into
  files of their own and that carry machine paths or cache keys (chromium events, the
  FX-graph/AOTAutograd cache records) are dropped, and so are the configuration dumps inside
  compilation_metrics; paths are shortened as in every captured output
  (sitekit.snippets.shorten_paths, the temporary directory removed); each changed payload
  gets its md5 recomputed, as torch writes it.
- build (the plugin's `tlparse` part): run the pinned tlparse binary (requirements-docs.txt)
  on the committed trace into a temporary directory and hand MkDocs the report (`files()`):
  each of tlparse's HTML pages becomes a page of the site in the site's theme
  (`compile/tlparse/...`), its body made well-formed, links pointed at the new page URLs,
  scripts and styles dropped (tlparse's one script throws on load when the URL has no query),
  status colours given contrast; its text and JSON artifacts are served as they are.
  `--plain-text` makes tlparse write the generated code as text, so no artifact page needs
  a script or a stylesheet.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import html.parser
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sitekit.config import ROOT, SNIPPETS

SCRIPT = SNIPPETS / "compile" / "trace.py"
TRACE = SNIPPETS / "compile" / "trace.log"
SITE_DIR = "compile/tlparse"
CHAPTER = "compile.md"

# Records of the trace: a glog line whose text after "] " is a JSON object; its payload
# follows on lines that start with a tab.
_RECORD = re.compile(r"^[VIWE]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [^\]]*\] (?P<json>\{.*)$")
_DROPPED_RECORDS = {"chromium_event"}
_DROPPED_ARTIFACTS = ("fx_graph_cache_", "aotautograd_cache_")
_DROPPED_METRICS = ("inductor_config", "dynamo_config", "functorch_config", "compiler_config")


class TlparseError(RuntimeError):
    pass


# ---------------------------------------------------------------- capture


def _records(text: str) -> list[list[str]]:
    """The trace split into records: [record line, payload lines...]."""
    records: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("\t") and records:
            records[-1].append(line)
        else:
            records.append([line])
    return records


def normalise(text: str, replace: list[tuple[str, str]]) -> str:
    """The trace as committed: see the module docstring."""
    out = []
    for record in _records(text):
        head, payload = record[0], [line[1:] for line in record[1:]]
        m = _RECORD.match(head)
        if not m:
            continue
        data = json.loads(m["json"])
        if _DROPPED_RECORDS & set(data):
            continue
        artifact = data.get("artifact", {}).get("name", "")
        if artifact.startswith(_DROPPED_ARTIFACTS):
            continue
        for key in _DROPPED_METRICS:
            data.get("compilation_metrics", {}).pop(key, None)
        body = "\n".join(payload)
        for old, new in replace:
            body = body.replace(old, new)
        if payload:
            data["has_payload"] = hashlib.md5(body.encode("utf-8")).hexdigest()
        encoded = json.dumps(data, ensure_ascii=False)
        for old, new in replace:
            encoded = encoded.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
        out.append(head[: m.start("json")] + encoded)
        if payload:
            out.extend("\t" + line for line in body.split("\n"))
    return "\n".join(out) + "\n"


def capture() -> Path:
    """Run the trace snippet in a fresh interpreter and store its normalised trace."""
    from sitekit import runner

    interp = runner.interpreter()
    with tempfile.TemporaryDirectory(prefix="snippet-") as cwd:
        shutil.copyfile(SCRIPT, Path(cwd) / SCRIPT.name)
        # An empty Inductor cache: a cache hit would bring back the code (and the source paths
        # in its comments) of whichever run compiled the same graph first.
        env = {**runner.snippet_env(), "TORCHINDUCTOR_CACHE_DIR": str(Path(cwd) / "inductor-cache")}
        proc = subprocess.run([interp.python, SCRIPT.name], cwd=cwd, env=env, capture_output=True, text=True)
        if proc.returncode:
            raise TlparseError(f"{SCRIPT.relative_to(ROOT)} failed:\n{proc.stdout}{proc.stderr}")
        logs = sorted(Path(cwd).glob("torch_trace/*.log"))
        if len(logs) != 1:
            raise TlparseError(f"expected one trace file under torch_trace/, found {logs}")
        replace = [(cwd + "/", ""), *interp.prefixes]
        TRACE.write_text(normalise(logs[0].read_text("utf-8"), replace), encoding="utf-8")
    return TRACE


# ---------------------------------------------------------------- build


def binary() -> str:
    """The tlparse executable installed beside this interpreter (requirements-docs.txt)."""
    here = Path(sys.executable).parent / "tlparse"
    found = str(here) if here.exists() else shutil.which("tlparse")
    if not found:
        raise TlparseError("tlparse is not installed: run `make build` (requirements-docs.txt pins it)")
    return found


def run_tlparse(trace: Path = TRACE) -> Path:
    """tlparse's report of `trace`, in a temporary directory removed when the process exits."""
    if not trace.exists():
        raise TlparseError(f"{trace.relative_to(ROOT)} is missing: run `python -m sitekit.tlparse`")
    out = Path(tempfile.mkdtemp(prefix="sitekit-tlparse-"))
    atexit.register(shutil.rmtree, out, True)
    proc = subprocess.run([binary(), str(trace), "-o", str(out / "report"), "--no-browser", "--plain-text"],
                          capture_output=True, text=True)
    if proc.returncode or not (out / "report" / "index.html").exists():
        raise TlparseError(f"tlparse failed on {trace.relative_to(ROOT)}:\n{proc.stdout}{proc.stderr}")
    return out / "report"


def page_url(rel_html: str) -> str:
    """The site URL (relative to the report's folder) of one of tlparse's HTML pages."""
    return "" if rel_html == "index.html" else rel_html[: -len(".html")] + "/"


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_DROPPED_TAGS = {"script", "style", "head", "title", "base"}
_BLOCK = {"p", "div", "ul", "ol", "table", "pre", "details", "h1", "h2", "h3", "h4", "h5", "h6"}
# tlparse's status colours, with text that keeps 4.5:1 contrast on its background.
_STATUS = {
    "status-ok": "background:#1b5e20;color:#fff",
    "status-break": "background:#b9f6ca;color:#000",
    "status-empty": "background:#fff;color:#000;outline:1px solid #757575",
    "status-error": "background:#b71c1c;color:#fff",
    "status-missing": "background:#4a148c;color:#fff",
}


class _Body(html.parser.HTMLParser):
    """tlparse's <body>, well-formed: unmatched end tags dropped, open ones closed, list items
    put in a list, scripts, styles and event handlers left out, links rewritten by `link`."""

    def __init__(self, link):
        super().__init__(convert_charrefs=False)
        self.link, self.out, self.stack, self.skip, self.in_body = link, [], [], 0, False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
            return
        if tag in _DROPPED_TAGS:
            self.skip += tag not in _VOID
            return
        if self.skip or not self.in_body:
            return
        kept = []
        for name, value in attrs:
            if name.startswith("on"):
                continue
            if name in {"href", "src"} and value is not None:
                value = self.link(value)
                if value is None:
                    continue
            if name == "class" and value in _STATUS:
                kept.append(("style", _STATUS[value]))
            kept.append((name, value))
        if tag == "a" and not any(n == "href" for n, _ in kept) and any(n == "href" for n, _ in attrs):
            tag = "span"  # a link to a file tlparse did not write
        self._close_implicit(tag)
        if tag in _BLOCK and self.stack and self.stack[-1] == "p":
            self.out.append("</p>")  # as a browser does: a block element ends an open paragraph
            self.stack.pop()
        if tag == "li" and (not self.stack or self.stack[-1] not in {"ul", "ol", "ul "}):
            self.out.append("<ul>")  # tlparse writes list items without a list
            self.stack.append("ul ")  # an implicit list: closed by the first thing that is not an item
        text = "".join(f' {n}="{html.escape(v or "", quote=True)}"' for n, v in kept)
        self.out.append(f"<{tag}{text}>")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in _DROPPED_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "body":
            self.in_body = False
        if self.skip or not self.in_body or tag in _VOID:
            return
        if tag == "a" and "a" not in self.stack and "span" in self.stack:
            tag = "span"
        if tag not in self.stack:
            return  # an end tag that closes nothing (tlparse writes <p>…</div>)
        while self.stack:
            top = self.stack.pop()
            self.out.append(f"</{top.strip()}>")
            if top == tag:
                break

    def _close_implicit(self, tag: str | None) -> None:
        if self.stack and self.stack[-1] == "ul " and tag != "li":
            self.out.append("</ul>")
            self.stack.pop()

    def handle_data(self, data):
        if not self.skip and self.in_body:
            if data.strip():
                self._close_implicit(None)
            self.out.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")

    def result(self) -> str:
        while self.stack:
            self.out.append(f"</{self.stack.pop().strip()}>")
        return "".join(self.out).strip()


def _page(report: Path, rel_html: str, pages: set[str]) -> str:
    """One of tlparse's HTML pages as a Markdown page of the site."""
    source = (report / rel_html).read_text("utf-8")
    # tlparse's per-compile pages resolve their links against the report's root (<base href="..">).
    base = "" if "<base href=" in source else posixpath.dirname(rel_html)
    here = posixpath.join(SITE_DIR, page_url(rel_html))

    def link(value: str) -> str | None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I) or value.startswith(("#", "/")):
            return value
        path, _, fragment = value.partition("#")
        target = posixpath.normpath(posixpath.join(base, path))
        if target in pages:
            dest = posixpath.join(SITE_DIR, page_url(target))
        elif (report / target).is_file():
            dest = posixpath.join(SITE_DIR, target)
        else:
            return None
        rel = posixpath.relpath(dest, here.rstrip("/") or ".")
        if dest.endswith("/") and not rel.endswith("/"):
            rel += "/"
        return rel + (f"#{fragment}" if fragment else "")

    parser = _Body(link)
    parser.feed(source)
    body = parser.result()
    title = re.search(r"<title>(.*?)</title>", source)
    heading = re.search(r"<h1>(.*?)</h1>", source, re.S)
    name = html.unescape((heading or title).group(1).strip()) if (heading or title) else "tlparse report"
    if rel_html == "index.html":
        name = "tlparse 报告：第 4 章的例子"
        body = re.sub(r"<h1>.*?</h1>", "", body, count=1, flags=re.S)
    else:
        body = re.sub(r"<h1>.*?</h1>", "", body, count=1, flags=re.S)
    chapter = posixpath.relpath(CHAPTER, posixpath.dirname(posixpath.join(SITE_DIR, rel_html)))
    index = posixpath.relpath(posixpath.join(SITE_DIR, "index.md"), posixpath.dirname(posixpath.join(SITE_DIR, rel_html)))
    chapter_link = f"[第 4 章]({chapter}#tlparse)"
    index_link = f"[这里]({index})"
    intro = (
        f"本页由 tlparse（`requirements-docs.txt` 里固定的版本）在构建本站时，从{chapter_link}"
        "第 4 章例子的结构化追踪（`TORCH_TRACE`，文件是仓库里的 `snippets/compile/trace.log`）生成。"
        "下面是 tlparse 自己写的报告（英文），只换上了本站的样式"
        + ("。" if rel_html == "index.html" else f"；报告的首页在{index_link}。")
    )
    front = json.dumps(name, ensure_ascii=False)
    return (
        f"---\ntitle: {front}\nsearch:\n  exclude: true\n---\n\n"
        f"# {html.escape(name, quote=False)}\n\n!!! info \"这是什么\"\n    {intro}\n\n"
        f'<div class="tlparse-report" markdown="0">\n{body}\n</div>\n'
    )


def files() -> dict[str, tuple[str, str]]:
    """{path in the built site: ("content", markdown) or ("file", source path)} of the report."""
    report = run_tlparse()
    pages = {p.relative_to(report).as_posix() for p in report.rglob("*.html")}
    result: dict[str, tuple[str, str]] = {}
    for path in sorted(report.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(report).as_posix()
        if rel in pages:
            md = "index.md" if rel == "index.html" else rel[: -len(".html")] + ".md"
            result[f"{SITE_DIR}/{md}"] = ("content", _page(report, rel, pages))
        else:
            result[f"{SITE_DIR}/{rel}"] = ("file", str(path))
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m sitekit.tlparse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    path = capture()
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
