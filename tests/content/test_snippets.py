"""Every snippet runs in a fresh process (sitekit.runner) and prints exactly its captured output.

By default on this venv's torch (the primary build); with SNIPPET_PYTHON set to another
supported version's python (`make test-versions TORCH=2.13.0`), on that version, compared
with that version's stored output where it has one.

A snippet whose output depends on the CPU's vector ISA (sitekit/hardware.py) is compared with
the output stored for this machine's ISA; on an ISA with none stored (ARM,
ATEN_CPU_CAPABILITY=default) it must still run cleanly, and only the comparison is skipped.
`make test-isa` runs them on every stored ISA this CPU can stand in for.
"""

from __future__ import annotations

import pytest

from sitekit import capture, runner, snippets, versions
from sitekit.config import ROOT
from conftest import env_flag, requirement_skip


def _params():
    for snippet in snippets.discover():
        marks = [getattr(pytest.mark, req) for req in sorted(snippet.requires)]
        if snippet.isa_dependent:
            marks.append(pytest.mark.isa)
        yield pytest.param(snippet, id=snippet.rel, marks=marks)


@pytest.fixture(scope="session")
def build() -> versions.Build:
    """The build the snippets run on. One that is not supported fails, except in the weekly
    job that tries the newest torch (ALLOW_UNSUPPORTED_TORCH=1): it is compared with the
    primary outputs, so every difference from the pinned version shows up as a failure."""
    built = runner.interpreter().build
    if built.base not in versions.supported() and not env_flag("ALLOW_UNSUPPORTED_TORCH"):
        pytest.fail(f"torch {built.title} is not a supported build (requirements.txt, snippets/versions.toml); "
                    "ALLOW_UNSUPPORTED_TORCH=1 compares it with the primary outputs", pytrace=False)
    return built


@pytest.mark.parametrize("snippet", list(_params()))
def test_snippet_output_matches_capture(snippet: snippets.Snippet, build: versions.Build):
    requirement_skip(snippet.unmet_requirements(build.device))
    reason = capture.skip_reason(snippet, build)
    unstored_isa = capture.isa_skip_reason(snippet, build)
    if reason and reason != unstored_isa:
        pytest.skip(reason)
    where = ", ".join(f"docs/{p}" for p in snippets.pages_using(snippet.rel)) or "no page"
    on = f"torch {build.title}"
    result = runner.run(snippet, fork=True)  # fresh state, without paying `import torch` again
    if result.returncode:
        pytest.fail(
            f"snippets/{snippet.rel} (shown on {where}) exited with {result.returncode} on {on}:\n{result.output}",
            pytrace=False,
        )
    if unstored_isa:
        pytest.skip(f"ran cleanly; not compared: {unstored_isa}")
    expected = snippet.expected_output(build)
    effective = snippet.effective(build)
    label = effective.label
    if expected is None and effective.isa and snippet.rel not in versions.captured().get(label, {}).get("snippets", []):
        pytest.skip(f"ran cleanly; not compared: snippets/{snippet.rel} was never captured as {label} "
                    f"(snippets/captured.toml); `make outputs` on such a machine captures it")
    if expected is None:
        pytest.fail(f"snippets/{snippet.rel} has no captured output for {label}: run `make outputs`", pytrace=False)
    diff = snippet.diff(expected.read_text("utf-8"), result.output)
    if diff:
        command = "make outputs" if build.base == versions.primary() else f"make outputs TORCH={build.torch}"
        pytest.fail(
            f"output of snippets/{snippet.rel} (shown on {where}) on {on} differs from "
            f"{expected.relative_to(ROOT)}:\n{diff}\n"
            f"If the change is legitimate, run `{command}` and review the diff.",
            pytrace=False,
        )
