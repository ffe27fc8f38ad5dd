"""At 390x844 only code blocks, tables and graph drawings may be wider than the screen, and
they scroll; a graph drawing's text is never drawn below 12 px."""

from __future__ import annotations

from pagechecks import script
from pagechecks.session import page_name


def check_phone_layout(page, rel: str) -> list[str]:
    where = f"{page_name(rel)} (390x844)"
    state = page.evaluate(script("overflow"))
    problems = [f"{where}: overflows the screen: {o}" for o in state["offenders"]]
    problems += [f"{where}: {t}" for t in state["tables"]]
    if state["pageWidth"] > state["vw"] + 1 and not problems:
        problems.append(f"{where}: page scrolls sideways ({state['pageWidth']} px wide, screen {state['vw']} px)")
    problems += [f"{where}: {p}" for p in page.evaluate(script("graphs"))["problems"]]
    return problems
