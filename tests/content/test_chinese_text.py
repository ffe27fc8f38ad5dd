"""Every Chinese text a reader sees passes the typography lint (sitekit.chinese + autocorrect)."""

from __future__ import annotations

from sitekit import chinese


def test_site_text_has_no_typography_findings():
    files = chinese.files()
    assert len(files) > 50, f"only {len(files)} files checked: the lint no longer sees the site"
    findings = chinese.lint(files)
    assert not findings, (
        f"{len(findings)} typography finding(s); `make fix-zh` applies the fixes "
        "(exceptions: .autocorrectrc / .autocorrectignore):\n" + "\n".join(map(str, findings[:60]))
    )
