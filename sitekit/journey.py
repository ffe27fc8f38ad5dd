"""The journey page (docs/journey.md): one small model followed through every stage of one real
run, each stage a pane, each line of a pane tied to the source lines it came from.

Nothing here is typed by hand. snippets/journey/journey.py runs the model once and prints
one JSON document, captured as journey.out like every output (`make outputs`): the panes in
order, each {stage, title, how, lines}, and each line `[source line numbers, name, text]`.
The line numbers come only from PyTorch's own provenance data (FX nodes' meta["stack_trace"],
Inductor's kernel provenance, the ONNX nodes' metadata_props; the rules are in the script).
This module turns that document into HTML while the site builds (sitekit/plugin.py, part
`journey`), at markers in the page's rendered content:

    <!-- journey:source -->   opens <div class="journey" data-journey>, then the source pane
    <!-- journey:<stage> -->  the pane of that stage: <section data-stage="<stage>">
    <!-- journey:table -->    closes the div; then the mapping as a table (no JavaScript needed)

Every line of a pane is a `<span data-line="<index in the pane>">` in the pane's
`<div class="journey-code">`; a line that came from source lines also carries
`data-src-line="20 21"` (CSS `~=` matches one number) and `data-name` (the instruction, node or
kernel it belongs to). docs/assets/javascripts/journey.js, loaded by the source marker on this
page only, marks what came from a chosen line; docs/assets/stylesheets/journey.css draws it.

The stage `triton` is the kernel pane of a CUDA output of the same snippet
(`<name>.versions/<label>-cuda.out`, the first supported CUDA build that has one), placed
beside the C++ one. Where none was captured yet, its marker becomes a note saying so.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import json
import re
from pathlib import Path

from sitekit import snippets, versions
from sitekit.config import SNIPPETS

PAGE = "journey.md"
SNIPPET = SNIPPETS / "journey" / "journey.py"
SCRIPT = "assets/javascripts/journey.js"
STYLESHEET = "assets/stylesheets/journey.css"
MARKER = re.compile(r"<!-- journey:(\w+) -->")
TRITON = "triton"


class JourneyError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Line:
    src: tuple[int, ...]  # the source lines it came from (none: boilerplate)
    name: str | None  # the instruction, node or kernel it belongs to
    text: str


@dataclasses.dataclass(frozen=True)
class Pane:
    stage: str
    title: str  # a short name, a full-width colon, what the pane shows
    how: str  # where its mapping comes from
    lines: tuple[Line, ...]
    build: str = ""  # the build whose run it comes from, where not the primary one

    @property
    def label(self) -> str:
        """The pane's short name (its title up to the full-width colon)."""
        return self.title.split("：", 1)[0]

    def lines_from(self, src_line: int) -> list[int]:
        """Indices of the lines that came from one source line."""
        return [i for i, line in enumerate(self.lines) if src_line in line.src]


