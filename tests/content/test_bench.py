"""The benchmark code (bench/) runs, computes what eager computes, and the page's tables and
plots are exactly what bench/report.py makes from the committed JSON. No speed is asserted."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitekit.config import DOCS, ROOT

from bench import cases, report

RESULTS = ROOT / "bench" / "results"
SCHEMA = json.loads((ROOT / "bench" / "schema.json").read_text("utf-8"))


def validate(data: dict) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(SCHEMA).validate(data)


@pytest.fixture(scope="module")
def tiny_run(device, tmp_path_factory):
    """One run of the tiny suite in this process, written and rendered like a real run."""
    import torch

    from bench import run

    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(ROOT / ".cache" / "torchinductor"))
    data = run.run_suite("tiny", torch.device(device), min_run_time=0.01)
    out = tmp_path_factory.mktemp("bench")
    (out / "results").mkdir()
    (out / "results" / "tiny-test.json").write_text(json.dumps(data), encoding="utf-8")
    return data, out


def test_tiny_suite_matches_eager_is_schema_valid_and_renders(tiny_run, device):
    from bench import run

    data, out = tiny_run
    validate(data)
    assert data["env"]["device"] == device
    got = {(r["case"], r["size"], r["variant"]) for r in data["results"]}
    want = {(c.name, c.size, v) for c in cases.suite("tiny") for v in run.VARIANTS[device]}
    assert got == want
    # run_case raises if a variant differs from eager; the recorded error says by how much.
    assert all(r["max_abs_err"] <= 1e-4 for r in data["results"]), data["results"]

    # The same result renders into the page's tables and plots (one test: one tiny run per
    # pytest-xdist worker, not one per test).
    written = report.render(out / "results", out / "md", out / "svg", "assets/bench")
    svgs = sorted(p.name for p in written if p.suffix == ".svg")
    assert svgs == ["tiny-compile.svg", "tiny-pointwise.svg", "tiny-speedup.svg"]
    for name in svgs:
        assert ET.parse(out / "svg" / name).getroot().tag.endswith("svg")
    md = (out / "md" / "tiny.md").read_text("utf-8")
    for row in data["results"]:
        assert f"`{row['size']}`" in md
    assert "![tiny：逐元素运算链的有效带宽](assets/bench/tiny-pointwise.svg)" in md
    # No CUDA result in this directory: the CUDA section says so instead of showing numbers.
    assert "GPU 结果尚未测量" in (out / "md" / "cuda.md").read_text("utf-8")


def test_a_variant_that_computes_something_else_is_rejected():
    import torch

    from bench import run

    expected = torch.arange(8.0)
    assert run.check_close("same", expected.clone(), expected) == 0.0
    with pytest.raises(AssertionError, match="wrong differs from eager"):
        run.check_close("wrong", expected + 0.01, expected)


def test_committed_results_are_schema_valid():
    files = sorted(RESULTS.glob("*.json"))
    assert any(f.name.startswith("cpu-") for f in files), "no committed CPU result: run `make bench`"
    for f in files:
        data = json.loads(f.read_text("utf-8"))
        validate(data)
        assert f.name.startswith(data["suite"] + "-"), f"{f.name} holds suite {data['suite']}"
        assert data["suite"] != "tiny", f"{f.name}: tiny runs test the code, they are not results"


def test_committed_tables_and_plots_are_regenerated_from_the_committed_json(tmp_path):
    written = report.render(RESULTS, tmp_path / "md", tmp_path / "svg", report.SVG_LINK)
    stale = []
    for fresh in written:
        committed = (report.MD_DIR if fresh.suffix == ".md" else report.SVG_DIR) / fresh.name
        if not committed.exists() or committed.read_bytes() != fresh.read_bytes():
            stale.append(committed.relative_to(ROOT).as_posix())
    assert not stale, "out of date with bench/results (run `python bench/report.py`): " + ", ".join(stale)
    extra = {p.name for p in report.SVG_DIR.glob("*.svg")} - {p.name for p in written}
    assert not extra, f"plots no result produces: {sorted(extra)}"


def test_the_page_shows_both_suites():
    page = (DOCS / "benchmarks.md").read_text("utf-8")
    for suite in report.SUITES:
        assert f'--8<-- "report/{suite}.md"' in page


def test_busy_warning_looks_at_the_load_before_the_run_not_the_benchmarks_own():
    env = {"cpu_count": 2, "loadavg_before": [0.15, 1.6, 1.7], "loadavg_after": [1.9, 1.7, 1.8]}
    assert not report.machine_was_busy(env)  # idle at the start; the end counts the run itself
    env["loadavg_before"] = [2.6, 2.0, 2.5]
    assert report.machine_was_busy(env)
