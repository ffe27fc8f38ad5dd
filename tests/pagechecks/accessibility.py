"""axe-core (vendored in axe-playwright-python): no serious or critical violation."""

from __future__ import annotations

from pagechecks import script
from pagechecks.session import page_name


def check_axe(page, rel: str, scheme: str = "light") -> list[str]:
    """axe-core (vendored in axe-playwright-python): no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(script("one_span_per_token_kind"))
    options = {"resultTypes": ["violations"]}
    if scheme != "light":
        # Only colours change with the scheme; the markup rules ran on the light walk.
        options["runOnly"] = {"type": "rule", "values": ["color-contrast"]}
    results = Axe().run(page, options=options)
    problems = []
    for v in results.response.get("violations", []):
        if v.get("impact") not in {"serious", "critical"}:
            continue
        targets = [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])][:5]
        problems.append(
            f"{page_name(rel)} ({scheme}): axe {v['impact']} {v['id']}: {v['help']} "
            f"({len(v.get('nodes', []))} element(s): {'; '.join(targets)})"
        )
    return problems
