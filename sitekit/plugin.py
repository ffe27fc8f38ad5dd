"""The site's one MkDocs plugin (mkdocs.yml: `plugins: - sitekit`): it wires sitekit's
modules into the build, and defines nothing they define.

- includes: every `--8<--` of a page resolves (sitekit.includes), or the build stops with
  the page, line, file and section (pymdownx's own error names neither for a section);
- home: the home page's generated tables (sitekit.home);
- glossary: the 术语表 page from docs/glossary.toml, and each page's first use of a term
  linked to its entry (sitekit.glossary);
- versions: under each output that another supported torch build prints differently, a
  collapsed diff per build, and the generated 版本差异 page (sitekit.versionpages)；
- vendor: mermaid and Thebe handed to MkDocs as build files (sitekit.vendor), not copied into docs/;
- tlparse: the tlparse report of chapter 4's running example, made at build time from the
  committed trace (sitekit.tlparse): its pages as pages of the site, its artifacts as files;
- playground: notebook pages (docs/playground/*.ipynb) rendered as mkdocs-jupyter renders
  them without CDN scripts and unused CSS, from a cache (sitekit.notebookpages), listed under
  实验场，kept out of the search index, their anchors fixed; the template learns which notebook
  belongs to a page (overrides/main.html draws the Colab/Binder links from extra.repository);
- mermaid: diagrams drawn ahead of time put in as SVG (sitekit.diagrams); code blocks lifted
  out of each page while mermaid2 parses it (sitekit.postprocess; a diagram not drawn ahead
  is drawn lazily, see docs/assets/javascripts/mermaid-global.mjs);
- lazy: what a phone does only when a reader nears it: code highlighting
  (sitekit.postprocess.defer_highlighting) and rendering the blocks below the first screens
  (sitekit.render_later);
- journey: the panes and the mapping table of the journey page (docs/journey.md), from its snippet's captured output
  (sitekit.journey);
- always: the search index rewritten in UTF-8 (sitekit.postprocess.utf8_search_index).

`parts` turns parts off, for a site that needs only some (the planted-fault site of the
browser tests uses `parts: [vendor]`).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File

from mkdocs.utils import get_relative_url

from sitekit import (build, config as site_config, diagrams, glossary, home, includes, journey, notebookpages,
                     notebooks, postprocess, render_later, tlparse, vendor, versionpages)

PARTS = ("includes", "home", "glossary", "versions", "vendor", "tlparse", "playground", "mermaid", "lazy",
         "journey")
PLAYGROUND_SECTION = "实验场"
# What the build keeps between builds: the rendered notebooks, the compiled templates.
CACHE = site_config.CACHE / "sitekit"


class SitekitConfig(Config):
    parts = config_options.ListOfItems(config_options.Choice(PARTS), default=list(PARTS))


class SitekitPlugin(BasePlugin[SitekitConfig]):
    def on_config(self, config):
        self.on = set(self.config.parts)
        self.bases = site_config.snippet_base_paths(config)
        if "playground" in self.on:
            try:
                site_config.repository(config)
            except ValueError as e:
                raise PluginError(str(e)) from None
            self._list_notebooks(config)
            self.notebook_pages = notebookpages.Renderer(CACHE / "notebook-pages")
        return config

    def _list_notebooks(self, config) -> None:
        """Each chapter's generated notebook, under the nav's 实验场 section, in chapter order."""
        for item in config["nav"] or []:
            if isinstance(item, dict) and PLAYGROUND_SECTION in item:
                section = item[PLAYGROUND_SECTION]
                if not isinstance(section, list):
                    section = item[PLAYGROUND_SECTION] = [{PLAYGROUND_SECTION: section}]
                listed = {next(iter(e.values())) if isinstance(e, dict) else e for e in section}
                for title, page in list(site_config.nav_pages(config["nav"])):
                    nb = page.endswith(".md") and notebooks.notebook_for(page, docs=_docs(config))
                    if nb and nb not in listed:
                        section.append({title: nb})
                return

    def on_files(self, files, config):
        if "playground" in self.on:
            files = notebookpages.page_files(files)
        if "vendor" in self.on:
            try:
                assets = vendor.assets()
            except vendor.MissingAsset as e:
                raise PluginError(str(e)) from None
            for dest, src in assets.items():
                files.append(File.generated(config, dest, abs_src_path=str(src)))
        if "tlparse" in self.on:
            try:
                report = tlparse.files()
            except tlparse.TlparseError as e:
                raise PluginError(str(e)) from None
            for dest, (kind, value) in report.items():
                source = {"content": value} if kind == "content" else {"abs_src_path": value}
                files.append(File.generated(config, dest, **source))
        return files

    def on_env(self, env, config, files):
        # Jinja compiles each template (Material's ~40, the overrides) to Python in every build
        # before using it (~0.15 s of CPU): keep the compiled code between builds (sitekit.build).
        build.keep_compiled_templates(env, CACHE / "jinja")
        return env

    def on_pre_page(self, page, config, files):
        if "playground" in self.on and notebookpages.is_notebook(page.file.src_uri):
            self.notebook_pages.prepare(page)
        return page

    def on_page_markdown(self, markdown, page, config, files):
        src = page.file.src_uri
        if "includes" in self.on:
            try:
                includes.check(markdown, src, self.bases)
            except includes.IncludeError as e:
                raise PluginError(str(e)) from None
        if "home" in self.on and src == "index.md":
            try:
                markdown = home.fill(markdown, config)
            except ValueError as e:
                raise PluginError(str(e)) from None
        if "glossary" in self.on and src == glossary.PAGE:
            titles = {target: title for title, target in site_config.nav_pages(config["nav"])}
            try:
                markdown = glossary.fill(markdown, titles)
            except ValueError as e:
                raise PluginError(str(e)) from None
        if "versions" in self.on and src.endswith(".md"):
            try:
                markdown = versionpages.page_markdown(markdown, src)
            except ValueError as e:
                raise PluginError(str(e)) from None
        if "playground" in self.on and src.endswith(".ipynb"):
            # A notebook repeats its chapter's prose: keep it out of the search index so that
            # a search lands on the chapter that teaches the term, not on its notebook copy.
            page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
        return markdown

    def on_page_content(self, html, page, config, files):
        src = page.file.src_uri
        if "glossary" in self.on and src.endswith(".md") and src != glossary.PAGE:
            target = files.get_file_from_path(glossary.PAGE)
            if target is not None:
                html, _ = glossary.link_first_uses(html, get_relative_url(target.url, page.url))
        if "journey" in self.on and src == journey.PAGE:
            try:
                html = journey.fill(html, journey.load(), get_relative_url(journey.SCRIPT, page.url),
                                    get_relative_url(journey.STYLESHEET, page.url))
            except journey.JourneyError as e:
                raise PluginError(str(e)) from None
        return html

    def on_page_context(self, context, page, config, nav):
        if "playground" in self.on:
            src = page.file.src_uri
            if src.endswith(".ipynb"):
                page.content = postprocess.fix_notebook_anchors(page.content, page.toc)
                context["playground_notebook"] = src
            else:
                context["playground_notebook"] = notebooks.notebook_for(src, docs=_docs(config))
        return context

    # Before mermaid2's on_post_page (priority 0): lift the code out.
    @event_priority(50)
    def _before_mermaid2(self, output, page, config):
        if "mermaid" in self.on:
            # Diagrams drawn ahead of time go in as SVG after mermaid2 (sitekit.diagrams).
            output, page._sitekit_diagrams = diagrams.lift(output)
            if "mermaid" in output:  # mermaid2 skips other pages anyway
                output, page._sitekit_code = postprocess.lift_code(output)
        return output

    # After mermaid2: put the code back verbatim, defer highlighting and rendering, fix the module path;
    # a notebook page serves its .ipynb beside it.
    @event_priority(-60)
    def _after_mermaid2(self, output, page, config):
        stash = page.__dict__.pop("_sitekit_code", None)
        if stash is not None:
            output = postprocess.restore_code(output, stash)
        output = diagrams.restore(output, page.__dict__.pop("_sitekit_diagrams", []))
        if "lazy" in self.on:
            output = render_later.mark(postprocess.defer_highlighting(output))
        if "vendor" in self.on:
            output = postprocess.relative_module_imports(output)
        if "playground" in self.on and notebookpages.is_notebook(page.file.src_uri):
            self.notebook_pages.copy_source(page)
        return output

    on_post_page = CombinedEvent(_before_mermaid2, _after_mermaid2)

    @event_priority(-50)  # after Material's search plugin writes the index, before its offline plugin reads it
    def on_post_build(self, config):
        if "playground" in self.on:
            self.notebook_pages.evict()
        index = Path(config["site_dir"]) / "search" / "search_index.json"
        if index.is_file():
            index.write_text(postprocess.utf8_search_index(index.read_text("utf-8")), "utf-8")


def _docs(config) -> Path:
    return Path(config["docs_dir"])
