"""一行代码的旅程 (docs/journey.md) and the output it is built from (snippets/journey/journey.out)."""

from __future__ import annotations

import re

from sitekit import journey, snippets
from sitekit.config import DOCS


def test_every_stage_maps_back_to_the_source():
    j = journey.load()
    stages = [p.stage for p in j.panes]
    assert stages[0] == "source" and len(stages) >= 6, f"the source and at least 5 stages: {stages}"
    for pane in j.panes:
        assert any(line.src for line in pane.lines), f"pane {pane.stage!r} maps no line to the source"
    for number in j.source_lines[1:]:  # each line of the body, in at least 4 other panes
        panes = [s for s, lines in j.marked_by([number]).items() if lines and s != "source"]
        assert len(panes) >= 4, f"source line {number} reaches only {panes}"


# Names the prose quotes that the run does not print: the API that would decompose the
# exported graph (chapter 6 runs it).
ELSEWHERE = {"run_decompositions()"}


def test_names_the_prose_quotes_are_in_the_run():
    """The page explains the panes by name (a kernel, a node, a hook): each identifier it quotes
    in `code` must occur in the captured output or in the script, so a renamed kernel or node
    cannot leave the prose behind."""
    text = (DOCS / journey.PAGE).read_text("utf-8")
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    outputs = [journey.SNIPPET.with_suffix(".out"), *snippets.Snippet(journey.SNIPPET).other_outputs().values()]
    run = journey.SNIPPET.read_text("utf-8") + "".join(p.read_text("utf-8") for p in outputs)
    quoted = set(re.findall(r"`([A-Za-z_][\w.]*(?:\(\))?)`", prose))
    missing = sorted(q for q in quoted if q.removesuffix("()") not in run and q not in ELSEWHERE)
    assert not missing, f"docs/{journey.PAGE} quotes names its run does not have: {missing}"
