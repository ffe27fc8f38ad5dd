"""Pinned front-end versions have one home: package.json."""

from __future__ import annotations

import json

from sitekit import thebe, vendor
from sitekit.config import ROOT


def test_thebe_version_is_written_only_in_package_json():
    version = thebe.pinned()["version"]
    code = [*ROOT.glob("sitekit/**/*.py"), *ROOT.glob("overrides/**/*.html"), *ROOT.glob("docs/assets/javascripts/*.*js"),
            ROOT / "Makefile", ROOT / "mkdocs.yml"]
    assert len(code) > 10
    elsewhere = [str(p.relative_to(ROOT)) for p in code if version in p.read_text("utf-8")]
    assert not elsewhere, f"Thebe {version} is also written in {elsewhere}: read it from package.json (sitekit.thebe)"


def test_the_site_serves_the_thebe_that_package_json_pins(monkeypatch, tmp_path):
    """Bumping package.json changes what the build looks for, so a stale cache cannot be served."""
    pkg = json.loads((ROOT / "package.json").read_text("utf-8"))
    pkg["packedDependencies"]["thebe"]["version"] = "99.0.0"
    monkeypatch.setattr(thebe, "pinned", lambda: pkg["packedDependencies"]["thebe"])
    assert thebe.package_dir().parent.name == "99.0.0"
    try:
        vendor._thebe()
    except vendor.MissingAsset as e:
        assert "Thebe 99.0.0 is missing" in str(e)
    else:
        raise AssertionError("the build would have served a Thebe that package.json does not pin")
