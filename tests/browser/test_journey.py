"""一行代码的旅程 in a browser: choosing a line marks exactly what the captured output says
came from it, in every pane; a stale mapping on the page is caught; the keyboard works; the
marks are readable in light and dark; without JavaScript every pane and the table are there.

The expectations come from snippets/journey/journey.out (sitekit.journey.load), never from
the page itself. The walks of tests/browser/test_site_pages.py check this page like any other
(links, offline, axe, the phone layout); these tests add what only this page does.
"""

from __future__ import annotations

import re

import pytest

from pagechecks.journey import check_journey
from pagechecks.session import new_context, open_page, screenshot
from sitekit import browser, journey as site_journey

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-journey")]

PAGE = "journey/"


@pytest.fixture(scope="module")
def journey():
    return site_journey.load()


@pytest.fixture
def opened_page(chromium, site_url):
    context = new_context(chromium, site_url)
    page = context.new_page()
    open_page(page, site_url + PAGE)
    yield page
    problems = context.recorder.take()
    context.close()
    assert not problems, "\n".join(problems)


def test_choosing_a_line_marks_exactly_what_the_output_lists(opened_page, journey):
    stages = [p.stage for p in journey.panes]
    assert len(stages) >= 6 and stages[0] == "source", stages  # the source and at least 5 stages
    problems = check_journey(opened_page, journey)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
    # What the page then shows: every line of the function body marks lines in at least 4
    # other panes (the `def` line only its bytecode's RESUME).
    for number in journey.source_lines[1:]:
        panes = [stage for stage, lines in journey.marked_by([number]).items() if lines and stage != "source"]
        assert len(panes) >= 4, f"source line {number} marks lines in {panes} only"


def _planted(html: str, journey) -> tuple[str, str]:
    """The built page with one kernel line pointing at the wrong source line: the first line of
    the last kernel says it came from the first line of the body."""
    kernel = journey.pane("cpp")
    index = next(i for i, line in enumerate(kernel.lines) if line.src == (journey.last,))
    wrong = journey.first + 1
    start = html.index('data-stage="cpp"')
    end = html.index("</section>", start)
    old = f'data-line="{index}" data-src-line="{journey.last}"'
    assert html.count(old, start, end) == 1, f"cannot find cpp line {index} on the built page"
    section = html[start:end].replace(old, f'data-line="{index}" data-src-line="{wrong}"')
    return html[:start] + section + html[end:], f"cpp line {index}"


def test_a_stale_mapping_on_the_page_is_caught(chromium, site_url, built_site, journey):
    """One kernel line of the built page changed to point at the wrong source line: the same
    check must report it (and the clean page passes it, test above)."""
    planted, line = _planted((built_site / PAGE / "index.html").read_text("utf-8"), journey)
    context = new_context(chromium, site_url)
    page = context.new_page()
    try:
        page.route(site_url + PAGE, lambda route: route.fulfill(body=planted, content_type="text/html; charset=utf-8"))
        open_page(page, site_url + PAGE)
        problems = check_journey(page, journey)
    finally:
        context.close()
    assert any(f"pane 'cpp'" in p and p.startswith("/journey/ source line") for p in problems), problems
    assert any(p.startswith(f"/journey/ {line} ") and "data-src-line" in p for p in problems), problems


def _state(page):
    return page.evaluate("""() => ({
        pressed: [...document.querySelectorAll('[data-journey] [aria-pressed="true"]')].map(e => e.dataset.srcLine),
        hits: document.querySelectorAll('[data-journey] .journey-hit').length,
        focused: document.activeElement.closest('section[data-stage]')?.dataset.stage,
        focusedLine: document.activeElement.dataset.line,
        status: document.querySelector('.journey-status').textContent })""")


def test_keyboard_chooses_and_moves(opened_page, journey):
    page = opened_page
    body = journey.source_lines[1]
    page.locator(f'section[data-stage="source"] [data-src-line="{body}"]').focus()
    page.keyboard.press("Enter")
    state = _state(page)
    assert state["pressed"] == [str(body)] and state["hits"], state
    assert state["status"].startswith(f"第 {body} 行"), state
    page.keyboard.press("Escape")
    assert _state(page)["hits"] == 0
    page.keyboard.press(" ")
    assert _state(page)["pressed"] == [str(body)]
    # Past the source lines and the links of the prose, Tab reaches the bytecode pane's one
    # line in the tab order; the arrows move within that pane.
    for _ in range(40):
        page.keyboard.press("Tab")
        if _state(page)["focused"] not in (None, "source"):
            break
    assert _state(page)["focused"] == "bytecode", _state(page)
    assert _state(page)["focusedLine"] == "0", _state(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    state = _state(page)
    line = journey.pane("bytecode").lines[int(state["focusedLine"])]
    assert state["focused"] == "bytecode" and state["pressed"] == [" ".join(map(str, line.src))], state


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_marks_are_readable_on_a_phone(chromium, site_url, journey, scheme):
    """Axe's colour contrast over the whole journey with a line chosen (the walks' axe sees the
    page before anything is marked); the phone screenshots are for people to look at."""
    from axe_playwright_python.sync_playwright import Axe

    context = new_context(chromium, site_url, color_scheme=scheme, viewport=browser.PHONE,
                          is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        open_page(page, site_url + PAGE)
        page.locator(f'section[data-stage="source"] [data-src-line="{journey.source_lines[1]}"]').click()
        page.mouse.move(-1, -1)
        screenshot(page, f"journey-phone-{scheme}-chosen", full_page=False)
        kernels = page.locator('section[data-stage="cpp"]')
        kernels.scroll_into_view_if_needed()
        screenshot(page, f"journey-phone-{scheme}-kernels", full_page=False)
        results = Axe().run(page, context="[data-journey]",
                            options={"runOnly": {"type": "rule", "values": ["color-contrast"]}})
        violations = [f"{v['id']}: {[n.get('target') for n in v.get('nodes', [])][:5]}"
                      for v in results.response.get("violations", [])]
        assert not violations, violations
        assert not context.recorder.take()
    finally:
        context.close()


def test_without_javascript_every_pane_and_the_table_are_there(chromium, site_url, journey):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site_url + PAGE)
        stages = page.eval_on_selector_all("[data-journey] section[data-stage]", "els => els.map(e => e.dataset.stage)")
        assert stages == [p.stage for p in journey.panes]
        for pane in journey.panes:
            texts = page.eval_on_selector_all(f'section[data-stage="{pane.stage}"] .journey-line',
                                              "els => els.map(e => e.textContent.replace(/\\n$/, ''))")
            assert texts == [line.text for line in pane.lines], pane.stage
        rows = page.eval_on_selector_all("table.journey-table tbody tr", "els => els.map(e => e.dataset.srcLine)")
        assert rows == [str(n) for n in journey.source_lines]
        assert page.locator(".journey-table th[scope=col]").count() == len(journey.panes)
        assert re.search(r"cpp_fused_\w+", page.locator("table.journey-table").text_content())
    finally:
        context.close()
