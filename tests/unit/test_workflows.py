"""The GitHub workflows stay hardened: zizmor (pinned in requirements.txt), offline, finds
nothing of medium severity or above. A finding that is accepted on purpose is silenced in
the workflow itself, next to the line, with `# zizmor: ignore[<audit>]` and the reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SEVERITIES = ["Unknown", "Informational", "Low", "Medium", "High"]


def zizmor() -> str:
    path = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if not path:
        pytest.fail("zizmor is missing: `make test` installs it (requirements.txt)", pytrace=False)
    return path


def findings() -> list[dict]:
    proc = subprocess.run(
        [zizmor(), "--offline", "--format", "json", "--no-exit-codes", "--no-progress", str(WORKFLOWS)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, f"zizmor failed ({proc.returncode}):\n{proc.stderr}"
    # zizmor skips a workflow it cannot parse with only a warning, and then reports nothing for it.
    skipped = [line for line in proc.stderr.splitlines() if "failed to parse" in line]
    assert not skipped, "zizmor could not read a workflow, so it audited nothing there:\n" + "\n".join(skipped)
    return json.loads(proc.stdout)


def where(finding: dict) -> str:
    for loc in finding["locations"]:
        if loc["symbolic"]["kind"] == "Primary":
            path = loc["symbolic"]["key"]["Local"]["verbatim_path"]
            row = loc["concrete"]["location"]["start_point"]["row"] + 1
            return f"{path}:{row}: {loc['concrete']['feature'].strip()}"
    return "?"


@pytest.mark.parametrize("workflow", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_workflow_is_valid_yaml_with_jobs(workflow):
    """GitHub rejects a workflow that is not YAML (e.g. an unquoted `: ` in a step name)."""
    data = yaml.safe_load((WORKFLOWS / workflow).read_text("utf-8"))
    assert isinstance(data, dict) and data.get("jobs"), f"{workflow}: no jobs"
    for job, spec in data["jobs"].items():
        assert spec.get("steps") or spec.get("uses"), f"{workflow}: job {job} has no steps"


def test_zizmor_finds_nothing_of_medium_severity_or_above():
    assert sorted(WORKFLOWS.glob("*.yml")), "no workflows found"
    serious = [
        f for f in findings()
        if not f.get("ignored") and SEVERITIES.index(f["determinations"]["severity"]) >= SEVERITIES.index("Medium")
    ]
    assert not serious, "zizmor --offline .github/workflows/:\n" + "\n".join(
        f"  {f['determinations']['severity']} {f['ident']} ({f['desc']}) at {where(f)}; {f['url']}" for f in serious
    )
