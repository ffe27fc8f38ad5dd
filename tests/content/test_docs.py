"""The pages show only tested code, every snippet is shown, and the site builds strictly."""

from __future__ import annotations

import re

from sitekit import diagrams, postprocess, snippets
from sitekit.config import DOCS, SNIPPETS

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*\{?[ \t]*\.?(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$", re.S | re.M)
CODE_LANGS = {"py", "python", "python3", "pycon", "cpp", "c++", "bash", "sh", "console"}
# Every file a page may embed from snippets/: the scripts, and sources they build (C++).
EMBEDDABLE = ("*.py", "*.cpp", "*.txt", "CMakeLists.txt")


def test_no_hand_typed_code_on_pages():
    offenders = []
    for md in sorted(DOCS.rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            if m["lang"].lower() not in CODE_LANGS:
                continue
            lines = [line for line in m["body"].splitlines() if line.strip()]
            if not lines or not all("--8<--" in line for line in lines):
                line_no = text.count("\n", 0, m.start()) + 1
                offenders.append(f"docs/{md.relative_to(DOCS)}:{line_no} ({m['lang']})")
    assert not offenders, "code typed into a page instead of embedded from snippets/:\n" + "\n".join(offenders)


def test_every_snippet_is_shown_on_a_page():
    used = set().union(*snippets.includes_by_page().values())
    files = {
        p.relative_to(SNIPPETS).as_posix()
        for pattern in EMBEDDABLE
        for p in SNIPPETS.glob(f"*/{pattern}")
    }
    unused = sorted(files - used)
    assert not unused, "snippet files that no page embeds:\n" + "\n".join(unused)


def test_every_embedded_snippet_shows_its_output():
    missing = []
    for page, includes in snippets.includes_by_page().items():
        for rel in sorted(i for i in includes if i.endswith(".py")):
            out = snippets.Snippet(SNIPPETS / rel).output_path()
            has_output = out.exists() and out.read_text("utf-8").strip()
            if has_output and out.relative_to(SNIPPETS).as_posix() not in includes:
                missing.append(f"docs/{page} embeds {rel} but not its output {out.name}")
    assert not missing, "\n".join(missing)


def test_site_builds_strictly_without_warnings(built_site):
    log = (built_site.parent / "build.log").read_text("utf-8")  # written by the built_site fixture
    warnings = [line for line in log.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert not warnings, "\n".join(warnings)


def test_every_diagram_is_drawn_ahead_and_code_comes_back_verbatim(built_site):
    """Each diagram reaches the page as its stored drawing (sitekit.diagrams), so no page loads
    mermaid; the code blocks lifted out while mermaid2 parses a page come back byte for byte."""
    problems, diagram_pages, used = [], 0, set()
    for html_file in sorted(built_site.rglob("*.html")):
        html = html_file.read_text("utf-8")
        page = html_file.relative_to(built_site).as_posix()
        if "data-code-stash" in html or "data-diagram-stash" in html:
            problems.append(f"{page}: a lifted code block or diagram was not put back")
        for source in diagrams.sources(html):
            problems.append(f"{page}: diagram {source.splitlines()[0]!r} has no current drawing "
                            f"(docs/assets/diagrams/{diagrams.key(source)}.svg): run `make diagrams`")
        if "mermaid-global.mjs" in html:
            problems.append(f"{page}: loads mermaid")
        drawn = diagrams.drawn(html)
        used.update(drawn)
        if drawn:
            diagram_pages += 1
            if html.count(diagrams.ATTACH) != 1:
                problems.append(f"{page}: {len(drawn)} drawing(s) but {html.count(diagrams.ATTACH)} attach script(s)")
        # lift_code takes every code block out whole (mermaid2 then parses only the rest of the
        # page) and restore_code puts it back byte for byte.
        lifted, stash = postprocess.lift_code(html)
        left = len(re.findall(r'<pre\b(?![^>]*\bclass="mermaid")', lifted)) - lifted.count("data-code-stash")
        if left or postprocess.restore_code(lifted, stash) != html:
            problems.append(f"{page}: lift_code does not take every code block out and put it back verbatim")
    assert diagram_pages >= 5, f"only {diagram_pages} pages with diagrams: the test no longer sees them"
    unused = sorted(p.name for p in diagrams.STORE.glob("*.svg") if p.stem not in used)
    assert not unused, f"drawings no page shows (run `make diagrams` to drop them): {unused}"
    assert not problems, "\n".join(problems)


def test_every_page_says_what_it_proves():
    """The home page's chapter table is built from each page's `description` front matter."""
    from mkdocs.utils.meta import get_data

    missing = [
        f"docs/{md.relative_to(DOCS)}"
        for md in sorted(DOCS.glob("*.md"))
        if not get_data(md.read_text("utf-8"))[1].get("description")
    ]
    assert not missing, "pages without a `description:` in their front matter:\n" + "\n".join(missing)


LONGEST_OPEN_OUTPUT = 40


def test_long_outputs_are_collapsed():
    """An output longer than 40 lines is either trimmed by its snippet to what the text
    discusses, or shown inside a collapsed block (`??? ...`), one click away."""
    problems = []
    for md in sorted(DOCS.glob("*.md")):
        lines = md.read_text("utf-8").splitlines()
        for number, line in enumerate(lines):
            inc = line.strip()
            if not (inc.startswith("--8<--") and inc.rstrip('"').endswith(".out")):
                continue
            rel = inc.split('"')[1]
            out = SNIPPETS / rel
            n = len(out.read_text("utf-8").splitlines()) if out.exists() else 0
            if n <= LONGEST_OPEN_OUTPUT:
                continue
            fence_indent = len(line) - len(line.lstrip())
            parent = next((l for l in reversed(lines[:number - 1])
                           if l.strip() and len(l) - len(l.lstrip()) < fence_indent), "")
            if not parent.lstrip().startswith("??? "):
                problems.append(f"docs/{md.name}:{number + 1} shows {rel} ({n} lines) expanded")
    assert not problems, (f"outputs over {LONGEST_OPEN_OUTPUT} lines must be trimmed or collapsed (??? block):\n"
                          + "\n".join(problems))
