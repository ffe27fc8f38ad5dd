"""Third-party browser assets the site serves itself (offline-first: no CDN).

mermaid comes from npm (package.json + package-lock.json, `npm ci`), Thebe from its
packed tarball (sitekit.thebe). Both are handed to MkDocs as files of the build
(`assets()`, used by the plugin's on_files): nothing is copied into docs/.

mermaid is served as its ESM build: when a page draws, it downloads the core module and only
the chunks of the diagram types it uses (a flowchart page: ~0.4 MB gzipped instead of the
0.8 MB UMD bundle with every diagram type). Material draws with the global `window.mermaid`
(without it, it fetches mermaid from unpkg.com), so mermaid2 imports
docs/assets/javascripts/mermaid-global.mjs, which sets the global: a stand-in that imports
mermaid only when a diagram comes near the viewport.
"""

from __future__ import annotations

from pathlib import Path

from sitekit import thebe
from sitekit.config import ROOT

SITE_DIR = "assets/vendor"
NODE_MODULES = ROOT / "node_modules"


class MissingAsset(FileNotFoundError):
    pass


def _mermaid() -> dict[str, Path]:
    dist = NODE_MODULES / "mermaid" / "dist"
    if not (dist / "mermaid.esm.min.mjs").exists():
        raise MissingAsset(
            "vendored asset missing: node_modules/mermaid/dist/mermaid.esm.min.mjs. "
            "Run `make build` (or `npm ci`) to install the pinned browser assets."
        )
    files = {"mermaid/mermaid.esm.min.mjs": dist / "mermaid.esm.min.mjs", "mermaid/LICENSE": NODE_MODULES / "mermaid" / "LICENSE"}
    # The lazily imported ESM chunks; source maps are left out.
    for chunk in sorted((dist / "chunks" / "mermaid.esm.min").glob("*.mjs")):
        files[f"mermaid/chunks/mermaid.esm.min/{chunk.name}"] = chunk
    return files


def _thebe() -> dict[str, Path]:
    package = thebe.package_dir()
    lib = package / "lib"
    if not (lib / "index.js").exists():
        raise MissingAsset(
            f"Thebe {thebe.pinned()['version']} is missing under .cache/thebe/: run `make build` "
            "(its `thebe` step fetches the pinned package with `npm pack`)."
        )
    files = {f"thebe/{p.name}": p for p in sorted(lib.iterdir()) if p.is_file() and p.suffix in {".js", ".css", ".txt"}}
    if (package / "LICENSE").exists():
        files["thebe/LICENSE"] = package / "LICENSE"
    return files


def assets() -> dict[str, Path]:
    """{path in the built site: source file} of every vendored asset."""
    return {f"{SITE_DIR}/{dest}": src for dest, src in {**_mermaid(), **_thebe()}.items()}
