"""一行代码的旅程 (docs/journey.md): choosing a line marks, in every pane, exactly the lines
the captured output (snippets/journey/journey.out, read by sitekit.journey) says came from
the same source lines, and visibly so."""

from __future__ import annotations

from pagechecks import script
from sitekit.journey import Journey

PANES = "[data-journey] section[data-stage]"


def _compare(problems: list[str], what: str, want: dict[str, list[int]], got: dict[str, list[int]]) -> None:
    for stage in sorted(set(want) | set(got)):
        w, g = set(want.get(stage, [])), set(got.get(stage, []))
        if w != g:
            extra = f"; marked but not in the output: lines {sorted(g - w)}" if g - w else ""
            missing = f"; in the output but not marked: lines {sorted(w - g)}" if w - g else ""
            problems.append(f"{what}: pane {stage!r}{extra}{missing}")


def check_journey(page, journey: Journey, where: str = "/journey/") -> list[str]:
    """Click each source line (as a reader does), then every mapped line of every other pane:
    after each choice the marked lines of every pane must be exactly those the output lists,
    each drawn in another colour than an unmarked line. Returns the problems, each naming the
    choice and the pane."""
    problems = []
    stages = page.evaluate(f"[...document.querySelectorAll({PANES!r})].map(s => s.dataset.stage)")
    if stages != [p.stage for p in journey.panes]:
        return [f"{where}: panes {stages}, the output has {[p.stage for p in journey.panes]}"]
    for number in journey.source_lines:
        page.locator(f'{PANES}[data-stage="source"] [data-src-line~="{number}"]').click()
        state = page.evaluate(script("journey_marks"))
        _compare(problems, f"{where} source line {number}", journey.marked_by([number]), state["marked"])
        problems += [f"{where} source line {number}: {p}" for p in state["unseen"]]
    # The other direction: each mapped line of the other panes (clicked from the page's script:
    # a real click for each of ~200 lines would take seconds).
    for got in page.evaluate(script("journey_choose_each")):
        pane = journey.pane(got["stage"])
        line = pane.lines[got["line"]]
        what = f"{where} {got['stage']} line {got['line']} ({line.text.strip()[:40]!r})"
        if got["src"] != list(line.src):
            problems.append(f"{what}: its data-src-line is {got['src']}, the output says {list(line.src)}")
        _compare(problems, what, journey.marked_by(line.src), got["marked"])
    return problems
