"""Every mermaid diagram is drawn as an SVG, without error, in the theme's colours, and its
multi-line labels keep their lines."""

from __future__ import annotations

import re
from pathlib import Path

from pagechecks import script
from pagechecks.session import page_name
from sitekit import browser, diagrams

# A node label written as a mermaid Markdown string: ["`line 1 <newline> line 2`"].
MARKDOWN_LABEL = re.compile(r'"`(.*?)`"', re.S)
HARD_CODED_COLOUR = re.compile(
    r"^\s*(style|classDef|linkStyle)\b.*(fill|stroke|color)\s*:\s*#|%%\{\s*init.*(themeVariables|[\"']theme[\"']|#[0-9a-f]{3,8}\b)",
    re.M | re.I,
)

def mermaid_sources(html_file: Path) -> list[str]:
    """The mermaid code of each diagram of a built page, as the reader wrote it."""
    return diagrams.every_source(html_file.read_text(encoding="utf-8"))


def expected_label_lines(source: str) -> list[list[str]]:
    """Each multi-line Markdown-string label of a diagram, as its list of lines."""
    labels = []
    for m in MARKDOWN_LABEL.finditer(source):
        lines = [re.sub(r"\s+", "", line) for line in m.group(1).splitlines()]
        lines = [_strip_markdown(line) for line in lines if line]
        if len(lines) > 1:
            labels.append(lines)
    return labels


def _strip_markdown(line: str) -> str:
    return re.sub(r"\*\*|__|\*|_", "", line) if not re.search(r"\w_\w", line) else line.replace("**", "")


def check_mermaid(page, rel: str, html_file: Path, scheme: str) -> list[str]:
    where = f"{page_name(rel)} ({scheme} mode)"
    sources = mermaid_sources(html_file)
    page.evaluate(browser.script("draw_diagrams"))  # diagrams are drawn when scrolled near
    states = page.evaluate(script("mermaid_state"))
    problems = []
    if len(states) != len(sources):
        problems.append(f"{where}: {len(sources)} mermaid diagram(s) in the HTML, {len(states)} on the page")
    for i, (state, source) in enumerate(zip(states, sources), 1):
        first_line = source.strip().splitlines()[0] if source.strip() else ""
        label = f"{where}: diagram {i} ({first_line})"
        if HARD_CODED_COLOUR.search(source):
            problems.append(f"{label}: hard-coded colours or %%{{init}} (breaks light/dark mode)")
        if not state["svg"]:
            problems.append(f"{label}: not rendered as SVG; shows {state['text']!r}")
            continue
        if state["error"]:
            problems.append(f"{label}: mermaid drew an error: {state['text']!r}")
            continue
        if state["width"] < 20 or state["height"] < 20:
            problems.append(f"{label}: rendered SVG is {state['width']}x{state['height']} px")
        problems.extend(_check_label_lines(label, expected_label_lines(source), state["labels"]))
    return problems


def _check_label_lines(where: str, expected: list[list[str]], rendered: list[list]) -> list[str]:
    problems = []
    for lines in expected:
        joined = "".join(lines)
        match = next((chars for chars in rendered if "".join(c[0] for c in chars) == joined), None)
        if match is None:
            problems.append(f"{where}: multi-line label {' / '.join(lines)!r} not found in the SVG")
            continue
        pos = 0
        for prev, line in zip(lines, lines[1:]):
            pos += len(prev)
            before, after = match[pos - 1], match[pos]
            # A new line starts lower than the previous character (by at least half a line).
            if after[1] - before[1] < max(4, before[2] // 2):
                problems.append(f"{where}: label {' / '.join(lines)!r}: {line!r} is not on a new line")
                break
    return problems
