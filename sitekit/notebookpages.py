"""The 实验场 notebook pages: each notebook under docs/playground/ rendered as a page of the
site, exactly as mkdocs-jupyter renders it, made fit for the site, from a cache.

mkdocs-jupyter converts a notebook with nbconvert: seconds per notebook. As a plugin it also
cost every build ~0.5 s of imports (jupytext, nbconvert) before any page was read and ~0.4 s
reading every Markdown file with Jupytext (looking for a notebook header). So the site's plugin
(sitekit.plugin, part `playground`) does its job instead, with its converter and the settings
mkdocs.yml gave it (SETTINGS). The HTML then loses its CDN scripts and the ~3,000 JupyterLab CSS rules it
cannot use (sitekit.postprocess.offline_notebook_page: ~800 kB of content becomes ~150 kB,
which every later step of the build then handles). The HTML, table of contents and title of
each notebook go to .cache/sitekit/notebook-pages/<key>.json, keyed by the notebook's bytes
and path, SETTINGS, the versions of the packages the HTML comes from and the code that
changes it. A build whose notebooks are all cached imports none of them; a changed notebook
is converted once. Nothing is executed at build time: `make notebooks` executes the notebooks
and saves their outputs.

Each page also serves its notebook file next to it (mkdocs-jupyter's include_source), for
the download link.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
from importlib import metadata
from pathlib import Path, PurePosixPath

from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from sitekit import postprocess

log = logging.getLogger("mkdocs.plugins.sitekit")

PATTERN = "playground/*.ipynb"  # relative to docs/
# mkdocs-jupyter's nb2html arguments: what mkdocs.yml set when it listed the plugin (execute:
# false, allow_errors: false, include_requirejs: false), its defaults for the rest.
SETTINGS = {
    "execute": False,
    "kernel_name": "",
    "theme": "",
    "allow_errors": False,
    "show_input": True,
    "no_input": False,
    "no_prompt": False,
    "remove_tag_config": {},
    "highlight_extra_classes": "",
    "include_requirejs": False,
    "custom_mathjax_url": "",
}
TOC_DEPTH = 6
# What the rendered HTML comes from besides the notebook and SETTINGS.
SOURCES = ("mkdocs-jupyter", "nbconvert", "nbformat", "jupyterlab_pygments", "pygments", "mistune", "markdown", "jupytext")
FORMAT = 1  # of the cache files
# The code whose output is cached, besides the converter.
CODE = (Path(postprocess.__file__), Path(__file__))


def is_notebook(src_uri: str) -> bool:
    return PurePosixPath(src_uri).match(PATTERN)


class NotebookFile(File):
    """A notebook that is a page: playground/compile.ipynb -> playground/compile/index.html."""

    def is_documentation_page(self) -> bool:
        return True


def page_files(files: Files) -> Files:
    """The build's files with each notebook made a page, in the same order."""
    return Files([
        NotebookFile(f.src_uri, f.src_dir, f.dest_dir, f.use_directory_urls, inclusion=f.inclusion)
        if f.src_dir is not None and is_notebook(f.src_uri) else f
        for f in files
    ])


@functools.cache
def _sources() -> str:
    """The versions of the packages and the code the cached pages come from."""
    found = []
    for name in SOURCES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    found += [f"{p.name} {hashlib.sha256(p.read_bytes()).hexdigest()[:16]}" for p in CODE]
    return ", ".join(found)


def cache_key(path: Path, src_uri: str) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([FORMAT, src_uri, SETTINGS, TOC_DEPTH, _sources()], sort_keys=True).encode())
    h.update(path.read_bytes())
    return h.hexdigest()


def convert(path: Path) -> dict:
    """One notebook as the site shows it: {content, toc_tokens, title}, mkdocs-jupyter's
    rendering without CDN scripts and unused CSS."""
    from mkdocs_jupyter import convert as nbconvert  # nbconvert, jupytext: only on a cache miss
    from mkdocs_jupyter.plugin import _get_nb_toc_tokens  # what its plugin calls (pinned 0.26.3)

    content = nbconvert.nb2html(str(path), **SETTINGS)
    toc_tokens, title = _get_nb_toc_tokens(str(path), TOC_DEPTH)
    return {"content": postprocess.offline_notebook_page(content), "toc_tokens": toc_tokens, "title": title}


class Renderer:
    """The notebook pages of one build, through the cache in `cache_dir`."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.used: set[Path] = set()

    def rendered(self, path: Path, src_uri: str) -> dict:
        cached = self.cache_dir / f"{cache_key(path, src_uri)}.json"
        self.used.add(cached)
        try:
            data = json.loads(cached.read_text("utf-8"))
            if isinstance(data, dict) and {"content", "toc_tokens", "title"} <= data.keys():
                return data
        except (OSError, ValueError):
            pass
        log.info(f"Converting notebook {src_uri} (not in {self.cache_dir})")
        data = convert(path)
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(data), "utf-8")
            partial.replace(cached)  # atomic: a concurrent build reads the old file or the new one
        except OSError:
            pass  # a read-only checkout: converted again next time
        return data

    def prepare(self, page: Page) -> None:
        """Make the page render from its notebook instead of from Markdown."""
        renderer, path, src_uri = self, Path(page.file.abs_src_path), page.file.src_uri

        def render(self: Page, config, files) -> None:
            data = renderer.rendered(path, src_uri)
            self.content = data["content"]
            self.toc = get_toc(data["toc_tokens"])
            if data.get("title") is not None:
                self.title = data["title"]

        page.render = render.__get__(page, Page)

    @staticmethod
    def copy_source(page: Page) -> None:
        """The notebook file next to its page (playground/compile/compile.ipynb)."""
        target = Path(page.file.abs_dest_path).parent / Path(page.file.abs_src_path).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page.file.abs_src_path, target)

    def evict(self) -> None:
        """Drop cached renderings no page of this build used (older notebooks)."""
        if not self.used or not self.cache_dir.is_dir():
            return
        for stale in set(self.cache_dir.glob("*.json")) - self.used:
            stale.unlink(missing_ok=True)