@dataclasses.dataclass(frozen=True)
class Journey:
    file: str
    first: int
    last: int
    panes: tuple[Pane, ...]

    def pane(self, stage: str) -> Pane:
        for pane in self.panes:
            if pane.stage == stage:
                return pane
        raise KeyError(stage)

    @property
    def source_lines(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    def marked_by(self, src_lines) -> dict[str, list[int]]:
        """{stage: indices of its lines} that choosing a line from `src_lines` must mark: every
        line that came from one of them. What the browser test compares the page with."""
        wanted = set(src_lines)
        return {pane.stage: [i for i, line in enumerate(pane.lines) if wanted & set(line.src)]
                for pane in self.panes}


def parse(text: str, build: str = "") -> Journey:
    """The snippet's output: log lines torch may print first, then one JSON document from the
    first line that is `{` on."""
    start = re.search(r"^\{$", text, re.M)
    if start is None:
        raise JourneyError("no JSON document (a line `{`) in the output of snippets/journey/journey.py")
    try:
        doc = json.loads(text[start.start():])
        panes = tuple(
            Pane(p["stage"], p["title"], p["how"],
                 tuple(Line(tuple(int(n) for n in src), name, str(t)) for src, name, t in p["lines"]), build)
            for p in doc["panes"]
        )
        journey = Journey(str(doc["file"]), int(doc["first"]), int(doc["last"]), panes)
    except (ValueError, KeyError, TypeError) as e:
        raise JourneyError(f"the output of snippets/journey/journey.py is not the journey document: {e}") from None
    stages = [p.stage for p in panes]
    if len(set(stages)) != len(stages) or "source" not in stages:
        raise JourneyError(f"snippets/journey/journey.py: stages must be unique and include `source`: {stages}")
    for pane in panes:
        for line in pane.lines:
            outside = [n for n in line.src if not journey.first <= n <= journey.last]
            if outside:
                raise JourneyError(f"{pane.stage}: {line.text!r} maps to line(s) {outside}, outside "
                                   f"the source ({journey.first}-{journey.last})")
    return journey


def cuda_output(snippet: snippets.Snippet) -> tuple[versions.Build, Path] | None:
    """The first stored CUDA output of the snippet, in supported-builds order."""
    for build, path in snippet.other_outputs().items():
        if build.device == "cuda" and not build.isa:
            return build, path
    return None


@functools.lru_cache(maxsize=4)
def _load(out: Path, mtime: float, cuda: tuple[str, str, float] | None) -> Journey:
    journey = parse(out.read_text("utf-8"))
    if cuda is None:
        return journey
    label, path, _ = cuda
    gpu = parse(Path(path).read_text("utf-8"), build=label)
    if (gpu.first, gpu.last) != (journey.first, journey.last):
        raise JourneyError(f"{path}: the source lines differ from the CPU output's: capture it again")
    kernels = tuple(p for p in gpu.panes if p.stage == TRITON)
    stages = [p.stage for p in journey.panes]
    at = stages.index("cpp") + 1 if "cpp" in stages else len(stages)  # beside the C++ kernels
    return dataclasses.replace(journey, panes=journey.panes[:at] + kernels + journey.panes[at:])


def load(snippet: snippets.Snippet | None = None) -> Journey:
    """The journey of the primary build's captured output, with the Triton pane of a CUDA
    output where one exists."""
    snippet = snippet or snippets.Snippet(SNIPPET)
    out = snippet.output_path()
    if not out.exists():
        raise JourneyError(f"{out} is missing: run `python -m sitekit outputs {snippet.rel}`")
    found = cuda_output(snippet)
    cuda = (found[0].title, str(found[1]), found[1].stat().st_mtime) if found else None
    return _load(out, out.stat().st_mtime, cuda)


# ------------------------------------------------------------------ HTML ---------------

def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def line_html(index: int, line: Line) -> str:
    attrs = f' data-line="{index}"'
    if line.src:
        attrs += f' data-src-line="{" ".join(map(str, line.src))}"'
    if line.name:
        attrs += f' data-name="{_attr(line.name)}"'
    return f'<span class="journey-line"{attrs}>{html.escape(line.text, quote=False)}\n</span>'


def pane_html(pane: Pane) -> str:
    build = f"（{html.escape(pane.build)}）" if pane.build else ""
    body = "".join(line_html(i, line) for i, line in enumerate(pane.lines))
    return (
        f'<section class="journey-pane" data-stage="{_attr(pane.stage)}" data-label="{_attr(pane.label)}" '
        f'aria-label="{_attr(pane.title)}" data-search-exclude>\n'
        f'<p class="journey-title">{html.escape(pane.title)}{build}</p>\n'
        # Not a <pre>: the site defers the highlighting of long <pre> blocks (sitekit/postprocess.py),
        # which would take these lines out of the page until the reader scrolls near them.
        # Focusable for scrolling without JavaScript; journey.js makes the lines focusable instead.
        f'<div class="journey-code" tabindex="0"><code>{body}</code></div>\n'
        f'<p class="journey-how">出处取自 {html.escape(pane.how)}</p>\n'
        "</section>\n"
    )


def source_html(journey: Journey, script: str, stylesheet: str) -> str:
    """The block that opens the journey: stylesheet, script, the source pane and the status
    line that says what the chosen line became."""
    return (
        f'<link rel="stylesheet" href="{_attr(stylesheet)}">\n'
        f'<script src="{_attr(script)}" defer></script>\n'
        '<div class="journey" data-journey>\n'
        '<div class="journey-source">\n'
        + pane_html(journey.pane("source"))
        + '<p class="journey-status" aria-live="polite">'
        "点一下源码的一行，或用 Tab 键选中后按回车：下面每一站里由它而来的部分都会标出来；"
        "点一下其他站里标了出处的行，也能反过来找到它的源码。</p>\n"
        "</div>\n"
    )


def table_html(journey: Journey) -> str:
    """The mapping without JavaScript: a row per source line, a column per stage, each cell the
    names (instructions, nodes, kernels) of the lines that came from it."""
    others = [p for p in journey.panes if p.stage != "source"]
    source = journey.pane("source")
    head = "".join(f"<th scope=\"col\">{html.escape(p.label)}</th>" for p in others)
    rows = []
    for number, line in zip(journey.source_lines, source.lines):
        cells = []
        for pane in others:
            names = list(dict.fromkeys(pane.lines[i].name or pane.lines[i].text.strip() for i in pane.lines_from(number)))
            cells.append("<td>" + "<br>".join(f"<code>{html.escape(n)}</code>" for n in names) + "</td>")
        rows.append(f'<tr data-src-line="{number}"><th scope="row">第 {number} 行<br>'
                    f"<code>{html.escape(line.text.strip())}</code></th>{''.join(cells)}</tr>")
    # Wrapped as Material wraps the tables it finds without a class: it scrolls sideways on a
    # phone, with or without JavaScript (docs/assets/stylesheets/site.css).
    return (
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">\n'
        '<table class="journey-table" data-search-exclude>\n'
        f'<thead><tr><th scope="col">源码</th>{head}</tr></thead>\n'
        f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>\n</div></div>\n"
    )


def missing_html(stage: str) -> str:
    if stage == TRITON:
        return ('<p class="journey-missing">在 NVIDIA GPU 上，这一站生成的是 Triton 内核。本站还没有在 GPU 上'
                "捕获这个例子的输出；捕获之后，它会作为一栏出现在这里。</p>\n")
    raise JourneyError(f"docs/{PAGE}: marker <!-- journey:{stage} --> names no stage of the output")


def fill(content: str, journey: Journey, script: str = SCRIPT, stylesheet: str = STYLESHEET) -> str:
    """The page's rendered content with every marker replaced; each stage of the journey must
    have its marker, once, between `source` and `table`."""
    found = [m[1] for m in MARKER.finditer(content)]
    stages = [p.stage for p in journey.panes]
    expected = ["source"] + [s for s in stages if s != "source"] + ["table"]
    wanted = [s for s in found if s != TRITON or TRITON in stages]
    if wanted != expected:
        raise JourneyError(f"docs/{PAGE}: journey markers {found}, expected {expected} in this order "
                           f"(a `{TRITON}` marker may stand where the CUDA output's pane goes)")

    def replace(m: re.Match) -> str:
        stage = m[1]
        if stage == "source":
            return source_html(journey, script, stylesheet)
        if stage == "table":
            return "</div>\n" + table_html(journey)
        if stage in stages:
            return pane_html(journey.pane(stage))
        return missing_html(stage)

    return MARKER.sub(replace, content)
