"""Every snippet runs in a fresh process (see snippets.run) and prints exactly its captured output."""

from __future__ import annotations

import pytest

from sitekit import snippets, runner
from sitekit.config import ROOT
from conftest import requirement_skip


def _params():
    for snippet in snippets.discover():
        marks = [getattr(pytest.mark, req) for req in sorted(snippet.requires)]
        yield pytest.param(snippet, id=snippet.rel, marks=marks)


@pytest.mark.parametrize("snippet", list(_params()))
def test_snippet_output_matches_capture(snippet: snippets.Snippet, device: str):
    requirement_skip(snippet.unmet_requirements(device))
    where = ", ".join(f"docs/{p}" for p in snippets.pages_using(snippet.rel)) or "no page"
    result = runner.run(snippet, fork=True)  # fresh state, without paying `import torch` again
    if result.returncode:
        pytest.fail(
            f"snippets/{snippet.rel} (shown on {where}) exited with {result.returncode}:\n{result.output}",
            pytrace=False,
        )
    expected = snippet.expected_output(device)
    if expected is None:
        pytest.fail(f"snippets/{snippet.rel} has no captured output: run `make outputs`", pytrace=False)
    diff = snippet.diff(expected.read_text("utf-8"), result.output)
    if diff:
        pytest.fail(
            f"output of snippets/{snippet.rel} (shown on {where}) differs from "
            f"{expected.relative_to(ROOT)}:\n{diff}\n"
            "If the change is legitimate, run `make outputs` and review the diff.",
            pytrace=False,
        )
