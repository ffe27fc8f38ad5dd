"""The graph drawings are the graphs PyTorch built (sitekit/graphs.py): each snippet that
names graphs runs again, and its stored drawings must show exactly the nodes and edges of
the graphs this run builds; every drawing is on a page, marked with the snippet it came from."""

from __future__ import annotations

import html
import re

import pytest

from sitekit import browser, capture, graphs, runner, snippets, versions
from sitekit.config import SNIPPETS


def _params():
    for snippet in graphs.with_graphs():
        yield pytest.param(snippet, id=snippet.rel)


@pytest.mark.parametrize("snippet", list(_params()))
def test_each_drawing_shows_the_graph_the_snippet_builds(snippet: snippets.Snippet):
    build = runner.interpreter().build
    if build.base != versions.primary():
        pytest.skip("drawings come from the primary build")
    if capture.isa_skip_reason(snippet, build) or (snippet.isa_dependent and build.isa):
        pytest.skip("drawn on the ISA the pages show; this machine's ISA draws other code")
    problems = graphs.differences(snippet)
    assert not problems, f"snippets/{snippet.rel}: run `make graphs` (then `make diagrams`):\n" + "\n".join(problems)


def test_every_stored_drawing_is_named_and_shown_on_a_page():
    shown = {inc for incs in snippets.includes_by_page().values() for inc in incs}
    named = {graphs.path(s, k).relative_to(SNIPPETS).as_posix() for s in graphs.with_graphs() for k in graphs.specs(s)}
    on_disk = {p.relative_to(SNIPPETS).as_posix() for p in SNIPPETS.glob(f"*/*{graphs.SUFFIX}/*.mmd")}
    assert on_disk == named, f"drawings no snippets.toml names: {sorted(on_disk - named)}; missing: {sorted(named - on_disk)}"
    assert named <= shown, f"drawings no page shows: {sorted(named - shown)}"


DRAWING = re.compile(r'<div class="mermaid" data-diagram="\w+" data-source="([^"]*)" data-graph="([^"]+)"')


def test_pages_show_the_stored_drawings_marked_with_their_snippet(built_site):
    by_page = {}
    stored = {s.rel: {v.strip() for v in graphs.stored(s).values()} for s in graphs.with_graphs()}
    for page in browser.discover_pages(built_site):
        for source, rel in DRAWING.findall((built_site / page / "index.html").read_text("utf-8")):
            assert (SNIPPETS / html.unescape(rel)).is_file(), f"/{page}: data-graph names no snippet: {rel}"
            assert html.unescape(source).strip() in stored[html.unescape(rel)], f"/{page}: a drawing of {rel} is not its stored one"
            by_page.setdefault(page, []).append(rel)
    count = sum(len(v) for v in by_page.values())
    assert count >= 8 and len(by_page) >= 5, f"{count} drawings on {len(by_page)} pages: {by_page}"
