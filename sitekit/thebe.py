"""Thebe（the 运行 buttons' kernel client）：its pin, and fetching it into .cache/thebe/.

Thebe 0.9.x cannot be installed with `npm install` against this registry (one of its
dependencies names a version that is missing there), but its published tarball carries a
prebuilt, self-contained `lib/`. So it is declared in package.json under
"packedDependencies" (version + sha512 integrity, as npm reports it) — the only place its
version is written — and fetched with `npm pack`; the tarball must match the integrity
before anything is extracted. `make thebe` (a step of `make build`/`serve`/`test`) runs
`python -m sitekit thebe`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from sitekit.config import CACHE, ROOT


def pinned() -> dict[str, str]:
    """{"version", "integrity", ...} of Thebe from package.json."""
    return json.loads((ROOT / "package.json").read_text("utf-8"))["packedDependencies"]["thebe"]


def package_dir(version: str | None = None) -> Path:
    """Where the pinned version is unpacked (its `lib/` is what the site serves)."""
    return CACHE / "thebe" / (version or pinned()["version"]) / "package"


def main(argv: list[str] | None = None) -> int:
    pin = pinned()
    version, integrity = pin["version"], pin["integrity"]
    dest = package_dir(version).parent
    if (dest / "package" / "lib" / "index.js").exists():
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"thebe@{version}", "--pack-destination", tmp, "--silent"],
            check=True, stdout=subprocess.DEVNULL,
        )
        (tgz,) = Path(tmp).glob("thebe-*.tgz")
        algo, expected = integrity.split("-", 1)
        actual = base64.b64encode(hashlib.new(algo, tgz.read_bytes()).digest()).decode()
        if actual != expected:
            print(f"thebe@{version}: integrity mismatch ({algo}-{actual} != {integrity})", file=sys.stderr)
            return 1
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tgz) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/lib/") and not m.name.endswith(".map")]
            members += [m for m in tar.getmembers() if m.name in ("package/package.json", "package/LICENSE")]
            tar.extractall(dest, members=members, filter="data")
    print(f"thebe@{version} -> {dest.relative_to(ROOT)}")
    return 0
