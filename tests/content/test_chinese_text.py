"""Every Chinese text a reader sees passes the typography lint (sitekit.chinese + autocorrect)."""

from __future__ import annotations

from sitekit import chinese
from sitekit.config import ROOT


def test_the_lint_sees_every_hand_written_page_and_no_generated_notebook():
    checked = {p.relative_to(ROOT).as_posix() for p in chinese.files()}
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages <= checked, f"pages the lint skips: {sorted(pages - checked)}"
    assert {"docs/playground/index.md", "docs/glossary.toml"} <= checked
    assert not [p for p in checked if p.startswith("docs/playground/") and p.endswith((".ipynb", ".py"))]


def test_site_text_has_no_typography_findings():
    files = chinese.files()
    assert len(files) > 50, f"only {len(files)} files checked: the lint no longer sees the site"
    findings = chinese.lint(files)
    assert not findings, (
        f"{len(findings)} typography finding(s); `make fix-zh` applies the fixes "
        "(exceptions: .autocorrectrc / .autocorrectignore):\n" + "\n".join(map(str, findings[:60]))
    )
