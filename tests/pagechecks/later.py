"""Blocks rendered on demand (sitekit/render_later.py) are deferred, and never taller than
their placeholder: a block taller than its placeholder would overlap the blocks after it
for scripts that measure the page before it renders (axe-core, Lighthouse)."""

from __future__ import annotations

from pagechecks import script
from pagechecks.session import page_name


def check_render_later(page, rel: str, where: str = "") -> tuple[int, list[str]]:
    state = page.evaluate(script("later_bounds"))
    name = f"{page_name(rel)}{where}"
    problems = [f"{name}: {line}" for line in state["over"]]
    if state["skipped"] != state["count"]:
        problems.append(f"{name}: {state['count'] - state['skipped']} of {state['count']} deferred blocks "
                        "are not content-visibility: auto (site.css)")
    return state["count"], problems
