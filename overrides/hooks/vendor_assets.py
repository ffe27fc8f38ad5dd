"""Copy pinned third-party browser assets from node_modules/ into docs/assets/vendor/.

The site must never reach a CDN, so JavaScript such as mermaid is installed from the npm
registry (package.json + package-lock.json, `npm ci` in the Makefile) and served from
the site itself. The copies under docs/assets/vendor/ are build products (git-ignored).
mermaid2 checks that its `javascript` path exists under docs_dir when the config is
loaded, so the copy happens in `on_config`, before any plugin looks for it.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]

# destination under docs/assets/vendor/  ->  source under node_modules/
VENDORED = {
    "mermaid/mermaid.min.js": "mermaid/dist/mermaid.min.js",
    "mermaid/LICENSE": "mermaid/LICENSE",
}


def on_config(config):
    vendor_dir = Path(config["docs_dir"]) / "assets" / "vendor"
    for dest_rel, src_rel in VENDORED.items():
        src = ROOT / "node_modules" / src_rel
        if not src.exists():
            raise PluginError(
                f"vendored asset missing: node_modules/{src_rel}. "
                "Run `make build` (or `npm ci`) to install the pinned browser assets."
            )
        dest = vendor_dir / dest_rel
        # Copy only when changed, so `mkdocs serve` does not see a write and rebuild forever.
        if not dest.exists() or not filecmp.cmp(src, dest, shallow=False):
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
    return config
