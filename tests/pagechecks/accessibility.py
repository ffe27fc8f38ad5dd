"""axe-core (vendored in axe-playwright-python): no serious or critical violation."""

from __future__ import annotations

import re

from pagechecks import script
from pagechecks.session import page_name


def check_axe(page, rel: str, scheme: str = "light") -> list[str]:
    """axe-core (vendored in axe-playwright-python): no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    # Code below the first screen is highlighted when a reader nears it: scroll to each block
    # on the light walk (the reader's path), print on the dark one; then every token is there.
    plain = page.evaluate(script("highlight_code"), scheme == "light")
    # No state left by the checks before (a focused tab, the pointer over a link): axe would
    # measure it in its focus or hover colour.
    page.mouse.move(-1, -1)
    page.evaluate("""async () => { document.activeElement && document.activeElement.blur();
        for (const el of document.querySelectorAll(".focus-visible")) el.classList.remove("focus-visible");
        await new Promise(r => requestAnimationFrame(r));  // then let colour transitions finish
        await Promise.race([Promise.all(document.getAnimations().map(a => a.finished.catch(() => {}))),
                            new Promise(r => setTimeout(r, 1000))]); }""")
    problems = [f"{page_name(rel)} ({scheme}): {plain} code block(s) still not highlighted after "
                f"{'scrolling to them' if scheme == 'light' else 'beforeprint'}"] if plain else []
    # one span per (language, token class, context) stays, labelled data-token="bash .p (code)"
    page.evaluate(script("one_span_per_token_kind"))
    options = {"resultTypes": ["violations"]}
    if scheme != "light":
        # Only colours change with the scheme; the markup rules ran on the light walk.
        options["runOnly"] = {"type": "rule", "values": ["color-contrast"]}
    results = Axe().run(page, options=options)
    for v in results.response.get("violations", []):
        if v.get("impact") not in {"serious", "critical"}:
            continue
        targets = [_describe(n) for n in v.get("nodes", [])][:5]
        problems.append(
            f"{page_name(rel)} ({scheme}): axe {v['impact']} {v['id']}: {v['help']} "
            f"({len(v.get('nodes', []))} element(s): {'; '.join(targets)})"
        )
    return problems


_TOKEN = re.compile(r'data-token="([^"]*)"')


def _describe(node: dict) -> str:
    """axe's selector of an element, and for a code token its language and class."""
    where = ", ".join(map(str, node.get("target", [])))
    token = _TOKEN.search(node.get("html", ""))
    return f"{where} [token {token[1]}]" if token and token[1] not in where else where
