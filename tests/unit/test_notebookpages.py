"""sitekit.notebookpages: the 实验场 notebooks as pages, converted once per notebook version."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.structure.files import File, Files, InclusionLevel

from sitekit import notebookpages


def test_only_the_playground_notebooks_become_pages_in_their_place(tmp_path):
    names = ["index.md", "playground/index.md", "playground/compile.ipynb", "playground/compile.py",
             "other/x.ipynb", "playground/paradigms.ipynb"]
    files = Files([File(n, str(tmp_path), str(tmp_path / "site"), True, inclusion=InclusionLevel.INCLUDED) for n in names])
    out = notebookpages.page_files(files)
    assert [f.src_uri for f in out] == names
    pages = {f.src_uri: f for f in out if isinstance(f, notebookpages.NotebookFile)}
    assert sorted(pages) == ["playground/compile.ipynb", "playground/paradigms.ipynb"]
    compile_page = pages["playground/compile.ipynb"]
    assert compile_page.is_documentation_page()
    assert (compile_page.dest_uri, compile_page.url) == ("playground/compile/index.html", "playground/compile/")
    assert compile_page.inclusion == InclusionLevel.INCLUDED
    assert [f.src_uri for f in out.documentation_pages()] == ["index.md", "playground/index.md", *sorted(pages)]


@pytest.fixture
def notebook(tmp_path) -> Path:
    path = tmp_path / "docs" / "playground" / "a.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text('{"cells": []}', "utf-8")
    return path


@pytest.fixture
def conversions(monkeypatch) -> list[Path]:
    done: list[Path] = []

    def convert(path: Path) -> dict:
        done.append(path)
        return {"content": f"<p>{path.read_text('utf-8')}</p>", "toc_tokens": [], "title": "标题"}

    monkeypatch.setattr(notebookpages, "convert", convert)
    return done


def test_a_notebook_is_converted_once_per_version(tmp_path, notebook, conversions):
    cache = tmp_path / "cache"
    first = notebookpages.Renderer(cache).rendered(notebook, "playground/a.ipynb")
    again = notebookpages.Renderer(cache).rendered(notebook, "playground/a.ipynb")
    assert first == again and len(conversions) == 1, "the second build converts nothing"
    notebook.write_text('{"cells": [1]}', "utf-8")
    renderer = notebookpages.Renderer(cache)
    assert renderer.rendered(notebook, "playground/a.ipynb")["content"] == '<p>{"cells": [1]}</p>'
    assert len(conversions) == 2
    assert len(list(cache.glob("*.json"))) == 2
    renderer.evict()
    assert set(cache.glob("*.json")) == renderer.used, "the older version's rendering is dropped"


def test_a_damaged_cache_file_is_converted_again(tmp_path, notebook, conversions):
    cache = tmp_path / "cache"
    notebookpages.Renderer(cache).rendered(notebook, "playground/a.ipynb")
    for damaged in ["{not json", '{"content": "x"}']:
        next(cache.glob("*.json")).write_text(damaged, "utf-8")
        assert notebookpages.Renderer(cache).rendered(notebook, "playground/a.ipynb")["title"] == "标题"
    assert len(conversions) == 3


def test_the_page_renders_from_its_notebook_and_serves_it(tmp_path, notebook, conversions):
    dest = tmp_path / "site" / "playground" / "a" / "index.html"
    page = SimpleNamespace(file=SimpleNamespace(abs_src_path=str(notebook), src_uri="playground/a.ipynb",
                                                abs_dest_path=str(dest)),
                           content=None, toc=None, title="导航里的标题")
    renderer = notebookpages.Renderer(tmp_path / "cache")
    renderer.prepare(page)
    page.render(None, None)
    assert (page.content, page.title, list(page.toc)) == ('<p>{"cells": []}</p>', "标题", [])
    renderer.copy_source(page)
    assert (dest.parent / "a.ipynb").read_bytes() == notebook.read_bytes()


def test_the_converter_is_mkdocs_jupyters_without_cdn_scripts(tmp_path):
    """The real conversion (nbconvert through mkdocs-jupyter), as on a cache miss."""
    nb = {
        "cells": [
            {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# 标题\n", "\n", "正文"]},
            {"cell_type": "code", "id": "c1", "execution_count": 1, "metadata": {}, "source": ["print(1)"],
             "outputs": [{"name": "stdout", "output_type": "stream", "text": ["1\n"]}]},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(nb), "utf-8")
    data = notebookpages.convert(path)
    assert data["title"] == "标题"
    assert [t["name"] for t in data["toc_tokens"]] == ["标题"]
    assert "jupyter-wrapper" in data["content"] and "jp-OutputArea" in data["content"]
    assert "cdnjs.cloudflare.com" not in data["content"] and "mathjax" not in data["content"].lower()
    assert len(data["content"]) < 200_000, "the unused JupyterLab CSS is pruned"
