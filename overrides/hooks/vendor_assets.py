"""Copy pinned third-party browser assets from node_modules/ into docs/assets/vendor/.

The site must never reach a CDN, so JavaScript such as mermaid is installed from the npm
registry (package.json + package-lock.json, `npm ci` in the Makefile) and served from
the site itself. The copies under docs/assets/vendor/ are build products (git-ignored).
mermaid2 checks that its `javascript` path exists under docs_dir when the config is
loaded, so the copy happens in `on_config`, before any plugin looks for it.

mermaid is served as its ESM build: a page downloads the small core module and, when it
draws, only the chunks of the diagram types it uses (a flowchart page: ~0.4 MB gzipped
instead of the 0.8 MB UMD bundle with every diagram type). Material draws diagrams with
the global `window.mermaid` (without it, it fetches mermaid from unpkg.com), so mermaid2
imports a small module, mermaid-global.mjs, that sets the global. Module scripts run
before DOMContentLoaded, when Material looks for it.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]

# destination under docs/assets/vendor/  ->  source under node_modules/
VENDORED = {
    "mermaid/mermaid.esm.min.mjs": "mermaid/dist/mermaid.esm.min.mjs",
    "mermaid/LICENSE": "mermaid/LICENSE",
}
# Whole folders (the lazily imported ESM chunks); source maps are left out.
VENDORED_DIRS = {
    "mermaid/chunks/mermaid.esm.min": "mermaid/dist/chunks/mermaid.esm.min",
}
# Files written by this hook (no npm source).
GENERATED = {
    "mermaid/mermaid-global.mjs": (
        "// Material for MkDocs draws with the global `mermaid`; the ESM build defines none.\n"
        'import mermaid from "./mermaid.esm.min.mjs";\n'
        "window.mermaid = mermaid;\n"
        "export default mermaid;\n"
    ),
}


def _copy_if_changed(src: Path, dest: Path) -> None:
    # Copy only when changed, so `mkdocs serve` does not see a write and rebuild forever.
    if not dest.exists() or not filecmp.cmp(src, dest, shallow=False):
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)


def on_config(config):
    vendor_dir = Path(config["docs_dir"]) / "assets" / "vendor"
    missing = [src for src in [*VENDORED.values(), *VENDORED_DIRS.values()] if not (ROOT / "node_modules" / src).exists()]
    if missing:
        raise PluginError(
            f"vendored asset missing: node_modules/{missing[0]}. "
            "Run `make build` (or `npm ci`) to install the pinned browser assets."
        )
    for dest_rel, src_rel in VENDORED.items():
        _copy_if_changed(ROOT / "node_modules" / src_rel, vendor_dir / dest_rel)
    for dest_rel, src_rel in VENDORED_DIRS.items():
        src_dir, dest_dir = ROOT / "node_modules" / src_rel, vendor_dir / dest_rel
        wanted = {p.name for p in src_dir.glob("*.mjs")}
        for src in src_dir.glob("*.mjs"):
            _copy_if_changed(src, dest_dir / src.name)
        for stale in dest_dir.glob("*"):  # chunks of an older mermaid version
            if stale.name not in wanted:
                stale.unlink()
    for dest_rel, text in GENERATED.items():
        dest = vendor_dir / dest_rel
        if not dest.exists() or dest.read_text(encoding="utf-8") != text:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
    # The UMD bundle of earlier builds would still be copied into the site: drop it.
    (vendor_dir / "mermaid" / "mermaid.min.js").unlink(missing_ok=True)
    return config


def on_post_page(output, page, config):
    # mermaid2 writes `import mermaid from "assets/..."` on the home page: a bare module
    # specifier, which browsers refuse (then Material fetches mermaid from unpkg.com).
    return output.replace('import mermaid from "assets/', 'import mermaid from "./assets/')
